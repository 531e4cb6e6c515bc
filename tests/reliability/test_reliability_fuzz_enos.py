"""Hostile requests against the EnOS surface: never a 5xx, never a traceback, always JSON, and
the registry's indexes and quotas still agree afterwards.

The quick form sends a few hundred requests; ``pytest -m slow tests/reliability`` sends 10,000.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hostile import JSON_VALUES, TEXT, content_types, fuzz_settings, objects, raw_bodies, requests, send
from hypothesis import given
from hypothesis import strategies as st
from reliability_helpers import assert_consistent
from werkzeug.test import Client

from iotfake import FakeCloud

FIXTURES = {
    "enos": {
        "orgs": [
            {
                "orgId": "o1",
                "products": [
                    {"productKey": "PK1", "productName": "Meter", "modelId": "m", "quota": 5},
                    {"productKey": "PK2", "productName": "Inverter", "modelId": "i", "quota": None},
                ],
                "devices": [
                    {"productKey": "PK1", "deviceKey": "meter-001", "assetId": "Asset001"},
                    {"productKey": "PK2", "deviceKey": "inv-001", "deviceTags": {"site": "north"}},
                ],
            }
        ]
    }
}

ACTIONS = ["create", "get", "update", "delete", "enable", "disable", "replaceDevice", "search", "batchCreate"]
PATHS = st.one_of(
    st.just("/connect-service/v2.1/devices"),
    st.just("/connect-service/v2.1/devices"),
    st.just("/connect-service/v2.1/products"),
    st.sampled_from(
        [
            "/connect-service/v2.0/devices",
            "/apim-token-service/v2.0/token/get",
            "/apim-token-service/v2.0/token/refresh",
            "/connect-service/v2.1/devices/",
            "/connect-service/v2.1//devices",
            "/connect-service/v3/devices",
        ]
    ),
    TEXT.map(
        lambda t: "/connect-service/v2.1/" + json.dumps(t)[1:-1].replace("?", "%3F").replace("#", "%23")
    ),
)
KEYS = st.one_of(st.sampled_from(["PK1", "PK2", "meter-001", "inv-001", "Asset001"]), TEXT)
USUAL = {
    "action": st.one_of(st.sampled_from(ACTIONS), st.sampled_from(ACTIONS), TEXT),
    "orgId": st.one_of(st.just("o1"), st.just("o1"), st.just("o2"), TEXT),
}
PARAMS = {
    "assetId": KEYS,
    "productKey": KEYS,
    "deviceKey": KEYS,
}
NAMES = st.one_of(
    JSON_VALUES, st.fixed_dictionaries({"defaultValue": TEXT}, optional={"i18nValue": JSON_VALUES})
)
EXPRESSIONS = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "productKey = 'PK1'",
            "productKey = 'PK1' and deviceName like 'm%'",
            "deviceTags.site in ('north', 'south') or not exists(deviceAttributes.x)",
            "(" * 40 + "status = 'online'" + ")" * 40,
            "deviceName like '" + "%_" * 200 + "'",
            "assetId in (" + ",".join(f"'{n}'" for n in range(500)) + ")",
        ]
    ),
)
DEVICE = objects(
    {
        "productKey": KEYS,
        "deviceKey": KEYS,
        "newDeviceKey": KEYS,
        "deviceName": NAMES,
        "timezone": st.one_of(st.sampled_from(["+08:00", "UTC", "Mars/Olympus", "+99:99"]), JSON_VALUES),
        "deviceAttributes": JSON_VALUES,
        "deviceTags": st.one_of(JSON_VALUES, st.dictionaries(TEXT, TEXT, max_size=3)),
        "deviceDesc": JSON_VALUES,
        "expression": EXPRESSIONS,
        "pagination": st.one_of(
            JSON_VALUES, st.fixed_dictionaries({}, optional={"pageNo": JSON_VALUES, "pageSize": JSON_VALUES})
        ),
        "projection": st.one_of(JSON_VALUES, st.lists(TEXT, max_size=4)),
        "productName": NAMES,
        "productType": st.one_of(st.sampled_from(["Device", "Gateway"]), JSON_VALUES),
        "dataFormat": st.one_of(st.sampled_from(["Json", "Custom"]), JSON_VALUES),
        "modelId": JSON_VALUES,
        "biDirectionalAuth": JSON_VALUES,
        "productTags": JSON_VALUES,
        "appKey": JSON_VALUES,
        "encryption": JSON_VALUES,
        "timestamp": JSON_VALUES,
    }
)
#: nearly valid CreateDevice/UpdateDevice bodies, so that some requests change state
VALID_ISH = st.fixed_dictionaries(
    {
        "productKey": st.sampled_from(["PK1", "PK2"]),
        "timezone": st.just("+08:00"),
        "deviceName": st.just({"defaultValue": "m"}),
    },
    optional={
        "deviceKey": KEYS,
        "newDeviceKey": KEYS,
        "deviceTags": JSON_VALUES,
        "deviceAttributes": JSON_VALUES,
    },
)
BATCH = st.fixed_dictionaries({"deviceList": st.lists(st.one_of(DEVICE, VALID_ISH), max_size=3)})
BODIES = raw_bodies(st.one_of(DEVICE, VALID_ISH, VALID_ISH, BATCH))
HEADERS = st.builds(
    lambda token, kind: {
        **({"apim-accesstoken": token} if token is not None else {}),
        **({"Content-Type": kind} if kind else {}),
    },
    st.one_of(st.just("t"), st.just("t"), st.none(), TEXT.filter(lambda t: "\n" not in t and "\r" not in t)),
    content_types(),
)
HOSTILE = requests(PATHS, PARAMS, BODIES, HEADERS, USUAL)


@pytest.mark.parametrize(
    "examples", [pytest.param(200, id="quick"), pytest.param(10_000, id="long", marks=pytest.mark.slow)]
)
def test_hostile_enos_requests(examples: int) -> None:
    cloud = FakeCloud(seed=21).seed(FIXTURES)
    client = Client(cloud.wsgi_app)

    @fuzz_settings(examples)
    @given(request=HOSTILE)
    def hostile(request: dict[str, Any]) -> None:
        send(client, request)

    hostile()
    assert_consistent(cloud)
    assert len(cloud.journal.calls(provider="enos")) > 0
