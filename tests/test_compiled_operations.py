"""Compiled operations (``providers.base.Compiled``) take the express lane's well-formed calls
and hand every other one back to the general path before anything happens. What they answer is
held to the general path by ``test_express_lane``; this says which calls they take."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from freezegun import freeze_time

from iotfake import FakeCloud
from iotfake.app import App
from iotfake.providers.aws_iot import routes
from iotfake.providers.aws_iot.compiled import Shared, operation
from iotfake.transports import call_wsgi

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261205/us-east-1/iot/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123abcd"
)
HEADERS = [("Host", "iotfake"), ("Authorization", SIGNED), ("Content-Type", "application/json")]


@contextmanager
def compiled_calls() -> Iterator[list[bool]]:
    """Whether each lane call was answered by a compiled operation (True) or handed back."""
    seen: list[bool] = []
    real = App._compiled

    def spy(self: App, *args: Any) -> Any:
        reply = real(self, *args)
        seen.append(reply is not None)
        return reply

    with mock.patch.object(App, "_compiled", spy):
        yield seen


def send(cloud: FakeCloud, method: str, path: str, body: bytes | None = None, headers: Any = None) -> int:
    status, _, _ = call_wsgi(cloud.wsgi_app, method, "http://iotfake" + path, headers or HEADERS, body)
    return status


@pytest.mark.parametrize(
    ("name", "compiled"),
    [
        ("CreateThing", True),
        ("DescribeThing", True),
        ("UpdateThing", True),
        ("CreateThingGroup", True),
        ("CreatePolicy", True),
        ("ListThings", True),  # its input is in the query string
        ("DeleteThing", True),  # expectedVersion is a query member
        ("UpdateThingShadow", True),  # a raw payload and a query member
        ("GetThingShadow", True),
        ("Publish", False),  # header members (userProperties, contentType ...)
        ("DescribeJobExecution", True),  # shares its route with iot-jobs-data's: see Shared
        ("ListJobExecutionsForThing", True),
        ("ListCommandExecutions", False),  # shares its route, and neither operation is served
    ],
)
def test_which_operations_compile(name: str, compiled: bool) -> None:
    route = next(r for r, names in routes().items() if name in names)
    found = operation(route)
    if isinstance(found, Shared):
        found = found.by_service["iot"]
    assert (found is not None and found.key == name) is compiled


def test_well_formed_calls_are_taken() -> None:
    cloud = FakeCloud(seed=1)
    with compiled_calls() as seen:
        assert send(cloud, "POST", "/things/t1", b'{"attributePayload": {"attributes": {"a": "1"}}}') == 200
        assert send(cloud, "GET", "/things/t1") == 200
        assert send(cloud, "PATCH", "/things/t1", b'{"attributePayload": {"attributes": {"b": "2"}}}') == 200
        assert send(cloud, "POST", "/things/t1", b"{}") == 409  # the handler's own error: rendered
        assert send(cloud, "GET", "/things/nope") == 404
    assert seen == [True] * 5
    operations = [e.operation for e in cloud.journal.calls()]
    assert operations == ["CreateThing", "DescribeThing", "UpdateThing", "CreateThing", "DescribeThing"]
    assert cloud.journal.calls()[-1].code == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/things/bad!name", b"{}", None),  # the model refuses the input: the walk words why
        ("/things/t2", b'{"thingTypeName": 5}', None),
        ("/things/t2", b"{", None),  # not JSON
        ("/things/t2", b"[]", None),  # not an object
        ("/things/t2", b"{}", [("Host", "iotfake")]),  # unsigned
        ("/things/t2", b"{}", [("Host", "iotfake"), ("Authorization", "AWS4-HMAC-SHA256 junk")]),
    ],
)
@freeze_time("2026-12-05 12:00:00")  # a thing made by both calls is stamped alike
def test_calls_the_general_path_answers_are_handed_back(path: str, body: bytes, headers: Any) -> None:
    cloud = FakeCloud(seed=1)
    with compiled_calls() as seen:
        send(cloud, "POST", path, body, headers)
    assert seen == [False]
    assert len(cloud.journal.calls()) == 1  # answered and journaled once, by the general path
    twin = FakeCloud(seed=1)  # the same call with the lane closed: nothing was drawn twice
    with mock.patch.object(App, "express", lambda *_: None):
        send(twin, "POST", path, body, headers)
    assert cloud.snapshot() == twin.snapshot()


def test_plain_queries_and_raw_payloads_are_taken() -> None:
    cloud = FakeCloud(seed=1)
    with compiled_calls() as seen:
        assert send(cloud, "POST", "/things/q1?x=1&x=2&y", b"{}") == 200  # members it does not read
        assert send(cloud, "POST", "/things/q1/shadow?name=cfg", b'{"state": {"reported": {"t": 1}}}') == 200
        assert send(cloud, "GET", "/things/q1/shadow?name=cfg") == 200
        assert send(cloud, "GET", "/things?maxResults=1") == 200
        assert send(cloud, "DELETE", "/things/q1?expectedVersion=1") == 200
        assert send(cloud, "GET", "/endpoint?endpointType=iot%3AData-ATS") == 200  # escapes, decoded
        assert send(cloud, "GET", "/things?attributeName=k%5Fk&attributeValue=x%2Fy&+=") == 200
    assert seen == [True] * 7
    entries = cloud.journal.calls()
    assert [e.operation for e in entries] == [
        "CreateThing",
        "UpdateThingShadow",
        "GetThingShadow",
        "ListThings",
        "DeleteThing",
        "DescribeEndpoint",
        "ListThings",
    ]
    assert entries[5].params["endpointType"] == "iot:Data-ATS"
    assert entries[6].params["attributeName"] == "k_k" and entries[6].params["attributeValue"] == "x/y"
    assert entries[2].params["name"] == "cfg" and entries[3].params["maxResults"] == "1"


def test_strict_signatures_are_checked_by_the_general_path() -> None:
    cloud = FakeCloud(seed=1, auth="strict")
    with compiled_calls() as seen:
        assert send(cloud, "POST", "/things/s1", b"{}") == 403
    assert seen == [False]


def test_auth_off_takes_unsigned_calls() -> None:
    cloud = FakeCloud(seed=1, auth="off")
    with compiled_calls() as seen:
        assert send(cloud, "POST", "/things/o1", b"{}", [("Host", "iotfake")]) == 200
    assert seen == [True]


def test_no_query_member_is_a_list_or_a_map() -> None:
    """``wire.url_value`` reads a query member as one value: botocore's models have no list or
    map query member among the operations (a new model with one must teach it to read them)."""
    from iotfake.providers.aws_iot import wire
    from iotfake.providers.aws_iot.model import OPERATIONS, SHAPES

    kinds = {
        SHAPES[member["shape"]]["type"]
        for operation in OPERATIONS
        for _, member in wire.located_members(operation)
        if member["location"] == "querystring"
    }
    assert kinds and not kinds & {"list", "map"}
