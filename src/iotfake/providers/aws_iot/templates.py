"""Provisioning templates (RegisterThing): parse, substitute parameters, evaluate intrinsics, check.

Pure functions: no registry access. The result is a :class:`Template` of typed resource specs that
``register.py`` plans against the registry and commits all-or-nothing.

Supported, after the AWS IoT developer guide ("Provisioning templates"): ``Parameters`` (``Type``
String, optional ``Default``), ``Mappings``, ``Resources`` of type ``AWS::IoT::Thing``,
``AWS::IoT::Certificate`` and ``AWS::IoT::Policy`` with ``OverrideSettings``, and the intrinsics
``Ref``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::Sub`` and ``Fn::FindInMap``. Anything
else that looks like an intrinsic (``Fn::If``, ...) is refused by name rather than passed through.
Every refusal is an ``InvalidRequestException`` whose message starts "Invalid registration
template." as AWS's do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ... import jsonio
from ...numbers import whole_number
from .validation import Problems, validate

PREFIX = "Invalid registration template. "
THING = "AWS::IoT::Thing"
CERTIFICATE = "AWS::IoT::Certificate"
POLICY = "AWS::IoT::Policy"
RESOURCE_TYPES = (THING, CERTIFICATE, POLICY)
OVERRIDES = ("DO_NOTHING", "REPLACE", "FAIL", "MERGE")
#: OverrideSettings keys: the property names, or the upper-case names the guide also lists
THING_OVERRIDE_KEYS = {
    "AttributePayload": "AttributePayload",
    "ATTRIBUTE_PAYLOAD": "AttributePayload",
    "ThingTypeName": "ThingTypeName",
    "THING_TYPE_NAME": "ThingTypeName",
    "ThingGroups": "ThingGroups",
    "THING_GROUPS": "ThingGroups",
}
MERGEABLE = ("AttributePayload", "ThingGroups")
THING_PROPERTIES = (
    "ThingName",
    "AttributePayload",
    "ThingTypeName",
    "ThingGroups",
    "BillingGroup",
    "PackageVersions",
)
CERTIFICATE_SOURCES = ("CertificateSigningRequest", "CertificateId", "CertificatePem")
CERTIFICATE_PROPERTIES = (*CERTIFICATE_SOURCES, "CACertificatePem", "Status")
POLICY_PROPERTIES = ("PolicyName", "PolicyDocument")
INTRINSICS = ("Ref", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::FindInMap")
JSON_EXCERPT = 500
_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")


class TemplateError(Exception):
    """A template AWS would refuse; ``code`` is the AWS error to answer with."""

    def __init__(self, message: str, code: str = "InvalidRequestException") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def bad(message: str) -> TemplateError:
    return TemplateError(PREFIX + message)


@dataclass(slots=True)
class ThingSpec:
    logical_id: str
    name: str
    attributes: dict[str, str] | None = None
    thing_type: str | None = None
    groups: list[str] | None = None
    billing_group: str | None = None
    #: property -> DO_NOTHING | REPLACE | FAIL | MERGE, for a thing that already exists
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class CertificateSpec:
    logical_id: str
    csr: str | None = None
    certificate_id: str | None = None
    pem: str | None = None
    ca_pem: str | None = None
    status: str = "ACTIVE"
    #: what to do with ``status`` when the certificate exists already
    status_override: str = "REPLACE"


@dataclass(slots=True)
class PolicySpec:
    logical_id: str
    name: str | None = None
    document: str | None = None


@dataclass(slots=True)
class Template:
    thing: ThingSpec | None = None
    certificate: CertificateSpec | None = None
    policies: list[PolicySpec] = field(default_factory=list)
    #: the resolved DeviceConfiguration section (fleet provisioning), if any
    device_configuration: dict[str, Any] | None = None


# -- parsing ---------------------------------------------------------------------------------------
def parse(body: str) -> dict[str, Any]:
    """The template as JSON, with Jackson-style errors for text that is not."""
    try:
        document = jsonio.loads(body, what="the template")
    except jsonio.JSONInputError as exc:
        syntax = exc.syntax
        if syntax is None:
            raise bad(f"Template format error: JSON not well-formed ({exc})") from None
        excerpt = body if len(body) <= JSON_EXCERPT else body[:JSON_EXCERPT]
        truncated = "" if len(body) <= JSON_EXCERPT else f"[truncated {len(body) - JSON_EXCERPT} chars]"
        raise bad(
            f'Template format error: JSON not well-formed with location of [Source: (String)"{excerpt}"'
            f"{truncated}; line: {syntax.lineno}, column: {syntax.colno}] ({syntax.msg})"
        ) from None
    if not isinstance(document, dict):
        raise bad("Template format error: the template must be a JSON object")
    return document


# -- evaluation ------------------------------------------------------------------------------------
def evaluate(body: str, parameters: dict[str, str], builtins: dict[str, str] | None = None) -> Template:
    """The template with ``parameters`` substituted. ``builtins`` are the values AWS IoT supplies
    itself (``AWS::IoT::Certificate::Id`` in fleet provisioning, the certificate's subject fields
    in JITP): they win over a parameter of the same name and need no declaration."""
    document = parse(body)
    given = {**parameters, **(builtins or {})}
    values = _parameters(document.get("Parameters"), given)
    if builtins:
        values = {**builtins, **values}
    mappings = _mappings(document.get("Mappings"))
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise bad("Template format error: the Resources section is required and must be a non-empty object")
    scope = _Scope(values, mappings)
    template = Template()
    for logical_id, raw in resources.items():
        path = f"Resources.{logical_id}"
        if not isinstance(raw, dict):
            raise bad(f"{path} must be an object with Type and Properties")
        kind = raw.get("Type")
        if kind not in RESOURCE_TYPES:
            raise bad(f"{path}.Type {kind!r} is not supported; use one of {', '.join(RESOURCE_TYPES)}")
        properties = scope.resolve(raw.get("Properties", {}), f"{path}.Properties")
        if not isinstance(properties, dict):
            raise bad(f"{path}.Properties must be an object")
        overrides = scope.resolve(raw.get("OverrideSettings", {}), f"{path}.OverrideSettings")
        if not isinstance(overrides, dict):
            raise bad(f"{path}.OverrideSettings must be an object")
        if kind == THING:
            if template.thing is not None:
                raise bad(f"{path}: a template can declare only one {THING} resource")
            template.thing = _thing(logical_id, properties, overrides, path)
        elif kind == CERTIFICATE:
            if template.certificate is not None:
                raise bad(f"{path}: a template can declare only one {CERTIFICATE} resource")
            template.certificate = _certificate(logical_id, properties, overrides, path)
        else:
            if overrides:
                raise bad(f"{path}: OverrideSettings are not available for policy resources")
            template.policies.append(_policy(logical_id, properties, path))
    if "DeviceConfiguration" in document:
        config = scope.resolve(document["DeviceConfiguration"], "DeviceConfiguration")
        template.device_configuration = config if isinstance(config, dict) else None
    return template


def check(body: str) -> None:
    """What a stored template (CreateProvisioningTemplate, a new version) can be checked for
    before any device sends its parameters: JSON, the Parameters and Mappings sections, each
    resource's type, property names and OverrideSettings, one thing and one certificate at most,
    intrinsic function names, and ``Ref`` naming a declared parameter (or one AWS IoT supplies,
    ``AWS::...``). Values that come from parameters are checked when the template is used."""
    document = parse(body)
    section = document.get("Parameters")
    declared = list(section) if isinstance(section, dict) else []
    _parameters(section, {name: "" for name in declared})
    for name in declared:
        default = section[name].get("Default", "")  # type: ignore[index]
        if not isinstance(default, str):
            raise bad(f"Parameters.{name}.Default must be a string")
    _mappings(document.get("Mappings"))
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise bad("Template format error: the Resources section is required and must be a non-empty object")
    seen: dict[str, str] = {}
    for logical_id, raw in resources.items():
        path = f"Resources.{logical_id}"
        if not isinstance(raw, dict):
            raise bad(f"{path} must be an object with Type and Properties")
        kind = raw.get("Type")
        if kind not in RESOURCE_TYPES:
            raise bad(f"{path}.Type {kind!r} is not supported; use one of {', '.join(RESOURCE_TYPES)}")
        if kind != POLICY and kind in seen:
            raise bad(f"{path}: a template can declare only one {kind} resource")
        seen[kind] = logical_id
        properties = raw.get("Properties", {})
        if not isinstance(properties, dict):
            raise bad(f"{path}.Properties must be an object")
        known = {THING: THING_PROPERTIES, CERTIFICATE: CERTIFICATE_PROPERTIES, POLICY: POLICY_PROPERTIES}
        _unknown(properties, known[kind], path)
        _check_overrides(kind, raw.get("OverrideSettings", {}), path)
    _check_device_configuration(document.get("DeviceConfiguration"))
    sections = {"Resources": resources, "DeviceConfiguration": document.get("DeviceConfiguration")}
    _check_intrinsics(sections, set(declared), "")


def _check_device_configuration(section: Any) -> None:
    """Fleet provisioning's DeviceConfiguration: names and flat values. The guide ("Provisioning
    templates"): "The DeviceConfiguration section doesn't support nested JSON objects" (the
    device SDKs read the answer's ``deviceConfiguration`` as a map of strings). A value may be an
    intrinsic function, an object of one ``Ref``/``Fn::`` key, as in the guide's own example.
    [I]: the guide does not say where AWS refuses a nested object; the fake refuses it when the
    template is stored, so no device meets it."""
    if section is None:
        return
    if not isinstance(section, dict):
        raise bad("DeviceConfiguration must be a JSON object of names and values")
    for name, value in section.items():
        if isinstance(value, dict) and not _intrinsic(value):
            raise bad(
                f"DeviceConfiguration.{name}: the DeviceConfiguration section doesn't support nested "
                "JSON objects; a value is a string or an intrinsic function (Ref, Fn::Join, ...)"
            )


def _intrinsic(node: dict[str, Any]) -> bool:
    """Whether an object is an intrinsic function call (one key: ``Ref`` or ``Fn::...``)."""
    if len(node) != 1:
        return False
    (key,) = node
    return key == "Ref" or key.startswith("Fn::")  # an unknown Fn:: is refused by name later


def _check_overrides(kind: str, overrides: Any, path: str) -> None:
    if not isinstance(overrides, dict):
        raise bad(f"{path}.OverrideSettings must be an object")
    if overrides and kind == POLICY:
        raise bad(f"{path}: OverrideSettings are not available for policy resources")
    for key, action in overrides.items():
        if kind == THING and key not in THING_OVERRIDE_KEYS:
            raise bad(
                f"{path}.OverrideSettings: {key} cannot be overridden; "
                "use AttributePayload, ThingTypeName or ThingGroups"
            )
        if kind == CERTIFICATE and key != "Status":
            raise bad(f"{path}.OverrideSettings: only Status can be overridden on a certificate, not {key}")
        if isinstance(action, str) and action not in OVERRIDES:
            raise bad(f"{path}.OverrideSettings.{key} must be one of {', '.join(OVERRIDES)}")


def _check_intrinsics(node: Any, declared: set[str], path: str) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_intrinsics(item, declared, f"{path}[{index}]")
        return
    if not isinstance(node, dict):
        return
    if len(node) == 1:
        ((key, argument),) = node.items()
        if key.startswith("Fn::") and key not in INTRINSICS:
            raise bad(
                f"{path}: intrinsic function {key} is not supported; use one of {', '.join(INTRINSICS)}"
            )
        pseudo = isinstance(argument, str) and argument.startswith("AWS::")
        if key == "Ref" and isinstance(argument, str) and argument not in declared and not pseudo:
            raise bad(f"{path}.Ref: {argument} is not declared in the Parameters section")
    for key, value in node.items():
        _check_intrinsics(value, declared, f"{path}.{key}" if path else key)


def _parameters(section: Any, given: dict[str, str]) -> dict[str, str]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise bad("Template format error: the Parameters section must be an object")
    values: dict[str, str] = {}
    for name, declaration in section.items():
        path = f"Parameters.{name}"
        if not isinstance(declaration, dict):
            raise bad(f"{path} must be an object with a Type")
        kind = declaration.get("Type")
        if kind != "String":
            raise bad(f"{path}.Type must be String, not {kind!r}")
        if name in given:
            values[name] = given[name]
        elif "Default" in declaration:
            default = declaration["Default"]
            if not isinstance(default, str):
                raise bad(f"{path}.Default must be a string")
            values[name] = default
        else:
            raise bad(f"Parameter {name} has no value: pass it in parameters or give it a Default")
    return values


def _mappings(section: Any) -> dict[str, dict[str, dict[str, Any]]]:
    if section is None:
        return {}
    if not isinstance(section, dict) or not all(
        isinstance(top, dict) and all(isinstance(second, dict) for second in top.values())
        for top in section.values()
    ):
        raise bad("Template format error: Mappings must map names to two levels of objects")
    return section


class _Scope:
    def __init__(self, parameters: dict[str, str], mappings: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.parameters = parameters
        self.mappings = mappings

    def resolve(self, node: Any, path: str) -> Any:
        if isinstance(node, list):
            return [self.resolve(item, f"{path}[{i}]") for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key in INTRINSICS:
                return getattr(self, _METHODS[key])(argument, f"{path}.{key}")
            if key.startswith("Fn::"):
                raise bad(
                    f"{path}: intrinsic function {key} is not supported; use one of {', '.join(INTRINSICS)}"
                )
        return {key: self.resolve(value, f"{path}.{key}") for key, value in node.items()}

    def string(self, node: Any, path: str) -> str:
        value = self.resolve(node, path)
        if not isinstance(value, str):
            raise bad(f"{path} must evaluate to a string")
        return value

    def ref(self, argument: Any, path: str) -> str:
        if not isinstance(argument, str):
            raise bad(f"{path} takes a parameter name")
        if argument not in self.parameters:
            raise bad(f"{path}: {argument} is not declared in the Parameters section")
        return self.parameters[argument]

    def join(self, argument: Any, path: str) -> str:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            raise bad(f"{path} takes [delimiter, [values]]")
        items = self.resolve(argument[1], f"{path}[1]")
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise bad(f"{path}[1] must evaluate to a list of strings")
        _fits(sum(map(len, items)) + len(argument[0]) * max(len(items) - 1, 0), path)
        return argument[0].join(items)

    def select(self, argument: Any, path: str) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise bad(f"{path} takes [index, [values]]")
        index = self.resolve(argument[0], f"{path}[0]")
        if isinstance(index, str):
            index = whole_number(index)
        if isinstance(index, bool) or not isinstance(index, int):
            raise bad(f"{path}[0] must be an index (a number)")
        items = self.resolve(argument[1], f"{path}[1]")
        if not isinstance(items, list):
            raise bad(f"{path}[1] must evaluate to a list")
        if not 0 <= index < len(items):
            raise bad(f"{path}: index {index} is out of bounds for a list of {len(items)}")
        if items[index] is None:
            raise bad(f"{path}: the selected value is null")
        return items[index]

    def split(self, argument: Any, path: str) -> list[str]:
        if not (
            isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str) and argument[0]
        ):
            raise bad(f"{path} takes [delimiter, string] with a non-empty delimiter")
        return self.string(argument[1], f"{path}[1]").split(argument[0])

    def sub(self, argument: Any, path: str) -> str:
        variables: dict[str, Any] = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                raise bad(f"{path} takes a string or [string, {{variables}}]")
            text = argument[0]
            variables = {k: self.string(v, f"{path}[1].{k}") for k, v in argument[1].items()}
        else:
            text = argument
        if not isinstance(text, str):
            raise bad(f"{path} needs a string to substitute into")

        grown = [len(text)]  # the result's length so far, checked as it grows, not once made

        def replace(match: re.Match[str]) -> str:
            literal, name = match.group(1), match.group(2)
            if literal:
                value = "${" + name + "}"
            elif name in variables:
                value = variables[name]
            elif name in self.parameters:
                value = self.parameters[name]
            else:
                raise bad(f"{path}: ${{{name}}} is neither a variable nor a declared parameter")
            grown[0] += len(value) - len(match.group(0))
            _fits(grown[0], path)
            return value

        return _SUB_VARIABLE.sub(replace, text)

    def find_in_map(self, argument: Any, path: str) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            raise bad(f"{path} takes [MapName, TopLevelKey, SecondLevelKey]")
        name, top, second = (self.string(a, f"{path}[{i}]") for i, a in enumerate(argument))
        try:
            return self.mappings[name][top][second]
        except KeyError:
            raise bad(f"{path}: Mappings has no value at {name}.{top}.{second}") from None


#: the most characters one intrinsic may evaluate to: far past any name, attribute or policy a
#: template makes (a template body is at most 10 KB), and a bound on what nesting multiplies
#: (``Fn::Sub`` of fifty ``${v}`` nested four deep asked for 6 GB, and its error echoed it)
MAX_VALUE = 16_384


def _fits(length: int, path: str) -> None:
    if length > MAX_VALUE:
        raise bad(f"{path} evaluates to more than {MAX_VALUE} characters")


_METHODS = {
    "Ref": "ref",
    "Fn::Join": "join",
    "Fn::Select": "select",
    "Fn::Split": "split",
    "Fn::Sub": "sub",
    "Fn::FindInMap": "find_in_map",
}


# -- resources -------------------------------------------------------------------------------------
def _check(shape: str, value: Any, path: str) -> None:
    problems = Problems()
    validate(shape, value, path, problems)
    if problems:
        raise bad(problems.message())


def _unknown(properties: dict[str, Any], known: tuple[str, ...], path: str) -> None:
    unknown = sorted(set(properties) - set(known))
    if unknown:
        raise bad(f"{path}.Properties: unknown properties {', '.join(unknown)}; expected {', '.join(known)}")


def _string(properties: dict[str, Any], key: str, path: str) -> str | None:
    value = properties.get(key)
    if value is not None and not isinstance(value, str):
        raise bad(f"{path}.Properties.{key} must be a string")
    return value


def _thing(logical_id: str, properties: dict[str, Any], overrides: dict[str, Any], path: str) -> ThingSpec:
    _unknown(properties, THING_PROPERTIES, path)
    name = _string(properties, "ThingName", path)
    if name is None:
        raise bad(f"{path}.Properties.ThingName is required")
    _check("ThingName", name, f"{path}.Properties.ThingName")
    spec = ThingSpec(logical_id, name)
    attributes = properties.get("AttributePayload")
    if attributes is not None:
        if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
            raise bad(f"{path}.Properties.AttributePayload must map attribute names to strings")
        _check("Attributes", attributes, f"{path}.Properties.AttributePayload")
        spec.attributes = dict(attributes)
    spec.thing_type = _string(properties, "ThingTypeName", path)
    if spec.thing_type is not None:
        _check("ThingTypeName", spec.thing_type, f"{path}.Properties.ThingTypeName")
    groups = properties.get("ThingGroups")
    if groups is not None:
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise bad(f"{path}.Properties.ThingGroups must be a list of thing group names")
        for index, group in enumerate(groups):
            _check("ThingGroupName", group, f"{path}.Properties.ThingGroups[{index}]")
        spec.groups = list(dict.fromkeys(groups))
    spec.billing_group = _string(properties, "BillingGroup", path)
    if spec.billing_group is not None:
        _check("BillingGroupName", spec.billing_group, f"{path}.Properties.BillingGroup")
    for key, action in overrides.items():
        target = THING_OVERRIDE_KEYS.get(key)
        if target is None:
            raise bad(
                f"{path}.OverrideSettings: {key} cannot be overridden; "
                "use AttributePayload, ThingTypeName or ThingGroups"
            )
        if action not in OVERRIDES:
            raise bad(f"{path}.OverrideSettings.{key} must be one of {', '.join(OVERRIDES)}")
        if action == "MERGE" and target not in MERGEABLE:
            raise bad(
                f"{path}.OverrideSettings.{key}: MERGE is valid only for AttributePayload and ThingGroups"
            )
        spec.overrides[target] = action
    return spec


def _certificate(
    logical_id: str, properties: dict[str, Any], overrides: dict[str, Any], path: str
) -> CertificateSpec:
    _unknown(properties, CERTIFICATE_PROPERTIES, path)
    sources = [key for key in CERTIFICATE_SOURCES if properties.get(key) is not None]
    if not sources:
        raise bad(f"{path}: a certificate needs one of {', '.join(CERTIFICATE_SOURCES)}")
    if len(sources) > 1:
        raise bad(f"{path}: {' and '.join(sources)} are both present; a certificate takes only one of them")
    spec = CertificateSpec(logical_id)
    spec.csr = _string(properties, "CertificateSigningRequest", path)
    spec.certificate_id = _string(properties, "CertificateId", path)
    spec.pem = _string(properties, "CertificatePem", path)
    spec.ca_pem = _string(properties, "CACertificatePem", path)
    if spec.ca_pem is not None and spec.pem is None:
        raise bad(f"{path}: CACertificatePem goes only with CertificatePem")
    if spec.csr is not None:
        _check("CertificateSigningRequest", spec.csr, f"{path}.Properties.CertificateSigningRequest")
    if spec.certificate_id is not None:
        _check("CertificateId", spec.certificate_id, f"{path}.Properties.CertificateId")
        spec.certificate_id = spec.certificate_id.lower().removeprefix("0x")
    if spec.pem is not None:
        _check("CertificatePem", spec.pem, f"{path}.Properties.CertificatePem")
    status = _string(properties, "Status", path)
    if status is not None:
        if status.upper() not in ("ACTIVE", "INACTIVE"):
            raise bad(f"{path}.Properties.Status must be ACTIVE or INACTIVE, not {status!r}")
        spec.status = status.upper()
    for key, action in overrides.items():
        if key != "Status":
            raise bad(f"{path}.OverrideSettings: only Status can be overridden on a certificate, not {key}")
        if action not in ("DO_NOTHING", "REPLACE", "FAIL"):
            raise bad(f"{path}.OverrideSettings.Status must be DO_NOTHING, REPLACE or FAIL")
        spec.status_override = action
    return spec


def _policy(logical_id: str, properties: dict[str, Any], path: str) -> PolicySpec:
    _unknown(properties, POLICY_PROPERTIES, path)
    name, document = properties.get("PolicyName"), properties.get("PolicyDocument")
    if name is None and document is None:
        raise bad("Neither policyName nor policyDocument is present in the Template.")
    if name is not None and document is not None:
        raise bad("Both policyName and policyDocument are present in the Template; give only one.")
    spec = PolicySpec(logical_id)
    if name is not None:
        if not isinstance(name, str):
            raise bad(f"{path}.Properties.PolicyName must be a string")
        _check("PolicyName", name, f"{path}.Properties.PolicyName")
        spec.name = name
    else:
        if isinstance(document, dict):
            document = json.dumps(document, separators=(",", ":"))
        if not isinstance(document, str):
            raise bad(f"{path}.Properties.PolicyDocument must be a JSON object or a string holding one")
        spec.document = document
    return spec
