"""Every served AWS operation (iot and iot-data), fed values of any JSON type where the model
expects its members: always a modelled 4xx (or a 2xx), never a 5xx, and the registry stays whole.

The request is built from the model itself - the operation's route with its labels filled, its
query members, its body members - so the fuzzer reaches each handler past routing; the values
are drawn freely (wrong types, huge strings, nesting, nulls), which is what a buggy client sends.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hostile import fuzz_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_helpers import assert_consistent
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.providers.aws_iot import wire
from iotfake.providers.aws_iot.handlers import HANDLERS
from iotfake.providers.aws_iot.model import OPERATIONS, SHAPES

SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAFUZZ00000000000/20250101/us-east-1/{service}/"
    "aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
    "X-Amz-Date": "20250101T000000Z",
}
NAMES = st.sampled_from(["t1", "g1", "p1", "bg", "lamp", "x" * 200, "a/b", "", "ü", "1"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
                    NAMES, st.text(max_size=20))  # fmt: skip
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                      st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=8)  # fmt: skip
SERVED = sorted(HANDLERS)
LABEL = re.compile(r"\{([A-Za-z0-9_]+)\+?\}")


@st.composite
def aws_requests(draw: st.DrawFn) -> dict[str, Any]:
    operation = draw(st.sampled_from(SERVED))
    op = OPERATIONS[operation]
    path, _, fixed = op["uri"].partition("?")
    path = LABEL.sub(lambda m: quote(str(draw(NAMES)), safe="") or "x", path)
    query = dict(part.partition("=")[::2] for part in fixed.split("&") if part)
    shape = SHAPES.get(op["input"] or "") or {"members": {}}
    body: dict[str, Any] = {}
    for name, member in shape["members"].items():
        if not draw(st.booleans()):
            continue
        if member.get("location") == "querystring":
            query[member.get("locationName", name)] = str(draw(SCALARS))
        elif "location" not in member and name != shape.get("payload"):
            body[name] = draw(VALUES)
    payload = wire.payload_member(operation)
    if payload is not None:
        data = draw(st.one_of(st.binary(max_size=64), st.builds(lambda v: json.dumps(v).encode(), VALUES)))
    else:
        data = draw(st.one_of(st.just(json.dumps(body).encode()), st.binary(max_size=32)))
    service = op["service"]
    return {
        "method": op["method"],
        "path": path + ("?" + urlencode(query) if query else ""),
        "data": data,
        "headers": {**SIGNED, "Authorization": SIGNED["Authorization"].format(service=service)},
        "operation": operation,
    }


@pytest.mark.parametrize(
    "examples", [pytest.param(300, id="quick"), pytest.param(10_000, id="long", marks=pytest.mark.slow)]
)
def test_hostile_aws_requests_get_modelled_answers(examples: int) -> None:
    cloud = FakeCloud(seed=51)
    account = {
        "things": [{"thingName": "t1"}],
        "thingGroups": [{"thingGroupName": "g1"}],
        "billingGroups": [{"billingGroupName": "bg"}],
    }
    cloud.seed({"aws": {"accounts": [account]}})
    client = Client(cloud.wsgi_app)

    # the same requests every run (CI must not turn on a random draw); to explore afresh, run it
    # with derandomize off (that is how a JSON null stored as a member's value was found)
    @settings(fuzz_settings(examples), derandomize=True)
    @given(request=aws_requests())
    def hostile(request: dict[str, Any]) -> None:
        answer = client.open(request["path"], method=request["method"], data=request["data"],
                             headers=request["headers"], content_type="application/json")  # fmt: skip
        assert answer.status_code < 500, (request, answer.get_data()[:300])
        if answer.status_code >= 400:
            assert "x-amzn-ErrorType" in answer.headers or answer.status_code in (404, 405), request

    hostile()
    assert_consistent(cloud)
