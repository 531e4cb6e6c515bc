"""UpdateProduct and DeleteProduct: data is the productKey; 11611 unknown, 11619 while devices exist."""

from __future__ import annotations

import pytest
from _enos import Enos

from iotfake import FakeCloud


@pytest.fixture
def enos() -> Enos:
    return Enos.wsgi(FakeCloud(seed=1))


def get_product(enos: Enos, pk: str) -> dict:
    return enos.call("products", "get", productKey=pk)


def test_update_product(enos: Enos) -> None:
    pk = enos.product(productDesc="old", productTags={"a": "1", "b": "2"})
    body = {
        "productDesc": "test_sdk_update",
        "biDirectionalAuth": True,
        "dynamicActivateEnabled": True,
        "productName": {"defaultValue": "AlterTest0615_Product", "i18nValue": {}},
        "productTags": {"c": "3"},
    }
    answer = enos.call("products", "update", body, productKey=pk)
    assert answer["code"] == 0 and answer["data"] == pk
    product = get_product(enos, pk)["data"]
    assert product["productName"] == {"defaultValue": "AlterTest0615_Product", "i18nValue": {}}
    assert product["biDirectionalAuth"] is True and product["dynamicActivateEnabled"] is True
    assert product["productDesc"] == "test_sdk_update"
    assert product["productTags"] == {"c": "3"}
    assert product["modelId"] == "meter" and product["dataFormat"] == "Json"


def test_update_leaves_unnamed_optional_fields(enos: Enos) -> None:
    pk = enos.product(productDesc="keep me", productTags={"a": "1"})
    body = {"biDirectionalAuth": False, "productName": {"defaultValue": "Renamed"}}
    assert enos.call("products", "update", body, productKey=pk)["code"] == 0
    product = get_product(enos, pk)["data"]
    assert product["productDesc"] == "keep me" and product["productTags"] == {"a": "1"}
    assert product["productName"]["defaultValue"] == "Renamed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"biDirectionalAuth": True}, "productName"),
        ({"productName": {"defaultValue": "x"}}, "biDirectionalAuth"),
        ({"productName": {"defaultValue": "x"}, "biDirectionalAuth": "yes"}, "biDirectionalAuth"),
        ({"productName": "x", "biDirectionalAuth": True}, "productName"),
        ({"productName": {"defaultValue": "x"}, "biDirectionalAuth": True, "productTags": []}, "productTags"),
        (
            {"productName": {"defaultValue": "x"}, "biDirectionalAuth": True, "dynamicActivateEnabled": 1},
            "dynamicActivateEnabled",
        ),
    ],
)
def test_bad_update_is_99400_and_changes_nothing(enos: Enos, body: dict, field: str) -> None:
    pk = enos.product()
    before = get_product(enos, pk)["data"]
    answer = enos.call("products", "update", body, productKey=pk)
    assert answer["code"] == 99400 and answer["msg"].startswith(f"Invalid Argument {field}:")
    assert get_product(enos, pk)["data"] == before


def test_update_unknown_product_is_11611(enos: Enos) -> None:
    body = {"biDirectionalAuth": True, "productName": {"defaultValue": "x"}}
    assert enos.call("products", "update", body, productKey="NoSuchPk")["code"] == 11611
    answer = enos.call("products", "update", body)
    assert answer["code"] == 99400 and "productKey is missing" in answer["msg"]


def test_delete_product(enos: Enos) -> None:
    pk = enos.product()
    answer = enos.call("products", "delete", productKey=pk)
    assert answer == {"code": 0, "msg": "OK", "requestId": answer["requestId"], "data": pk}
    assert get_product(enos, pk)["code"] == 11611
    assert enos.call("products", "delete", productKey=pk)["code"] == 11611


def test_11619_is_worded_as_the_delete_product_page_words_it(enos: Enos) -> None:
    """The Delete Product page's message for 11619 is "Existing Device Restrictions"; the fake
    answered "product 'pk' still has 1 devices"."""
    pk = enos.product()
    enos.device(pk)
    answer = enos.call("products", "delete", productKey=pk)
    assert answer["msg"] == f"Existing Device Restrictions: product {pk} still has 1 device"
    enos.device(pk)
    answer = enos.call("products", "delete", productKey=pk)
    assert answer["msg"] == f"Existing Device Restrictions: product {pk} still has 2 devices"


def test_delete_product_with_devices_is_11619_until_they_are_gone(enos: Enos) -> None:
    pk = enos.product()
    made = enos.device(pk)
    answer = enos.call("products", "delete", productKey=pk)
    assert answer["code"] == 11619 and answer["data"] is None
    assert get_product(enos, pk)["code"] == 0
    enos.call("devices", "delete", assetId=made["assetId"])
    assert enos.call("products", "delete", productKey=pk)["code"] == 0
