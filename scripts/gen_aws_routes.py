#!/usr/bin/env python3
"""Write ``providers/aws_iot/routes_generated*.py`` from botocore's ``iot`` and ``iot-data`` models.

The fake routes and validates AWS IoT requests from the service model itself, so that a route,
a status code or a field rule can never be typed in by hand and drift from what clients send.
botocore is needed only here (and in the test that re-runs this in memory); the generated module
is plain data.

    python scripts/gen_aws_routes.py           # rewrite the modules
    python scripts/gen_aws_routes.py --check   # exit 1 if a checked-in module is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

#: service -> (API version, generated module, prefix for its shape names). Shape names are prefixed
#: where two models define the same name differently (iot-data's ThrottlingException is a 429, iot's
#: a 400), so that one table of shapes serves every service.
SERVICES: dict[str, tuple[str, str, str]] = {
    "iot": ("2015-05-28", "routes_generated.py", ""),
    "iot-data": ("2015-05-28", "routes_generated_data.py", "iotdata."),
    "iot-jobs-data": ("2017-09-29", "routes_generated_jobsdata.py", "jobsdata."),
}
TARGET_DIR = Path(__file__).resolve().parents[1] / "src/iotfake/providers/aws_iot"

#: shape keys that matter on the wire (documentation and the like are dropped)
SHAPE_KEYS = ("type", "min", "max", "pattern", "enum", "required", "timestampFormat", "jsonvalue", "payload")
MEMBER_KEYS = ("shape", "location", "locationName", "jsonvalue", "idempotencyToken")

LABEL = re.compile(r"\{([A-Za-z0-9_]+)(\+?)\}")


def load_model(service: str = "iot") -> dict[str, Any]:
    from botocore.loaders import Loader

    return Loader().load_service_model(service, "service-2", api_version=SERVICES[service][0])


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


def compact_shape(shape: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {k: shape[k] for k in SHAPE_KEYS if k in shape}
    if "required" in out:
        out["required"] = tuple(out["required"])
    if "enum" in out:
        out["enum"] = tuple(out["enum"])
    kind = shape["type"]
    if kind == "structure":
        out["members"] = {
            name: {k: (prefix + member[k] if k == "shape" else member[k]) for k in MEMBER_KEYS if k in member}
            for name, member in shape.get("members", {}).items()
        }
    elif kind == "list":
        out["member"] = prefix + shape["member"]["shape"]
    elif kind == "map":
        out["key"] = prefix + shape["key"]["shape"]
        out["value"] = prefix + shape["value"]["shape"]
    return out


def build(model: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every operation's route, every error's status and every shape (for all operations: which
    ones the fake serves is the handler table's business, not the model's)."""
    shapes = model["shapes"]
    signing = model["metadata"].get("signingName", model["metadata"]["endpointPrefix"])
    operations: dict[str, dict[str, Any]] = {}
    for name, op in sorted(model["operations"].items()):
        path, fixed = split_uri(op["http"]["requestUri"])
        labels: dict[str, dict[str, Any]] = {}
        if "input" in op:
            for member in shapes[op["input"]["shape"]].get("members", {}).values():
                if member.get("location") == "uri":
                    labels[member.get("locationName", "")] = shapes[member["shape"]]
        operations[name] = {
            "service": signing,
            "method": op["http"]["method"],
            "uri": op["http"]["requestUri"],
            "rule": werkzeug_rule(path, labels),
            "query": fixed,
            "status": op["http"].get("responseCode", 200),
            "input": prefix + op["input"]["shape"] if "input" in op else None,
            "output": prefix + op["output"]["shape"] if "output" in op else None,
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
    return {
        "protocol": model["metadata"]["protocol"],
        "signing": signing,
        "operations": operations,
        "errors": errors,
        "shapes": {prefix + name: compact_shape(shapes[name], prefix) for name in sorted(shapes)},
    }


def render(
    service: str = "iot", model: dict[str, Any] | None = None, botocore_version: str | None = None
) -> str:
    """The module's text; pure, so a test can compare it with the checked-in file."""
    api_version, _, prefix = SERVICES[service]
    if model is None:
        model = load_model(service)
    if botocore_version is None:
        import botocore

        botocore_version = botocore.__version__
    data = build(model, prefix)

    def table(name: str, annotation: str, rows: dict[str, Any]) -> list[str]:
        """One entry per line: diffs after a botocore upgrade stay readable."""
        return [
            f"{name}: {annotation} = {{",
            *(f"    {literal(k)}: {literal(v)}," for k, v in rows.items()),
            "}",
        ]

    return "\n".join(
        [
            f'"""AWS ({service} {api_version}) routes, errors and shapes from botocore\'s service model.',
            "",
            "GENERATED by scripts/gen_aws_routes.py - do not edit; re-run it after upgrading botocore.",
            "``OPERATIONS`` and ``SHAPES`` cover every operation: the handler table decides which are",
            "served, and the rest answer clearly that they are not."
            + (f" Shape names carry the prefix ``{prefix}``." if prefix else ""),
            '"""',
            "",
            "# ruff: noqa: E501",
            "# fmt: off",
            "from typing import Any",
            "",
            f"BOTOCORE_VERSION = {literal(botocore_version)}",
            f"SERVICE = {literal(service)}",
            f"API_VERSION = {literal(api_version)}",
            f"PROTOCOL = {literal(data['protocol'])}",
            f"SIGNING_NAME = {literal(data['signing'])}",
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
    parser.add_argument("--check", action="store_true", help="fail if a checked-in module is stale")
    args = parser.parse_args(argv)
    stale = 0
    for service, (_, module, _) in SERVICES.items():
        target = TARGET_DIR / module
        text = render(service)
        if args.check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != text:
                print(f"{target} is stale; run scripts/gen_aws_routes.py", file=sys.stderr)
                stale = 1
            continue
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return stale


if __name__ == "__main__":
    sys.exit(main())
