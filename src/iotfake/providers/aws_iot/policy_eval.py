"""IoT policy evaluation: may this connection do ``iot:Connect`` / ``Publish`` / ``Subscribe`` /
``Receive`` on that resource? What the MQTT side asks before every packet it lets through.

The rules are the developer guide's ("AWS IoT Core policies", "Policy variables", "Thing policy
variables"): the policies that count are those attached to the certificate and to the thing
groups (and their ancestors) of the thing the connection is; an explicit Deny wins, else an Allow
that matches, else denied. Actions and resources match case-sensitively on resources and
case-insensitively on action names, with ``*`` and ``?`` wildcards; ``+`` and ``#`` in a policy
are literal characters, as AWS says. Resources are ``arn:aws:iot:<region>:<account>:client/<id>``
for Connect, ``…:topic/<topic>`` for Publish and Receive, ``…:topicfilter/<filter>`` for Subscribe.

Policy variables: ``${iot:ClientId}``, ``${iot:Connection.Thing.ThingName}``,
``${iot:Connection.Thing.ThingTypeName}``, ``${iot:Connection.Thing.Attributes[name]}``,
``${iot:Connection.Thing.IsAttached}``, ``${iot:Certificate.Subject.<Field>}`` and
``${iot:Certificate.Issuer.<Field>}`` (CommonName, Country, Organization, OrganizationalUnit, State,
Locality, SerialNumber…), ``${iot:Certificate.SerialNumber}``, ``${iot:Certificate.FingerPrint}``.
The connection's thing is the attached thing named by the client id, or the certificate's one
exclusively attached thing (the guide: with non-exclusive association the client id must be the
thing name). A variable that cannot be resolved makes its element match nothing (the guide:
"this variable won't be resolved and will result in an access denied error").

Conditions: ``StringEquals``, ``StringNotEquals``, ``StringLike``, ``StringNotLike``,
``StringEqualsIgnoreCase``, ``Bool``, ``ArnEquals``, ``ArnLike`` over policy variables, each value
list any-of, every key all-of. [I]: a condition operator the fake does not know makes its
statement not apply (so an Allow grants nothing), and says which in the verdict.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.x509.oid import NameOID

from ...registry import Tenant
from ...registry.credentials import Credentials
from ...registry.groups import Groups
from ...registry.kinds import CERTIFICATES, EXCLUSIVE_PRINCIPALS
from ...wildcards import Glob, glob
from . import arns, pki

ACTIONS = ("iot:Connect", "iot:Publish", "iot:Subscribe", "iot:Receive", "iot:RetainPublish")
RESOURCE_TYPES = {
    "iot:Connect": "client",
    "iot:Publish": "topic",
    "iot:Receive": "topic",
    "iot:RetainPublish": "topic",
    "iot:Subscribe": "topicfilter",
}
NAME_FIELDS = {
    "CommonName": NameOID.COMMON_NAME,
    "Country": NameOID.COUNTRY_NAME,
    "Organization": NameOID.ORGANIZATION_NAME,
    "OrganizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "State": NameOID.STATE_OR_PROVINCE_NAME,
    "Locality": NameOID.LOCALITY_NAME,
    "SerialNumber": NameOID.SERIAL_NUMBER,
    "Title": NameOID.TITLE,
    "Surname": NameOID.SURNAME,
    "GivenName": NameOID.GIVEN_NAME,
    "Initials": NameOID.INITIALS,
    "Pseudonym": NameOID.PSEUDONYM,
    "GenerationQualifier": NameOID.GENERATION_QUALIFIER,
    "DistinguishedNameQualifier": NameOID.DN_QUALIFIER,
}
VARIABLE = re.compile(r"\$\{([^}]*)\}")
CONDITIONS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLike",
        "StringEqualsIgnoreCase",
        "Bool",
        "ArnEquals",
        "ArnLike",
    }
)


class Unresolved(Exception):
    """A policy variable with no value for this connection."""


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    #: the policy and statement index that decided (None: nothing matched, the default deny)
    policy: str | None = None
    statement: int | None = None
    reason: str = ""


@dataclass
class Connection:
    """What policies are evaluated against: a connected (or connecting) device."""

    tenant: Tenant
    certificate_id: str
    client_id: str
    thing: str | None = None
    variables: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, tenant: Tenant, certificate_id: str, client_id: str) -> Connection:
        principal = arns.certificate(tenant.id, certificate_id)
        with tenant.lock:
            things = Credentials(tenant).principals.lefts(principal)
            exclusive = tenant.table(EXCLUSIVE_PRINCIPALS).get(principal)
            record = tenant.table(CERTIFICATES).get(certificate_id)
        thing = client_id if client_id in things else exclusive
        variables = {
            "iot:ClientId": client_id,
            "iot:Connection.Thing.IsAttached": str(thing is not None).lower(),
        }
        if thing is not None:
            device = tenant.keys.get(thing)
            variables["iot:Connection.Thing.ThingName"] = thing
            if device is not None:
                if device.product:
                    variables["iot:Connection.Thing.ThingTypeName"] = device.product
                for name, value in (device.attributes or {}).items():
                    variables[f"iot:Connection.Thing.Attributes[{name}]"] = str(value)
        if record is not None:
            variables.update(_certificate_variables(record["pem"]))
        return cls(tenant, certificate_id, client_id, thing, variables)


@lru_cache(maxsize=1024)
def _certificate_variables(pem: str) -> dict[str, str]:
    try:
        cert = pki.load_certificate(pem)
    except pki.CertificateError:
        return {}
    out = {
        "iot:Certificate.SerialNumber": str(cert.serial_number),
        "iot:Certificate.FingerPrint": pki.certificate_id(cert),
    }
    for side, name in (("Subject", cert.subject), ("Issuer", cert.issuer)):
        for label, oid in NAME_FIELDS.items():
            found = name.get_attributes_for_oid(oid)
            if found:
                out[f"iot:Certificate.{side}.{label}"] = str(found[0].value)
    return out


def resource(tenant: Tenant, action: str, target: str) -> str:
    """The resource ARN an action acts on (``target``: client id, topic or topic filter)."""
    return arns.arn(tenant.id, f"{RESOURCE_TYPES[action]}/{target}")


def policies_for(connection: Connection) -> list[tuple[str, str]]:
    """``(name, document)`` of every policy that counts: the certificate's, then the groups'."""
    tenant = connection.tenant
    targets = [arns.certificate(tenant.id, connection.certificate_id)]
    if connection.thing is not None:
        targets.extend(group_targets(tenant, connection.thing))
    return attached(tenant, targets)


def group_targets(tenant: Tenant, thing: str) -> list[str]:
    """The ARNs of the groups ``thing`` is in and of their ancestors ("child groups inherit
    policies attached to their parent groups"), each once, a group before its ancestors."""
    groups = Groups(tenant)
    names: list[str] = []
    for group in groups.groups_of(thing):
        names.extend([group, *groups.ancestors(group)])
    return [arns.thing_group(tenant.id, g) for g in dict.fromkeys(names)]


def attached(tenant: Tenant, targets: list[str]) -> list[tuple[str, str]]:
    """``(name, document)`` of the policies attached to any of ``targets``, each once, in the
    order of the targets and then of attachment."""
    found: dict[str, str] = {}
    credentials = Credentials(tenant)
    with tenant.lock:
        table = credentials.policies()
        for target in targets:
            for name in credentials.targets.lefts(target):
                if name in table:
                    found.setdefault(name, table[name]["document"])
    return list(found.items())


def authorize(connection: Connection, action: str, target: str) -> Verdict:
    """Whether ``connection`` may do ``action`` on ``target`` (client id, topic or filter)."""
    wanted = resource(connection.tenant, action, target)
    allow: Verdict | None = None
    skipped: list[str] = []
    for name, document in policies_for(connection):
        for index, statement in enumerate(_parsed(document)):
            applies = _applies(statement, action, wanted, connection.variables, skipped)
            if not applies:
                continue
            if statement.get("Effect") == "Deny":
                return Verdict(False, name, index, f"denied by policy {name} statement {index}")
            if statement.get("Effect") == "Allow" and allow is None:
                allow = Verdict(True, name, index, f"allowed by policy {name} statement {index}")
    if allow is not None:
        return allow
    reason = f"no policy allows {action} on {wanted}"
    if skipped:
        reason += f" (conditions the fake does not evaluate: {', '.join(sorted(set(skipped)))})"
    return Verdict(False, reason=reason)


@dataclass(frozen=True, slots=True)
class Explained:
    """What each policy says of one action on one resource, as TestAuthorization reports it."""

    #: policies with a statement that allows it, that denies it, that says nothing of it
    allowing: tuple[str, ...]
    denying: tuple[str, ...]
    silent: tuple[str, ...]
    #: policy variables a statement naming the action needed and the connection lacks
    missing: tuple[str, ...]

    @property
    def decision(self) -> str:
        """AWS's ``authDecision``: an explicit deny wins, then an allow, else the default deny."""
        return "EXPLICIT_DENY" if self.denying else "ALLOWED" if self.allowing else "IMPLICIT_DENY"


def explain(
    policies: list[tuple[str, str]], action: str, wanted: str, variables: dict[str, str]
) -> Explained:
    """``authorize``'s evaluation of ``action`` on the resource ARN ``wanted``, policy by policy,
    with the variables that could not be resolved (statements whose action matches only)."""
    allowing: list[str] = []
    denying: list[str] = []
    silent: list[str] = []
    missing: dict[str, None] = {}
    for name, document in policies:
        effects = set()
        for statement in _parsed(document):
            if not any(_glob(a.lower()).matches(action.lower()) for a in _listed(statement.get("Action"))):
                continue
            missing.update(dict.fromkeys(v for v in _needed(statement) if v not in variables))
            if _applies(statement, action, wanted, variables, []):
                effects.add(statement.get("Effect"))
        bucket = denying if "Deny" in effects else allowing if "Allow" in effects else silent
        bucket.append(name)
    return Explained(tuple(allowing), tuple(denying), tuple(silent), tuple(missing))


def _needed(statement: dict[str, Any]) -> list[str]:
    """The context values a statement reads: variables in its resources and condition values,
    and its condition keys."""
    texts = _listed(statement.get("Resource"))
    keys: list[str] = []
    block = statement.get("Condition")
    for tests in block.values() if isinstance(block, dict) else ():
        if isinstance(tests, dict):
            keys.extend(str(key) for key in tests)
            texts.extend(text for value in tests.values() for text in _listed(value))
    return [name for text in texts for name in VARIABLE.findall(text)] + keys


@lru_cache(maxsize=1024)
def _parsed(document: str) -> tuple[dict[str, Any], ...]:
    try:
        parsed = json.loads(document)
    except ValueError:
        return ()
    statements = parsed.get("Statement") if isinstance(parsed, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return tuple(s for s in statements or () if isinstance(s, dict))


def _listed(value: Any) -> list[str]:
    """A policy element's values as text: one or a list; a number or a boolean as its JSON
    spelling, as IAM compares them (``{"iot:ClientId": 5}`` raised TypeError on every check
    of a stored policy); anything else matches nothing."""
    items = value if isinstance(value, list) else [value]
    return [text for text in map(_text, items) if text is not None]


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and math.isfinite(value):
        return json.dumps(value)
    return None


def _applies(
    statement: dict[str, Any], action: str, wanted: str, variables: dict[str, str], skipped: list[str]
) -> bool:
    if not any(_glob(a.lower()).matches(action.lower()) for a in _listed(statement.get("Action"))):
        return False
    if not any(_matches(pattern, wanted, variables) for pattern in _listed(statement.get("Resource"))):
        return False
    return _conditions(statement.get("Condition") or {}, variables, skipped)


def _matches(pattern: str, value: str, variables: dict[str, str]) -> bool:
    try:
        pattern = _substitute(pattern, variables)
    except Unresolved:
        return False
    return _glob(pattern).matches(value)


#: the special characters a policy writes to mean a literal ``*``, ``?`` or ``$`` (IAM's ``${*}``
#: form, and ``$(*)`` as AWS IoT's policy-variables page writes them), held as private-use
#: characters until matching so that they never act as wildcards
SPECIAL = re.compile(r"\$\{([*?$])\}|\$\(([*?$])\)")
_LITERAL = {"*": "\ue000", "?": "\ue001", "$": "\ue002"}
_PLAIN = {held: char for char, held in _LITERAL.items()}


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> Glob:
    """``*`` and ``?`` as wildcards, everything else (``+``, ``#``, ``[``, a special character)
    literal; matched in linear time (``wildcards``: a regular expression of ``*a*a*a*a*a*b``
    took minutes against a long topic, and held the GIL meanwhile)."""
    return glob(pattern, lambda c: _PLAIN.get(c, c))


def _substitute(text: str, variables: dict[str, str]) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in variables:
            raise Unresolved(name)
        return variables[name]

    text = SPECIAL.sub(lambda found: _LITERAL[found.group(1) or found.group(2)], text)
    return VARIABLE.sub(value, text)


def _plain(text: str) -> str:
    """A substituted value with its special characters as the characters they stand for."""
    return "".join(_PLAIN.get(c, c) for c in text) if any(c in _PLAIN for c in text) else text


def _conditions(block: Any, variables: dict[str, str], skipped: list[str]) -> bool:
    if not isinstance(block, dict):
        return False
    for operator, tests in block.items():
        if operator not in CONDITIONS or not isinstance(tests, dict):
            skipped.append(str(operator))
            return False
        for key, expected in tests.items():
            actual = variables.get(key)
            values = _listed(expected)
            if not _condition(operator, actual, values, variables):
                return False
    return True


def _condition(operator: str, actual: str | None, values: list[str], variables: dict[str, str]) -> bool:
    negated = operator in ("StringNotEquals", "StringNotLike")
    if actual is None:
        return negated
    try:
        resolved = [_substitute(v, variables) for v in values]
    except Unresolved:
        return False
    if operator in ("StringEquals", "StringNotEquals", "ArnEquals"):
        hit = actual in (_plain(v) for v in resolved)
    elif operator in ("StringEqualsIgnoreCase", "Bool"):
        hit = actual.lower() in (_plain(v).lower() for v in resolved)
    else:  # StringLike, StringNotLike, ArnLike
        hit = any(_glob(v).matches(actual) for v in resolved)
    return not hit if negated else hit
