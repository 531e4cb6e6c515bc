"""AWS IoT calls for the differential fuzzing of the express lane: every route of a served
operation, labels filled and bodies drawn from the botocore model's shapes, signed, unsigned or
with a junk Authorization."""

from __future__ import annotations

import json
import re
from typing import Any

from differential import (
    AMZ_DATE,
    BASES,
    CLEAN,
    CONTENT_TYPES,
    ODD_BODIES,
    Call,
    encoded,
    header_name,
    odd_path,
    one_in,
    query_with_noise,
    shaped,
)
from hypothesis import strategies as st

from iotfake.providers.aws_iot import handler_map, routes, wire
from iotfake.providers.aws_iot.model import OPERATIONS, SHAPES

#: operations that draw keys at random: their state differs from run to run whatever the path
RANDOM = {
    "CreateKeysAndCertificate",
    "CreateCertificateFromCsr",
    "RegisterCACertificate",
    "RegisterCertificate",
    "CreateProvisioningClaim",
}


def served_routes() -> list[tuple[str, str]]:
    """(route, operation) of each route a served operation answers, less the RANDOM ones."""
    served, found = handler_map(), []
    for route, names in sorted(routes().items()):
        operation = next((name for name in names if name in served), None)
        if operation is not None and not RANDOM & set(names):
            found.append((route, operation))
    return found


AWS_ROUTES = served_routes()
NAMES = st.sampled_from(["t1", "t2", "seeded", "g1", "g2", "b1", "sensor", "p1", "x:y", "a-b_c", "missing"])
ODD_NAMES = st.sampled_from(["", "bad name!", "\u00e9", "a/b", "a b", "x" * 129, "t1%", "..", "a+b"])
ARN = "arn:aws:iot:eu-west-1:111122223333:"
ARNS = st.sampled_from(
    [
        f"{ARN}thing/seeded",
        f"{ARN}thing/t1",
        f"{ARN}thinggroup/g1",
        f"{ARN}billinggroup/b1",
        f"{ARN}cert/abc",
        "arn:aws:iot:us-east-1:123456789012:thing/t1",
        "arn:aws:iam::123456789012:role/r",
        "not-an-arn",
    ]
)
POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
)
DOCUMENTS = st.sampled_from([POLICY, "{}", "not json", '{"Version":"2012-10-17","Statement":[]}'])
QUERIES = st.sampled_from(["thingName:t*", "*", "attributes.a:1", "thingName:", "((", "thingTypeName:sensor"])
WRONG_TYPES = st.sampled_from([None, 5, "s", [], {}, True, 1.5, -1, 2**70])
SCALARS = {
    "integer": st.sampled_from([0, 1, 2, 3, 10, 100, 3600, -1, 2**31, 2**63, 10**30]),
    "double": st.sampled_from([0.0, 1.5, -2.0, 1e300]),
    "boolean": st.booleans(),
    "timestamp": st.sampled_from([0, 1796472000, "2026-12-05T12:00:00Z", 1.5]),
    "blob": st.sampled_from(["aGVsbG8=", "", "!!"]),
}
SCALARS["long"], SCALARS["float"] = SCALARS["integer"], SCALARS["double"]


@st.composite
def shape_value(draw: st.DrawFn, name: str, member: str = "", depth: int = 0) -> Any:
    """A value of the model's shape ``name``, now and then of the wrong type."""
    shape = SHAPES[name]
    kind = shape["type"]
    if draw(one_in(40)):
        return draw(WRONG_TYPES)
    if kind in SCALARS:
        return draw(SCALARS[kind])
    if kind == "string":
        about = (name + member).lower()
        if "enum" in shape:
            return draw(st.sampled_from([*shape["enum"], "BOGUS"]))
        if "arn" in about:
            return draw(ARNS)
        if "document" in about or ("policy" in about and "name" not in about):
            return draw(DOCUMENTS)
        if "query" in about:
            return draw(QUERIES)
        return draw(ODD_NAMES if draw(one_in(10)) else NAMES)
    if depth > 4:
        return None
    if kind == "list":
        return draw(st.lists(shape_value(shape["member"], depth=depth + 1), max_size=3))
    if kind == "map":
        keys = st.lists(st.sampled_from(["a", "b", "", "x" * 200, "\u00e9"]), max_size=3, unique=True)
        return {key: draw(shape_value(shape["value"], depth=depth + 1)) for key in draw(keys)}
    value = {}
    for field, spec in shape["members"].items():
        if "location" not in spec and (field in shape.get("required", ()) or draw(one_in(3))):
            value[field] = draw(shape_value(spec["shape"], field, depth + 1))
    return value


LABEL = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?(\w+)>")
LABEL_VALUES = {
    "arn": st.sampled_from(["arn%3Aaws%3Aiot", "d1", f"{ARN}ruledestination/http/x"]),
    "topic": st.sampled_from(["a/b", "t", "$aws/things/t1/shadow", "a%2Fb"]),
}
NUMBERS = st.sampled_from(["1", "2", "x", "0"])


@st.composite
def filled(draw: st.DrawFn, rule: str) -> str:
    """A werkzeug rule's labels filled in: names, or odd ones now and then."""

    def label(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2).lower()
        if name in LABEL_VALUES:
            return draw(LABEL_VALUES[name])
        if name in ("policyversionid", "versionid", "executionnumber"):
            return draw(NUMBERS)
        pool = st.one_of(NAMES, st.just("a/b")) if converter == "path" else NAMES
        return draw(ODD_NAMES if draw(one_in(13)) else pool) or "z"

    return LABEL.sub(label, rule)


@st.composite
def aws_query(draw: st.DrawFn, operation: str) -> str:
    """The route's fixed query and a few of the operation's query members."""
    op = OPERATIONS[operation]
    parts = [f"{k}={v}" if v else k for k, v in op["query"].items()]
    members = SHAPES.get(op["input"] or "", {}).get("members", {})
    for spec in members.values():
        if spec.get("location") == "querystring" and draw(one_in(3)):
            values = ["1", "2", "true", "false", "t1", "", "sensor", "x%20y", "a+b", "-1"]
            value = "t1" if SHAPES[spec["shape"]]["type"] == "list" else draw(st.sampled_from(values))
            parts.append(f"{spec['locationName']}={value}")
    return "&".join(parts)


def sigv4(
    key: str = "AKIASEEDEDKEY0000001",
    region: str = "eu-west-1",
    service: str = "iot",
    signature: str = "0123abcd",
) -> str:
    """A SigV4 Authorization of the right form and a made-up signature."""
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/20261205/{region}/{service}/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={signature}"
    )


#: the parts out of order, with spaces where they do not belong
NONCANONICAL = (
    "AWS4-HMAC-SHA256   Signature=abc,Credential=AKIASEEDEDKEY0000001/20261205/eu-west-1/iot/aws4_request"
    " ,SignedHeaders=host"
)
#: Authorization headers: the seeded key's (unsigned: lenient takes it, strict does not), another
#: key, other services and regions, junk, nothing, and twice over
AWS_AUTHORIZATIONS: list[list[tuple[str, str]]] = [
    [("Authorization", sigv4())],
    [("Authorization", sigv4("AKIAIOSFODNN7EXAMPLE", "us-east-1"))],
    [("Authorization", sigv4(service="iotdata"))],
    [("Authorization", sigv4(service="iotdevicegateway"))],
    [("Authorization", sigv4(region="Mars-1"))],
    [("Authorization", sigv4(signature="a" * 9000))],
    [("Authorization", sigv4(signature="ab-cd"))],
    [("authorization", sigv4(region="ap-southeast-2"))],
    [("Authorization", sigv4()), ("authorization", sigv4("AKIAIOSFODNN7EXAMPLE"))],
    [("Authorization", NONCANONICAL)],
    [("Authorization", "AWS4-HMAC-SHA256 junk")],
    [("Authorization", "Bearer xyz")],
    [("Authorization", "")],
    [],
]


@st.composite
def aws_calls(draw: st.DrawFn) -> Call:
    """A call of a served route, signed for the operation's service a third of the time."""
    route, operation = draw(st.sampled_from(AWS_ROUTES))
    usual, rule = route.split(" ", 1)
    clean = draw(one_in(3))
    path = draw(filled(rule))
    query = draw(aws_query(operation))
    if not clean:
        path = draw(odd_path(path))
        query = draw(st.one_of(st.just(query), query_with_noise(query)))
    url = (CLEAN if clean else draw(BASES)) + path + ("?" + query if query else "")
    shape, payload = OPERATIONS[operation]["input"], wire.structure_payload(operation)
    if shape and wire.body_members(operation):
        body: bytes | None = encoded(draw(shape_value(shape)))
    elif shape and payload:
        body = encoded(draw(shape_value(SHAPES[shape]["members"][payload]["shape"])))
    else:
        body = draw(st.sampled_from([None, b"", b"{}", b"raw payload", b'{"state":{"desired":{"a":1}}}']))
    if not clean and draw(one_in(5)):
        body = draw(ODD_BODIES)
    headers: list[tuple[str, Any]] = []
    if not draw(one_in(4)):
        headers.append(
            (draw(header_name("Host")), draw(st.sampled_from(["iotfake", "iotfake:80", "IoTFake"])))
        )
    if not draw(one_in(4)):
        headers.append((draw(header_name("Content-Type")), draw(CONTENT_TYPES)))
    sign = OPERATIONS[operation]["service"] if draw(one_in(3)) else None
    if sign is None:
        headers += [("X-Amz-Date", AMZ_DATE), *draw(st.sampled_from(AWS_AUTHORIZATIONS))]
    return draw(shaped(clean, usual, url, headers, body, sign))
