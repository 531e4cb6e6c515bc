"""scriptr accounts: one tenant each, born with the built-in ``scriptr`` device holding the owner token.

Ids and tokens look like scriptr's: generated device ids are ten upper-case letters and digits
(``T7256996A7``) and a token is the base64 of ``<account key>:<identity>:<32 hex digits>``.
"""

from __future__ import annotations

import base64
import string
from typing import TYPE_CHECKING

from ...registry.directory import Directory
from . import fields, records

if TYPE_CHECKING:
    from ...cloud import FakeCloud

PROVIDER = "scriptr"
#: the device every account has; its token is the account owner's
BUILTIN = "scriptr"
#: the account a call acts in when its token is not one the fake knows (lenient and off modes)
DEFAULT_ACCOUNT = "default"
UPPER = string.ascii_uppercase
UPPER_ALNUM = string.ascii_uppercase + string.digits
HEX = "0123456789ABCDEF"


def new_device_id(cloud: FakeCloud) -> str:
    return cloud.ids.string(1, UPPER) + cloud.ids.string(9, UPPER_ALNUM)


def new_token(cloud: FakeCloud, directory: Directory, subject: str) -> str:
    raw = f"{directory.tenant.settings['accountKey']}:{subject}:{cloud.ids.secret(32, HEX)}"
    return base64.b64encode(raw.encode()).decode().rstrip("=")


def directory(cloud: FakeCloud, name: str, *, owner_token: str | None = None) -> Directory:
    """The account's directory, made (with its built-in device and owner token) on first use."""
    tenant = cloud.registry.tenant(PROVIDER, name)
    found = Directory(tenant, cloud.registry.tokens)
    if BUILTIN in tenant.keys:
        return found
    with tenant.lock:
        if BUILTIN not in tenant.keys:
            tenant.settings.setdefault("accountKey", new_device_id(cloud))
            doc = fields.empty_doc()
            doc["name"] = BUILTIN
            now = cloud.clock.ms()
            device = found.add_device(
                BUILTIN,
                lambda internal_id, key: records.new_device(internal_id, key, doc, BUILTIN, now),
                new_key=lambda: BUILTIN,
                counted=False,
            )
            found.issue_device_token(device, owner_token or new_token(cloud, found, BUILTIN))
    return found


def owner_token(found: Directory) -> str | None:
    device = found.device(BUILTIN)
    return None if device is None else found.device_token(device)
