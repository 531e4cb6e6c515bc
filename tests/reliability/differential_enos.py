"""EnOS calls for the differential fuzzing of the express lane: Connect's devices and products
by action, with the issued token, another or none, signed for strict mode or not; the token
service beside them."""

from __future__ import annotations

import hashlib
from typing import Any

from differential import (
    APP_KEY,
    APP_SECRET,
    BASES,
    CLEAN,
    CONTENT_TYPES,
    NOW,
    ODD_BODIES,
    TOKEN,
    Call,
    encoded,
    header_name,
    odd_path,
    one_in,
    query_with_noise,
    shaped,
    some,
)
from hypothesis import strategies as st

CONNECT = "/connect-service/v2.1"
ACTIONS = {
    f"{CONNECT}/devices": [
        "create",
        "get",
        "update",
        "delete",
        "enable",
        "disable",
        "replaceDevice",
        "search",
        "batchCreate",
    ],
    f"{CONNECT}/products": ["create", "get", "search", "update", "delete"],
    "/connect-service/v2.0/devices": ["batchCreate"],
}
TOKEN_SERVICE = ["/apim-token-service/v2.0/token/get", "/apim-token-service/v2.0/token/refresh"]
ORGS = st.sampled_from(["o1", "o1", "o2", "", "o%31", "o+1", "\u00e9", "O1"])
PRODUCT_KEYS = ["p1", "p1", "p2", "", "nope", "P1"]
DEVICE_KEYS = ["dev0", "dev1", "dev2", "dev3", "dev4", "d1", "bad key!", "", "abc"]
TOKENS = [TOKEN, TOKEN, "t1", "", "x" * 400]
NAMES_I18N = st.sampled_from(
    [
        {"defaultValue": "Meter"},
        {"defaultValue": "m", "i18nValue": {"en_US": "m"}},
        {"defaultValue": ""},
        {"defaultValue": "\u00e9\ud800"},
        {"defaultValue": "n", "i18nValue": {"zh": 5}},
        "plain",
        None,
    ]
)
DEVICES = st.one_of(
    st.fixed_dictionaries(
        {
            "productKey": st.sampled_from(["p1", "p1", "p2"]),
            "deviceKey": st.sampled_from(DEVICE_KEYS[:6]),
            "deviceName": st.just({"defaultValue": "d"}),
            "timezone": st.just("+08:00"),
        },
        optional={"deviceTags": st.just({"t": "v"}), "newDeviceKey": st.sampled_from(DEVICE_KEYS[:6])},
    ),
    some(
        {
            "productKey": st.sampled_from([*PRODUCT_KEYS, 5]),
            "deviceKey": st.sampled_from([*DEVICE_KEYS, None, 7]),
            "deviceName": NAMES_I18N,
            "timezone": st.sampled_from(["+08:00", "UTC", "Asia/Shanghai", "+15:00", "", "bogus", 8]),
            "deviceAttributes": st.sampled_from([{}, {"a": 1}, {"a": [1, {"b": 2}]}, [], "x"]),
            "deviceTags": st.sampled_from([{}, {"t": "v"}, {"bad key!": "v"}, {"t": 5}, None]),
            "deviceDesc": st.sampled_from(["d", "", None, 5]),
            "newDeviceKey": st.sampled_from(DEVICE_KEYS),
            "assetId": st.sampled_from(["a", "x"]),
        }
    ),
)
PRODUCTS = st.one_of(
    st.fixed_dictionaries(
        {
            "productName": st.just({"defaultValue": "M"}),
            "productType": st.just("Device"),
            "dataFormat": st.just("Json"),
            "modelId": st.just("m"),
            "biDirectionalAuth": st.just(False),
            "productKey": st.sampled_from(["p2", "p3"]),
        }
    ),
    some(
        {
            "productName": NAMES_I18N,
            "productType": st.sampled_from(["Device", "Gateway", "bogus"]),
            "dataFormat": st.sampled_from(["Json", "Custom", "x"]),
            "modelId": st.sampled_from(["m", "", 5]),
            "biDirectionalAuth": st.sampled_from([True, False, "false", None]),
            "productTags": st.sampled_from([{}, {"t": "v"}, "x"]),
            "productDesc": st.sampled_from(["d", "", None]),
            "productKey": st.sampled_from(["p2", "p3", *PRODUCT_KEYS]),
        }
    ),
)
EXPRESSIONS = ["productKey = 'p1'", "deviceKey like 'dev%'", "", "((", "deviceKey in ('dev0','d1')"]
SEARCHES = some(
    {
        "expression": st.sampled_from(
            [*EXPRESSIONS, "productName.default = 'Meter'", "deviceTags.t = 'v'", 5]
        ),
        "pagination": st.sampled_from(
            [
                {"pageNo": 1, "pageSize": 2},
                {"pageNo": 2, "pageSize": 1, "sorters": [{"field": "createTime", "order": "DESC"}]},
                {"pageNo": 0},
                {"pageSize": 10**20},
                "x",
                None,
            ]
        ),
        "projection": st.sampled_from([["deviceKey"], ["productKey", "deviceName.defaultValue"], [], "x"]),
    }
)
BATCHES = st.fixed_dictionaries(
    {"productKey": st.sampled_from(PRODUCT_KEYS), "devices": st.lists(DEVICES, max_size=3)}
)


def connect_body(path: str, action: str | None) -> st.SearchStrategy[Any]:
    """The body an action reads (a product, a search, a batch), whichever action it went with."""
    if "products" in path:
        return st.one_of(PRODUCTS, SEARCHES)
    return {"search": SEARCHES, "batchCreate": st.one_of(BATCHES, DEVICES)}.get(action or "", DEVICES)


@st.composite
def connect_call(draw: st.DrawFn, clean: bool) -> tuple[str, str, list[str], Any]:
    """Method, path, query parts and body of an EnOS Connect call."""
    path = draw(st.sampled_from(sorted(ACTIONS)))
    actions = ACTIONS[path]
    action = draw(st.sampled_from(actions if clean else [*actions, "", "frobnicate", None]))
    org = "o1" if clean else draw(st.one_of(ORGS, st.none()))
    query = [f"{name}={value}" for name, value in (("action", action), ("orgId", org)) if value is not None]
    if draw(st.booleans()):
        query.reverse()
    for name, pool in (("productKey", PRODUCT_KEYS), ("deviceKey", DEVICE_KEYS), ("assetId", ["a", "x", ""])):
        if draw(one_in(3)):
            query.append(f"{name}={draw(st.sampled_from(pool))}")
    if not clean and draw(one_in(6)):  # a repeated name: the first one counts
        query.append(draw(st.sampled_from(["action=get", "orgId=o2", "orgId=", "action=create"])))
    return draw(st.sampled_from(["POST", "POST", "GET"])), path, query, draw(connect_body(path, action))


@st.composite
def token_service_call(draw: st.DrawFn) -> tuple[str, str, list[str], Any]:
    """Method, path, query parts and body of a token service call (now and then a field short)."""
    path = draw(st.sampled_from(TOKEN_SERVICE))
    timestamp = draw(st.sampled_from([str(int(NOW * 1000)), int(NOW * 1000), "x"]))
    good = hashlib.sha256(f"{APP_KEY}{timestamp}{APP_SECRET}".encode()).hexdigest()
    fields = {
        "appKey": draw(st.sampled_from([APP_KEY, APP_KEY, "nope", 5])),
        "timestamp": timestamp,
        "encryption": draw(st.sampled_from([good, good.upper(), "bad"])),
    }
    if path.endswith("refresh"):
        fields["accessToken"] = draw(st.sampled_from([TOKEN, "nope"]))
    return "POST", path, [], {k: v for k, v in fields.items() if not draw(one_in(8))}


@st.composite
def enos_calls(draw: st.DrawFn) -> Call:
    """A Connect call (or, one time in six, a token service call) with a token or a signature."""
    clean = draw(one_in(3))
    method, path, query, document = draw(st.one_of(*[connect_call(clean)] * 5, token_service_call()))
    text = "&".join(query)
    if not clean:
        text = draw(query_with_noise(text)) if draw(one_in(4)) else text
        path = draw(odd_path(path)) if draw(one_in(7)) else path
    url = (CLEAN if clean else draw(BASES)) + path + ("?" + text if text else "")
    body = encoded(document) if clean or not draw(one_in(4)) else draw(ODD_BODIES)
    headers: list[tuple[str, Any]] = []
    token = draw(st.sampled_from([*TOKENS, "none", "signed", "signed"]))
    if token not in ("none", "signed"):
        headers.append((draw(header_name("apim-accesstoken")), token))
        if draw(one_in(7)):  # a second spelling of it
            headers.append(("APIM-AccessToken", draw(st.sampled_from(TOKENS))))
    if not draw(one_in(4)):
        headers.append(
            (draw(header_name("Content-Type")), "application/json" if clean else draw(CONTENT_TYPES))
        )
    return draw(shaped(clean, method, url, headers, body, "enos" if token == "signed" else None))
