"""JSON bodies no provider can hold: huge integers, lone surrogates, NaN/Infinity, bad UTF-8.

Each is refused at the door in the provider's own shape with a message naming the problem,
nothing is created, the call is journaled, and the journal still reads afterwards. Values that
reach a record some other way (the Python API) are answered with ``\\u`` escapes, never a 500.
"""

from __future__ import annotations

import json

import pytest
import requests
from _enos import PRODUCT, TOKEN, Enos
from aws_helpers import SIGNED
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.providers.enos import EnosProvider

HUGE = b"9" * 5000
ENOS_CREATE = "/connect-service/v2.1/devices?action=create&orgId=o1"
SCRIPTR = {"Authorization": "bearer owner-token", "Content-Type": "application/json"}

#: (body, words the answer must name)
HOSTILE = [
    (b'{"deviceKey": "meter-001", "n": ' + HUGE + b"}", "4300 digits"),
    (b'{"deviceKey": "\\ud800"}', "surrogate at deviceKey"),
    (b'{"deviceKey": "ok", "deviceName": {"defaultValue": "a\\udc00b"}}', "deviceName.defaultValue"),
    (b'{"deviceKey": "\xed\xa0\x80"}', "UTF-8"),  # a surrogate's UTF-8 bytes: not valid UTF-8
    (b'{"deviceKey": "\xff"}', "UTF-8"),
    (b'{"timezone": NaN}', "NaN"),
    (b'{"timezone": -Infinity}', "-Infinity"),
    (b'{"timezone": 1e400}', "out of range"),
]


@pytest.fixture
def cloud() -> FakeCloud:
    cloud = FakeCloud(seed=1)
    Enos.wsgi(cloud).product()
    cloud.journal.clear()
    return cloud


def _state(cloud: FakeCloud) -> object:
    """The registry and fault rules (request ids move on with every answer)."""
    snapshot = cloud.snapshot()
    return snapshot["registry"], snapshot["faults"]


@pytest.mark.parametrize(("body", "named"), HOSTILE)
def test_enos_refuses_the_body_with_99400_naming_the_problem(
    cloud: FakeCloud, body: bytes, named: str
) -> None:
    client = Client(cloud.wsgi_app)
    before = _state(cloud)
    answer = client.post(ENOS_CREATE, data=body, headers={**TOKEN, "Content-Type": "application/json"})
    assert answer.status_code == 200
    assert answer.json["code"] == 99400 and answer.json["data"] is None
    assert answer.json["msg"].startswith("Invalid Argument body:the body ")
    assert named in answer.json["msg"]
    assert _state(cloud) == before
    [entry] = cloud.journal.calls(operation="CreateDevice")
    assert entry.code == "99400"
    assert client.get("/_iotfake/journal").status_code == 200


@pytest.mark.parametrize(("body", "named"), HOSTILE)
def test_aws_refuses_the_body_as_an_invalid_request(cloud: FakeCloud, body: bytes, named: str) -> None:
    client = Client(cloud.wsgi_app)
    answer = client.post("/things/t1", data=body.replace(b"deviceKey", b"thingTypeName"), headers=SIGNED)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "InvalidRequestException:"
    message = answer.json["message"]
    assert message.startswith("Could not parse request body into json: the body ")
    assert named.replace("deviceKey", "thingTypeName").split(" at ")[0] in message
    assert cloud.journal.calls(operation="CreateThing")[0].status == 400
    assert client.get("/things", headers=SIGNED).json["things"] == []
    assert client.get("/_iotfake/journal").status_code == 200


@pytest.mark.parametrize(("body", "named"), HOSTILE)
def test_scriptr_refuses_the_body_as_invalid_parameter(cloud: FakeCloud, body: bytes, named: str) -> None:
    client = Client(cloud.wsgi_app)
    answer = client.post("/scriptr/device/create", data=body.replace(b"deviceKey", b"name"), headers=SCRIPTR)
    assert answer.status_code == 400
    metadata = answer.json["response"]["metadata"]
    assert metadata["errorCode"] == "INVALID_PARAMETER"
    assert named.replace("deviceKey", "name").split(" at ")[0] in metadata["errorDetail"]
    listing = client.post("/scriptr/device/query", json={"count": True}, headers=SCRIPTR)
    assert listing.json["response"]["result"]["result"]["count"] == 1  # the built-in device only
    assert client.get("/_iotfake/journal").status_code == 200


@pytest.mark.parametrize(("body", "named"), HOSTILE)
def test_admin_refuses_the_body_with_400(cloud: FakeCloud, body: bytes, named: str) -> None:
    client = Client(cloud.wsgi_app)
    before = _state(cloud)
    for path in ("/_iotfake/seed", "/_iotfake/faults", "/_iotfake/clock"):
        answer = client.post(path, data=body)
        assert answer.status_code == 400, (path, answer.get_data())
        assert answer.json["error"].startswith("the body ")
        assert named.split(" at ")[0] in answer.json["error"]
    assert client.put("/_iotfake/state", data=body).status_code == 400
    assert _state(cloud) == before


def test_over_a_socket_the_huge_integer_is_a_400_not_a_500(cloud: FakeCloud) -> None:
    with cloud.serve() as server:
        enos = requests.post(
            server.url + ENOS_CREATE,
            data=b'{"productKey": ' + HUGE + b"}",
            headers={**TOKEN, "Content-Type": "application/json"},
            timeout=10,
        )
        aws = requests.post(
            f"{server.url}/things/t1", data=b'{"thingTypeName": ' + HUGE + b"}", headers=SIGNED
        )
        scriptr = requests.post(
            f"{server.url}/scriptr/device/create", data=b'{"id": ' + HUGE + b"}", headers=SCRIPTR
        )
    assert (enos.status_code, enos.json()["code"]) == (200, 99400)
    assert aws.status_code == 400 and aws.headers["x-amzn-ErrorType"] == "InvalidRequestException:"
    assert scriptr.status_code == 400
    assert [e.status for e in cloud.journal.calls()] == [200, 400, 400]


def test_a_surrogate_set_through_the_python_api_is_answered_escaped(cloud: FakeCloud) -> None:
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    enos.device(pk, deviceKey="meter-001")
    with cloud.registry.lock:
        device = cloud.registry.tenant("enos", "o1").keys["meter-001"]
        device.name = {"defaultValue": "bad \ud800 name", "i18nValue": {}}
    answer = Client(cloud.wsgi_app).get(
        f"/connect-service/v2.1/devices?action=get&orgId=o1&productKey={pk}&deviceKey=meter-001",
        headers=TOKEN,
    )
    assert answer.status_code == 200
    assert b"bad \\ud800 name" in answer.get_data()
    assert json.loads(answer.get_data())["data"]["deviceName"]["defaultValue"] == "bad \ud800 name"


def test_journal_params_with_a_surrogate_still_read(cloud: FakeCloud) -> None:
    """A journal entry holding a lone surrogate (a match field set by a Python caller) reads."""
    client = Client(cloud.wsgi_app)
    client.post(ENOS_CREATE, json={"productKey": "p"}, headers=TOKEN)
    cloud.journal.calls()[0].params["deviceKey"] = "\ud800"
    answer = client.get("/_iotfake/journal")
    assert answer.status_code == 200
    assert answer.json["entries"][0]["params"]["deviceKey"] == "\ud800"


def test_a_bug_in_bind_still_answers_in_the_provider_shape_and_is_journaled(
    cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self, request, route, args):
        raise RuntimeError("boom")

    monkeypatch.setattr(EnosProvider, "bind", broken)
    answer = Client(cloud.wsgi_app).post(ENOS_CREATE, json=PRODUCT, headers=TOKEN)
    assert answer.json["code"] == 99500 and answer.json["data"] is None
    [entry] = cloud.journal.calls(provider="enos")
    assert entry.code == "99500"
