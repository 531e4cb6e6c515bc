"""What an AWS account's records must hold beyond the catalog's checks, for a snapshot to be
restored (``check_records``, a ``Registry.records_check``).

The catalog (``registry/kinds.py``) says what the handlers read: field types, required fields,
times within what a client parses. Some parts of a record are the provider's alone, and are
answered as they were stored: a thing type's properties (in the product's ``attributes``, a kind
every provider shares), a job's or a job template's settings, a domain configuration's TLS and
authentication settings. A hand-edited snapshot that broke one was restored, and then every call
that answered it failed (a 500, or a reply boto3 could not parse); each is now checked against the
model shape its request took, and the rules the handlers keep (a job's timeout of 1 to 10080
minutes), so that the restore is refused naming the field. Records written by earlier versions
pass: they were made through the same requests.
"""

from __future__ import annotations

from typing import Any

from ...registry.catalog import Field
from ...registry.integrity import SnapshotError, check_value
from ...registry.kinds import BOOL, MAP, TAGS, TEXT, when
from .certificate_transfers import PENDING
from .job_config import MAX_MINUTES, minutes_of
from .model import OPERATIONS, SHAPES
from .validation import check_stored

#: a thing type, as ``thing_types`` keeps it in its product's attributes
THING_TYPE = Field(
    "attributes",
    MAP,
    required=True,
    fields=(
        Field("id", TEXT, required=True),
        Field("properties", MAP),
        TAGS,
        Field("deprecated", BOOL),
        when("deprecationDate", null=True, seconds=True),
    ),
)
#: the records whose settings are a request's members, stored as given: table -> (field, operation)
SETTINGS = {
    "jobs": ("config", "CreateJob"),
    "jobTemplates": ("config", "CreateJobTemplate"),
    "domainConfigurations": ("settings", "CreateDomainConfiguration"),
}


def check_records(tenant: dict[str, Any]) -> None:
    """Raise :class:`SnapshotError` (its path from the tenant) for a part of a record that no
    handler can answer."""
    for index, product in enumerate(tenant.get("products") or ()):
        path = f"products[{index}]"
        check_value(THING_TYPE, product.get("attributes"), f"{path}.attributes")
        for name in ("created", "updated"):  # the thing type's creationDate (EnOS takes any)
            if name in product:
                check_value(when(name), product[name], f"{path}.{name}")
        properties = product["attributes"].get("properties")
        if properties is not None:
            where = f"{path}.attributes.properties"
            check_stored("ThingTypeProperties", properties, where, where)
    tables = tenant.get("tables") or {}
    for key, record in (tables.get("certificates") or {}).items():
        if record["status"] == PENDING and "transfer" not in record:  # ListOutgoingCertificates
            raise SnapshotError(f"tables.certificates.{key}.transfer", f"required while {PENDING}")
    for table, (field, operation) in SETTINGS.items():
        members = SHAPES[OPERATIONS[operation]["input"]]["members"]
        for key, record in (tables.get(table) or {}).items():
            settings = record.get(field) or {}
            for name, value in settings.items():
                if name in members:
                    where = f"tables.{table}.{key}.{field}.{name}"
                    check_stored(members[name]["shape"], value, where, where)
            minutes = minutes_of(record) if table != "domainConfigurations" else None
            if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
                raise SnapshotError(
                    f"tables.{table}.{key}.{field}.timeoutConfig.inProgressTimeoutInMinutes",
                    f"expected 1 to {MAX_MINUTES} minutes, got {minutes}",
                )
