"""SearchProduct: productKey, modelId, productType, dataFormat, productTags, productName like."""

from __future__ import annotations

from pathlib import Path

import pytest
from _enos import Enos

from iotfake import FakeCloud

FLEET = Path(__file__).parent.parent / "fixtures" / "enos_meter_fleet.json"


@pytest.fixture(scope="module")
def enos() -> Enos:
    cloud = FakeCloud(seed=1)
    cloud.load(FLEET)
    enos = Enos.wsgi(cloud, org="o_meter_fleet")
    enos.product(
        productName={"defaultValue": "Weather station", "i18nValue": {"zh_CN": "气象站"}},
        modelId="weather",
        dataFormat="Custom",
        productTags={"vendor": "acme"},
    )
    return enos


def search(enos: Enos, expression: str | None = None, **body) -> dict:
    if expression is not None:
        body["expression"] = expression
    return enos.call("products", "search", body)


def names(answer: dict) -> list[str]:
    assert answer["code"] == 0, answer
    return [p["productName"]["defaultValue"] for p in answer["data"]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (None, ["Weather station", "Feeder gateway", "Smart meter"]),
        ("productKey = 'SmMeter1'", ["Smart meter"]),
        ("productKey in ('SmMeter1', 'FeedGw01')", ["Feeder gateway", "Smart meter"]),
        ('modelId="smart_meter"', ["Smart meter"]),
        ("modelId in ('weather', 'feeder_gateway')", ["Weather station", "Feeder gateway"]),
        ("productType = 'Gateway'", ["Feeder gateway"]),
        ("dataFormat = 'Custom'", ["Weather station", "Feeder gateway"]),
        ("productTags.vendor = 'acme'", ["Weather station"]),
        ("not exists(productTags.vendor)", ["Feeder gateway", "Smart meter"]),
        ("productName like 'meter'", ["Smart meter"]),
        ("productName.zh_CN like '气象'", ["Weather station"]),
        ("productName like 'S%' or productType = 'Gateway'", ["Feeder gateway", "Smart meter"]),
    ],
)
def test_product_expressions(enos: Enos, expression: str | None, expected: list[str]) -> None:
    answer = search(enos, expression, pagination={"pageNo": 1, "pageSize": 50})
    assert names(answer) == expected
    assert answer["pagination"] == {"sortedBy": None, "pageNo": 1, "pageSize": 50, "totalSize": len(expected)}


def test_product_struct_and_projection(enos: Enos) -> None:
    (product,) = search(enos, "productKey = 'SmMeter1'")["data"]
    assert set(product) == {
        "orgId",
        "productKey",
        "productName",
        "productSecret",
        "productDesc",
        "productType",
        "dataFormat",
        "productTags",
        "modelId",
        "dynamicActivateEnabled",
        "biDirectionalAuth",
        "createTime",
        "createBy",
        "updateTime",
        "updateBy",
    }
    assert product["productDesc"] == "three-phase smart meters" and product["createTime"] == 1700000000000
    cropped = search(enos, "productKey = 'SmMeter1'", projection=["productName"])["data"]
    assert cropped == [{"productName": {"defaultValue": "Smart meter", "i18nValue": {}}}]


def test_paging_products(enos: Enos) -> None:
    answer = search(enos, pagination={"pageNo": 2, "pageSize": 2})
    assert names(answer) == ["Smart meter"]
    assert answer["pagination"]["totalSize"] == 3


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("deviceKey = 'x'", "unknown field 'deviceKey'"),
        ("dataFormat = 'Xml'", "dataFormat must be one of Custom, Json"),
        ("productName = 'Smart meter'", "productName does not support the operator '='"),
    ],
)
def test_bad_product_expressions(enos: Enos, expression: str, problem: str) -> None:
    answer = search(enos, expression)
    assert answer["code"] == 99400 and problem in answer["msg"]
