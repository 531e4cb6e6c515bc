"""Deep nesting anywhere a client can put it (JSON bodies, JSON inside strings, query
parentheses, paging tokens) is refused as bad input, never a RecursionError and a 500."""

from __future__ import annotations

import base64
import json

import pytest
from _enos import Enos
from aws_helpers import SIGNED
from werkzeug.test import Client

from iotfake import FakeCloud

#: the README's documented limit ("Hostile input": nesting deeper than 100 levels is refused),
#: written here as a literal so that a change to the code's own constant fails these tests
LEVELS = 100

SCRIPTR = {"Authorization": "bearer owner-token"}


def nested(depth: int, leaf: object = "x") -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1)


@pytest.fixture
def client(cloud: FakeCloud) -> Client:
    return Client(cloud.wsgi_app)


@pytest.mark.parametrize("levels", [LEVELS + 1, 951, 5001])
def test_aws_member_nested_past_the_limit_is_an_invalid_request(client: Client, levels: int) -> None:
    depth = levels - 1  # the body object is the first level
    body = '{"thingTypeName": ' + "[" * depth + '"x"' + "]" * depth + "}"
    answer = client.post("/things/t1", data=body, headers=SIGNED)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "InvalidRequestException:"
    assert "nested too deeply (more than 100 levels)" in answer.json["message"]


def test_aws_member_nested_exactly_to_the_limit_is_a_validation_error(client: Client) -> None:
    """100 levels in all (the body object and 99 lists) are read, and then fail the model."""
    answer = client.post("/things/t1", json={"thingTypeName": nested(LEVELS - 1)}, headers=SIGNED)
    assert answer.status_code == 400
    assert (
        "at 'thingTypeName' failed to satisfy constraint: Member must be a string" in answer.json["message"]
    )


def test_enos_attributes_nested_past_the_limit_are_99400(cloud: FakeCloud) -> None:
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    # the body object and deviceAttributes are two levels: 99 lists make 101, 98 make 100
    answer = enos.create(pk, deviceAttributes={"deep": nested(LEVELS - 1)})
    assert answer["code"] == 99400 and "nested too deeply (more than 100 levels)" in answer["msg"]
    kept = enos.create(pk, deviceAttributes={"deep": nested(LEVELS - 2)})
    assert kept["code"] == 0


@pytest.mark.parametrize("depth", [33, 600, 5000])
def test_scriptr_query_parentheses_nest_at_most_32_deep(client: Client, depth: int) -> None:
    query = "(" * depth + 'name = "x"' + ")" * depth
    answer = client.post("/scriptr/device/query", json={"query": query}, headers=SCRIPTR)
    assert answer.status_code == 200
    metadata = answer.json["response"]["result"]["metadata"]
    assert metadata["errorCode"] == "INVALID_QUERY_REQUEST"
    assert "32 levels" in metadata["errorDetail"]


def test_scriptr_query_parentheses_32_deep_still_work(client: Client) -> None:
    query = "(" * 32 + 'name = "scriptr"' + ")" * 32
    answer = client.post("/scriptr/device/query", json={"query": query}, headers=SCRIPTR)
    assert answer.json["response"]["result"]["result"]["devices"][0]["id"] == "scriptr"


@pytest.mark.parametrize("payload", [b"[" * 100_000, b"[" * 500 + b"]" * 500, b"\xff\xfe"])
def test_aws_next_token_that_is_not_ours_is_invalid(client: Client, payload: bytes) -> None:
    token = base64.b64encode(payload).decode()
    answer = client.get("/things", query_string={"nextToken": token}, headers=SIGNED)
    assert answer.status_code == 400
    assert answer.json["message"].startswith("The nextToken is invalid")


def test_register_thing_template_nested_past_the_limit(client: Client) -> None:
    template = {"Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": nested(500)}}}}
    answer = client.post(
        "/things", json={"templateBody": json.dumps(template), "parameters": {}}, headers=SIGNED
    )
    assert answer.status_code == 400
    assert answer.json["message"].startswith("Invalid registration template. ")
    assert "nested too deeply" in answer.json["message"]
