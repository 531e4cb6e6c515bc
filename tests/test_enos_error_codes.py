"""Every code in the EnOS error table, reached through the wire where the fake can reach it."""

from __future__ import annotations

import hashlib
import json

import pytest
from _enos import Enos
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.providers.base import Call
from iotfake.providers.enos import HANDLERS
from iotfake.registry.errors import NotFound


def small_keys() -> Enos:
    return Enos.wsgi(FakeCloud(seed=3, device_key_length=1, device_key_alphabet="ab"))


def reach(code: int) -> dict:
    """One wire answer that carries ``code``."""
    enos = small_keys() if code == 11714 else Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-001")
    aid = made["assetId"]
    if code == 0:
        return enos.get(assetId=aid)
    if code == 99400:
        return enos.call("devices", "create", {"productKey": pk})
    if code == 11404:
        return enos.get(assetId="nope1234")
    if code == 11702:
        return enos.create(pk, deviceKey="meter-001")
    if code == 11704:
        return enos.call("devices", "replaceDevice", {"newDeviceKey": "meter-001"}, assetId=aid)
    if code == 11714:
        enos.create(pk)
        enos.create(pk)
        return enos.create(pk)
    if code == 11721:
        return enos.call("devices", "enable", assetId=aid)
    if code == 11723:
        enos.call("devices", "disable", assetId=aid)
        return enos.call("devices", "disable", assetId=aid)
    if code == 11611:
        return enos.call("products", "get", productKey="NoSuchPk")
    if code == 11619:
        return enos.call("products", "delete", productKey=pk)
    raise AssertionError(code)


@pytest.mark.parametrize("code", [0, 99400, 11404, 11702, 11704, 11714, 11721, 11723, 11611, 11619])
def test_code_travels_in_the_envelope_with_http_200(code: int) -> None:
    answer = reach(code)
    assert set(answer) == {"code", "msg", "requestId", "data"}
    assert answer["code"] == code
    assert isinstance(answer["msg"], str) and answer["msg"]
    assert (answer["data"] is None) == (code != 0)


def test_11739_quota() -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    cloud.registry.tenant("enos", "o1").product(pk).quota = 1
    enos.device(pk)
    answer = enos.create(pk)
    assert answer["code"] == 11739 and "exceeds the limit" in answer["msg"]


def test_default_product_quota_is_10000() -> None:
    cloud = FakeCloud(seed=1)
    pk = Enos.wsgi(cloud).product()
    assert cloud.registry.tenant("enos", "o1").product(pk).quota == 10_000


def test_11699_unknown_model_in_an_org_that_lists_its_models() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed({"enos": {"orgs": [{"orgId": "o1", "models": ["meter"]}]}})
    enos = Enos.wsgi(cloud)
    assert enos.call("products", "create", {**_product(), "modelId": "meter"})["code"] == 0
    answer = enos.call("products", "create", {**_product(), "modelId": "turbine"})
    assert answer["code"] == 11699 and "turbine" in answer["msg"] and answer["data"] is None


def _product() -> dict:
    from _enos import PRODUCT

    return dict(PRODUCT)


def test_99403_an_app_calling_an_org_it_does_not_belong_to() -> None:
    cloud = FakeCloud(seed=1, auth="strict")
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {"orgId": "o1", "apps": [{"appKey": "app-1", "appSecret": "s1"}]},
                    {"orgId": "o2", "apps": [{"appKey": "app-2", "appSecret": "s2"}]},
                ]
            }
        }
    )
    client = Client(cloud.wsgi_app)
    token = client.post(
        "/apim-token-service/v2.0/token/get",
        json={"appKey": "app-1", "timestamp": 1, "encryption": hashlib.sha256(b"app-11s1").hexdigest()},
    ).json["data"]["accessToken"]
    query = "action=search&orgId=o2"
    body = "{}"
    params = "actionsearchorgIdo2" + body
    signature = hashlib.sha256(f"{token}{params}5s1".encode()).hexdigest()
    answer = client.post(
        f"/connect-service/v2.1/devices?{query}",
        data=body,
        headers={"apim-accesstoken": token, "apim-signature": signature, "apim-timestamp": "5"},
    )
    assert answer.status_code == 200
    assert answer.json["code"] == 99403 and answer.json["msg"].startswith("Denied resource:")


def test_99500_when_a_handler_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(provider, call: Call):
        raise RuntimeError("boom")

    monkeypatch.setitem(HANDLERS, "GetDevice", broken)
    response = Client(FakeCloud(seed=1).wsgi_app).get(
        "/connect-service/v2.1/devices?action=get&orgId=o1&assetId=x", headers={"apim-accesstoken": "t"}
    )
    assert response.status_code == 200
    assert response.json["code"] == 99500 and response.json["msg"] == "Internal Server Error"
    assert "boom" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotFound(kind="tenant", key="o9"), 99404),
        (NotFound(kind="product", key="p9"), 11611),
        (NotFound(kind="device", key="d9"), 11404),
    ],
)
def test_domain_not_found_maps_by_kind(error: NotFound, code: int) -> None:
    from iotfake.providers.enos.errors import from_domain

    assert from_domain(error, device_op=False).code == code


@pytest.mark.parametrize("code", ["99404", "11714", "11739", "99500"])
def test_native_codes_named_by_fault_rules(code: str) -> None:
    cloud = FakeCloud(seed=1)
    provider = cloud.providers["enos"]
    call = Call("enos", "CreateDevice", request=None)  # type: ignore[arg-type]
    response = provider.render(call, provider.from_code(call, code))
    body = json.loads(response.get_data())
    assert body["code"] == int(code) and body["data"] is None and call.code == code


def _render(operation: str, make) -> dict:
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    cloud = FakeCloud(seed=1)
    provider = cloud.providers["enos"]
    request = Request(EnvironBuilder(headers={"apim-accesstoken": "tok"}).get_environ())
    call = Call("enos", operation, request)
    return json.loads(provider.render(call, make(provider, call)).get_data())


def test_token_faults_are_answered_by_the_gateway_or_the_token_service() -> None:
    from iotfake.registry.errors import TokenExpired, Unauthorized

    expired = _render("SearchDevice", lambda p, c: p.from_domain(c, TokenExpired()))
    assert expired == {
        "apim_status": 4011,
        "apim_message": "the access token has expired",
        "apim_refreshtoken": "tok",
    }
    assert _render("CreateDevice", lambda p, c: p.from_domain(c, Unauthorized()))["apim_status"] == 4012
    assert _render("CreateDevice", lambda p, c: p.from_code(c, "4011"))["apim_status"] == 4011
    on_token = _render("GetToken", lambda p, c: p.from_domain(c, TokenExpired()))
    assert on_token == {
        "status": 1203,
        "msg": on_token["msg"],
        "business": "apim-token-service",
        "data": None,
    }
    assert _render("RefreshToken", lambda p, c: p.from_code(c, "1204"))["status"] == 1204
    assert _render("GetToken", lambda p, c: p.from_code(c, "99500"))["status"] == 1005
