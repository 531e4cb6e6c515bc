"""EnOS behaves the same over a socket, the in-process requests adapter and httpx's WSGI transport."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
from _enos import PRODUCT

from iotfake import FakeCloud
from iotfake.transports import BASE_URL, WSGIAdapter, httpx_client, requests_session

TOKEN = {"apim-accesstoken": "test-token"}


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Transport:
    """The same few calls, whichever client library and route carries them."""

    base_url: str
    send: Callable[..., Answer]
    #: what the client raises when the server hangs up without answering
    hangup: type[Exception]

    def post(
        self, path: str, body: Any = None, headers: dict | None = None, raw: bytes | None = None
    ) -> Answer:
        content = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        return self.send("POST", self.base_url + path, content, {**TOKEN, **(headers or {})})

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.send("GET", self.base_url + path, None, {**TOKEN, **(headers or {})})


def _via_requests(session: requests.Session) -> Callable[..., Answer]:
    def send(method: str, url: str, content: bytes | None, headers: dict) -> Answer:
        response = session.request(method, url, data=content, headers=headers)
        return Answer(response.status_code, response.headers, response.content)

    return send


def _via_httpx(client: httpx.Client) -> Callable[..., Answer]:
    def send(method: str, url: str, content: bytes | None, headers: dict) -> Answer:
        response = client.request(method, url, content=content, headers=headers)
        return Answer(response.status_code, response.headers, response.content)

    return send


@pytest.fixture(params=["socket", "requests-adapter", "httpx"])
def transport(request: pytest.FixtureRequest, cloud: FakeCloud) -> Iterator[Transport]:
    if request.param == "socket":
        with cloud.serve() as server, requests.Session() as session:
            yield Transport(server.url, _via_requests(session), requests.ConnectionError)
    elif request.param == "requests-adapter":
        with requests_session(cloud) as session:
            yield Transport(BASE_URL, _via_requests(session), requests.ConnectionError)
    else:
        with httpx_client(cloud) as client:
            yield Transport(BASE_URL, _via_httpx(client), httpx.RemoteProtocolError)


def make_product(t: Transport) -> str:
    answer = t.post("/connect-service/v2.1/products?action=create&orgId=o1", PRODUCT).json()
    assert answer["code"] == 0, answer
    return answer["data"]


def create_device(t: Transport, product_key: str, **fields: Any) -> Answer:
    body = {"productKey": product_key, "timezone": "+08:00", "deviceName": {"defaultValue": "m"}, **fields}
    return t.post("/connect-service/v2.1/devices?action=create&orgId=o1", body)


def test_create_then_get_a_device(transport: Transport) -> None:
    pk = make_product(transport)
    created = create_device(transport, pk, deviceKey="meter-001")
    assert created.status == 200
    assert created.headers["Content-Type"] == "application/json;charset=UTF-8"
    data = created.json()["data"]
    assert set(data) == {"assetId", "productKey", "deviceKey", "deviceSecret"}
    got = transport.get(
        f"/connect-service/v2.1/devices?action=get&orgId=o1&productKey={pk}&deviceKey=meter-001"
    ).json()
    assert got["code"] == 0
    assert got["data"]["assetId"] == data["assetId"]
    assert got["data"]["deviceSecret"] == data["deviceSecret"]


def test_same_seed_gives_the_same_answers_on_every_transport(transport: Transport) -> None:
    """The cloud fixture is seeded (seed=1): every transport must see the very same values."""
    pk = make_product(transport)
    data = create_device(transport, pk).json()["data"]
    reference = FakeCloud(seed=1)
    with requests.Session() as session:
        session.mount(BASE_URL, WSGIAdapter(reference))
        expected = Transport(BASE_URL, _via_requests(session), requests.ConnectionError)
        assert create_device(expected, make_product(expected)).json()["data"] == data


def test_duplicate_key_is_11702_with_http_200(transport: Transport) -> None:
    pk = make_product(transport)
    assert create_device(transport, pk, deviceKey="meter-001").json()["code"] == 0
    again = create_device(transport, pk, deviceKey="meter-001")
    assert again.status == 200
    assert again.json()["code"] == 11702
    assert again.json()["data"] is None


def test_quota_is_11739(transport: Transport, cloud: FakeCloud) -> None:
    pk = make_product(transport)
    cloud.registry.tenant("enos", "o1").product(pk).quota = 1
    assert [create_device(transport, pk).json()["code"] for _ in range(2)] == [0, 11739]


def test_percent_encoded_query_values_arrive_decoded(transport: Transport) -> None:
    pk = make_product(transport)
    assert create_device(transport, pk, deviceKey="meter:01.a").json()["code"] == 0
    got = transport.get(
        f"/connect-service/v2.1/devices?action=get&orgId=o1&productKey={pk}&deviceKey=meter%3A01.a"
    ).json()
    assert got["data"]["deviceKey"] == "meter:01.a"


def test_missing_token_is_refused_by_the_gateway_with_401(transport: Transport) -> None:
    answer = transport.send(
        "POST", transport.base_url + "/connect-service/v2.1/products?action=create&orgId=o1", b"{}", {}
    )
    assert answer.status == 401
    assert answer.json()["apim_status"] == 4010


def test_invalid_json_body_is_99400_and_changes_nothing(transport: Transport, cloud: FakeCloud) -> None:
    before = cloud.registry.snapshot()
    answer = transport.post("/connect-service/v2.1/products?action=create&orgId=o1", raw=b"{not json")
    assert answer.json()["code"] == 99400
    assert cloud.registry.snapshot() == before


def test_unknown_path_is_a_json_404(transport: Transport) -> None:
    answer = transport.get("/no/such/api")
    assert answer.status == 404
    assert answer.json() == {"message": "no fake API at GET /no/such/api", "code": 404}


def test_wrong_method_is_405_with_allow(transport: Transport) -> None:
    answer = transport.get("/apim-token-service/v2.0/token/get")
    assert answer.status == 405
    assert "POST" in answer.headers["Allow"]


def test_the_journal_sees_each_call_once(transport: Transport, cloud: FakeCloud) -> None:
    pk = make_product(transport)
    create_device(transport, pk)
    assert [(e.operation, e.status, e.code) for e in cloud.journal.calls()] == [
        ("CreateProduct", 200, "0"),
        ("CreateDevice", 200, "0"),
    ]


def test_admin_api_answers_on_every_transport(transport: Transport) -> None:
    health = transport.get("/_iotfake/health").json()
    assert health["status"] == "ok"
    assert "enos" in health["providers"]


@pytest.mark.parametrize(("action", "committed"), [("drop", False), ("lost_response", True)])
def test_a_dropped_connection_is_the_client_s_own_connection_error(
    transport: Transport, cloud: FakeCloud, action: str, committed: bool
) -> None:
    pk = make_product(transport)
    cloud.faults.add(provider="enos", operation="CreateDevice", action={action: True}, times=1)
    with pytest.raises(transport.hangup):
        create_device(transport, pk, deviceKey="meter-001")
    retry = create_device(transport, pk, deviceKey="meter-001").json()
    assert retry["code"] == (11702 if committed else 0)  # the retry meets the device it created
    first = cloud.journal.calls(operation="CreateDevice")[0]
    assert (first.status, first.outcome) == (None, "fault")


def test_a_session_on_a_server_follows_the_cloud_it_is_rebound_to() -> None:
    from iotfake import FakeCloud
    from iotfake.transports import requests_session

    first, second = FakeCloud(seed=1), FakeCloud(seed=2)
    with first.serve() as server:
        session = requests_session(server)
        assert session.get("http://iotfake/_iotfake/health").json()["seed"] == 1
        server.cloud = second
        assert session.get("http://iotfake/_iotfake/health").json()["seed"] == 2


def test_the_requests_raw_response_is_readable_as_urllib3_s(cloud: FakeCloud) -> None:
    """``response.raw`` is made only when read, and then is urllib3's own, body and headers."""
    from urllib3 import HTTPResponse

    session = requests_session(cloud)
    answer = session.get("/_iotfake/health")
    assert answer.raw._original_response is None  # what requests' cookie hook asks, nothing made
    assert answer.raw.status == 200
    assert answer.raw.headers["Content-Type"] == answer.headers["Content-Type"]
    assert json.loads(answer.raw.read()) == answer.json()
    assert isinstance(answer.raw._made(), HTTPResponse)
    answer.close()
    with session.get("/_iotfake/health") as untouched:  # close() with the raw never made
        assert untouched.ok
