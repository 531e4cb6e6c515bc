"""scriptr's compiled route (``providers.scriptr.compiled``) takes the calls to known functions
whose parameters read cleanly, and hands every other call back to the general path before
anything happens. What it answers is held to the general path by ``test_express_lane``; this
says which calls it takes."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from freezegun import freeze_time
from test_compiled_operations import compiled_calls

from iotfake import FakeCloud
from iotfake.app import App
from iotfake.transports import call_wsgi

JSON = ("Content-Type", "application/json")


def send(cloud: FakeCloud, path: str, body: bytes | None = None, headers: Any = None) -> dict:
    token = cloud.scriptr("acme").token
    sent = [("Authorization", f"bearer {token}"), JSON] if headers is None else headers
    _, _, content = call_wsgi(cloud.wsgi_app, "POST", f"http://iotfake/scriptr/{path}", sent, body)
    return json.loads(content)["response"]


def test_clean_calls_are_taken() -> None:
    cloud = FakeCloud(seed=1)
    with compiled_calls() as seen:
        created = send(cloud, "device/create", b'{"id": "s1", "name": "s1", "password": "pw-123456"}')
        assert created["metadata"]["status"] == "success"
        again = send(cloud, "device/create", b'{"id": "s1", "name": "s1", "password": "pw-123456"}')
        assert again["result"]["metadata"]["errorCode"] == "DUPLICATE_DEVICE"  # the module's answer
        assert send(cloud, "device/get?id=s1")["result"]["result"]["id"] == "s1"
        assert send(cloud, "device/get", b'{"id": "s1"}', headers=[JSON])["metadata"]["status"] == "failure"
    assert seen == [True] * 4
    entries = cloud.journal.calls()
    assert [e.operation for e in entries] == ["device.create", "device.create", "device.get", "device.get"]
    assert entries[0].params == {"id": "s1", "account": "acme"}
    assert entries[-1].code == "INVALID_TOKEN"


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("device/frobnicate", b"{}", "application/json"),  # no such script
        ("device/get", b"{", "application/json"),  # unreadable: INVALID_PARAMETER
        ("device/get", b"[]", "application/json"),
        ("device/get", b"id=s1", "application/x-www-form-urlencoded"),  # werkzeug's form parsing
        ("device/get?id=s%31", b"", "application/json"),  # an escape: werkzeug's parsing
    ],
)
@freeze_time("2026-12-05 12:00:00")
def test_calls_the_general_path_answers_are_handed_back(path: str, body: bytes, content_type: str) -> None:
    cloud = FakeCloud(seed=1)
    token = cloud.scriptr("acme").token
    headers = [("Authorization", f"bearer {token}"), ("Content-Type", content_type)]
    with compiled_calls() as seen:
        send(cloud, path, body, headers)
    assert seen == [False]
    assert len(cloud.journal.calls()) == 1  # answered and journaled once, by the general path
    twin = FakeCloud(seed=1)
    twin.scriptr("acme").token  # noqa: B018  (the same tokens drawn in the same order)
    with mock.patch.object(App, "express", lambda *_: None):
        send(twin, path, body, headers)
    assert cloud.snapshot() == twin.snapshot()
