#!/usr/bin/env python3
"""Write ``src/iotfake/providers/aws_iot/routes_generated.py`` from botocore's ``iot`` model.

The fake routes and validates AWS IoT requests from the service model itself, so that a route,
a status code or a field rule can never be typed in by hand and drift from what clients send.
botocore is needed only here (and in the test that re-runs this in memory); the generated module
is plain data.

    python scripts/gen_aws_routes.py           # rewrite the module
    python scripts/gen_aws_routes.py --check   # exit 1 if the checked-in module is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

SERVICE = "iot"
API_VERSION = "2015-05-28"
TARGET = Path(__file__).resolve().parents[1] / "src/iotfake/providers/aws_iot/routes_generated.py"

#: operations the fake implements; their input and output shapes are written out in full
SERVED = (
    "AddThingToThingGroup",
    "AttachPolicy",
    "AttachThingPrincipal",
    "CreateCertificateFromCsr",
    "CreateKeysAndCertificate",
    "CreatePolicy",
    "CreateThing",
    "CreateThingGroup",
    "CreateThingType",
    "DeleteCertificate",
    "DeletePolicy",
    "DeleteThing",
    "DeleteThingGroup",
    "DeleteThingType",
    "DeprecateThingType",
    "DescribeCertificate",
    "DescribeEndpoint",
    "DescribeThing",
    "DescribeThingGroup",
    "DescribeThingType",
    "DetachPolicy",
    "DetachThingPrincipal",
    "GetPolicy",
    "ListAttachedPolicies",
    "ListCertificates",
    "ListPolicies",
    "ListPrincipalThings",
    "ListTargetsForPolicy",
    "ListThingGroups",
    "ListThingGroupsForThing",
    "ListThingPrincipals",
    "ListThingTypes",
    "ListThings",
    "ListThingsInThingGroup",
    "RegisterThing",
    "RemoveThingFromThingGroup",
    "UpdateCertificate",
    "UpdateThing",
)

#: shape keys that matter on the wire (documentation and the like are dropped)
SHAPE_KEYS = ("type", "min", "max", "pattern", "enum", "required", "timestampFormat", "jsonvalue")
MEMBER_KEYS = ("shape", "location", "locationName", "jsonvalue", "idempotencyToken")

LABEL = re.compile(r"\{([A-Za-z0-9_]+)(\+?)\}")


def load_model() -> dict[str, Any]:
    from botocore.loaders import Loader

    return Loader().load_service_model(SERVICE, "service-2", api_version=API_VERSION)


def split_uri(uri: str) -> tuple[str, dict[str, str]]:
    """``/a/{b}?c&d=1`` -> (``/a/{b}``, ``{"c": "", "d": "1"}``): literal query parts of a route."""
    path, _, query = uri.partition("?")
    fixed: dict[str, str] = {}
    for part in filter(None, query.split("&")):
        key, _, value = part.partition("=")
        fixed[key] = value
    return path, fixed


def werkzeug_rule(path: str, labels: dict[str, dict[str, Any]]) -> str:
    """``{name}`` -> ``<name>``, ``{name+}`` -> ``<path:name>``.

    A string label in the last segment also becomes ``<path:...>``: botocore sends a ``/`` in it
    as ``%2F``, which WSGI decodes before routing, so an ARN (``/attached-policies/{target}``)
    would not route and a bad name (``a/b``) would miss its operation instead of failing the
    operation's own validation. werkzeug still prefers the longer static routes.
    """

    def convert(match: re.Match[str]) -> str:
        name, greedy = match.group(1), match.group(2)
        if greedy:
            return f"<path:{name}>"
        shape = labels.get(name) or {}
        last = path.endswith(match.group(0))
        if last and shape.get("type") == "string":
            return f"<path:{name}>"
        return f"<{name}>"

    return LABEL.sub(convert, path)


def compact_shape(shape: dict[str, Any]) -> dict[str, Any]:
    out = {k: shape[k] for k in SHAPE_KEYS if k in shape}
    if "required" in out:
        out["required"] = tuple(out["required"])
    if "enum" in out:
        out["enum"] = tuple(out["enum"])
    kind = shape["type"]
    if kind == "structure":
        out["members"] = {
            name: {k: member[k] for k in MEMBER_KEYS if k in member}
            for name, member in shape.get("members", {}).items()
        }
    elif kind == "list":
        out["member"] = shape["member"]["shape"]
    elif kind == "map":
        out["key"] = shape["key"]["shape"]
        out["value"] = shape["value"]["shape"]
    return out


def closure(model: dict[str, Any], roots: list[str]) -> dict[str, dict[str, Any]]:
    shapes = model["shapes"]
    seen: dict[str, dict[str, Any]] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        shape = shapes[name]
        seen[name] = compact_shape(shape)
        if shape["type"] == "structure":
            stack.extend(m["shape"] for m in shape.get("members", {}).values())
        elif shape["type"] == "list":
            stack.append(shape["member"]["shape"])
        elif shape["type"] == "map":
            stack.extend((shape["key"]["shape"], shape["value"]["shape"]))
    return dict(sorted(seen.items()))


def build(model: dict[str, Any]) -> dict[str, Any]:
    shapes = model["shapes"]
    operations: dict[str, dict[str, Any]] = {}
    for name, op in sorted(model["operations"].items()):
        path, fixed = split_uri(op["http"]["requestUri"])
        labels: dict[str, dict[str, Any]] = {}
        if "input" in op:
            for member in shapes[op["input"]["shape"]].get("members", {}).values():
                if member.get("location") == "uri":
                    labels[member.get("locationName", "")] = shapes[member["shape"]]
        operations[name] = {
            "method": op["http"]["method"],
            "uri": op["http"]["requestUri"],
            "rule": werkzeug_rule(path, labels),
            "query": fixed,
            "status": op["http"].get("responseCode", 200),
            "input": op.get("input", {}).get("shape"),
            "output": op.get("output", {}).get("shape"),
            "errors": tuple(e["shape"] for e in op.get("errors", ())),
        }
    errors = {
        name: {
            "status": shape["error"].get("httpStatusCode", 400),
            "members": tuple(shape.get("members", {})),
        }
        for name, shape in sorted(shapes.items())
        if shape.get("exception")
    }
    missing = sorted(set(SERVED) - set(operations))
    if missing:
        raise SystemExit(f"served operations missing from the model: {', '.join(missing)}")
    roots = [operations[n][k] for n in SERVED for k in ("input", "output") if operations[n][k]]
    return {
        "protocol": model["metadata"]["protocol"],
        "operations": operations,
        "errors": errors,
        "served": SERVED,
        "shapes": closure(model, roots),
    }


def render(model: dict[str, Any] | None = None, botocore_version: str | None = None) -> str:
    """The module's text; pure, so a test can compare it with the checked-in file."""
    if model is None:
        model = load_model()
    if botocore_version is None:
        import botocore

        botocore_version = botocore.__version__
    data = build(model)

    def table(name: str, annotation: str, rows: dict[str, Any]) -> list[str]:
        """One entry per line: diffs after a botocore upgrade stay readable."""
        return [
            f"{name}: {annotation} = {{",
            *(f"    {literal(k)}: {literal(v)}," for k, v in rows.items()),
            "}",
        ]

    return "\n".join(
        [
            f'"""AWS IoT ({SERVICE} {API_VERSION}) routes, errors and shapes from botocore\'s service model.',
            "",
            "GENERATED by scripts/gen_aws_routes.py - do not edit; re-run it after upgrading botocore.",
            "``OPERATIONS`` covers every operation (so unserved ones can answer clearly); ``SHAPES`` holds",
            "the input and output shapes of the operations in ``SERVED``.",
            '"""',
            "",
            "# ruff: noqa: E501",
            "# fmt: off",
            "from typing import Any",
            "",
            f"BOTOCORE_VERSION = {literal(botocore_version)}",
            f"API_VERSION = {literal(API_VERSION)}",
            f"PROTOCOL = {literal(data['protocol'])}",
            "",
            "SERVED: frozenset[str] = frozenset({",
            *(f"    {literal(name)}," for name in data["served"]),
            "})",
            "",
            *table("OPERATIONS", "dict[str, dict[str, Any]]", data["operations"]),
            "",
            *table("ERRORS", "dict[str, dict[str, Any]]", data["errors"]),
            "",
            *table("SHAPES", "dict[str, dict[str, Any]]", data["shapes"]),
            "",
        ]
    )


def literal(value: Any) -> str:
    """A one-line Python literal with double-quoted strings (tuples stay tuples)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot render {type(value).__name__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the checked-in module is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale; run scripts/gen_aws_routes.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
