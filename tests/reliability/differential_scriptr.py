"""scriptr calls for the differential fuzzing of the express lane: /scriptr/<module>/<function>
with parameters in the query, a JSON body, a form or split between them, and bearer tokens
right, wrong, repeated or absent."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from differential import (
    BASES,
    CLEAN,
    CONTENT_TYPES,
    ODD_BODIES,
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

FUNCTIONS = {
    "device": [
        "create",
        "save",
        "update",
        "get",
        "query",
        "delete",
        "generateToken",
        "regenerateToken",
        "revokeToken",
    ],
    "user": ["create", "save", "update", "get", "delete", "generateToken", "revokeToken"],
}
IDS = ["sd0", "s1", "s2", "s3", "s4", "ann@acme.io", "", "bad id!", "\u00e9", "scriptr"]
WRITES = ("create", "save", "update")
MULTIPART = (
    b'--b\r\nContent-Disposition: form-data; name="id"\r\n\r\ns9\r\n'
    b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nn\r\n--b--\r\n'
)


def parameters(function: str) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the parameters scriptr's modules read, and a custom field, of any JSON type."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "id": st.sampled_from([*IDS, 5, None, ["s1", "s2"]]),
        "groups": st.sampled_from(["ops", ["ops"], {"append": ["x"]}, 5]),
        "includeFieldType": st.sampled_from([True, "false", "maybe"]),
        "custom_a": st.sampled_from(["v", 1, [1], {"x": 1}, None]),
        "auth_token": st.sampled_from(["acme-owner-token", "nope", "", ["acme-owner-token"], 5]),
        "options": st.just({"expiry": 30, "includeFieldType": True}),
    }
    if function in WRITES:
        fields["name"] = st.sampled_from(["n", "", 5, "\u00e9"])
        fields["password"] = st.sampled_from(["pw-123456", "short", ""])
    if function == "query":
        fields["count"] = st.sampled_from([True, "true", "x"])
        fields["resultsPerPage"] = st.sampled_from([1, "2", 0, "x", 10**30])
        fields["fields"] = st.sampled_from(["*", "name,id", ["name"]])
        queries = st.sampled_from(['name="n"', 'id like "s%"', "((", "", 'name<"z"'])
        return st.fixed_dictionaries({"query": queries}, optional=fields)
    if "Token" in function:
        fields["expiry"] = st.sampled_from([60, "60", -1])
        fields["token"] = st.sampled_from(["acme-owner-token", "nope"])
    return some(fields)


def form(values: dict[str, Any]) -> str:
    """Parameters as a query or form: a list repeats its name, an object is JSON."""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        pairs += [
            (name, "" if v is None else json.dumps(v) if isinstance(v, dict) else str(v)) for v in items
        ]
    return urlencode(pairs)


BEARERS = [("Authorization", f"{scheme} acme-owner-token") for scheme in ("bearer", "Bearer", "BEARER")]
SCRIPTR_AUTHORIZATIONS = [
    *([pair] for pair in BEARERS),
    [("Authorization", "bearer nope")],
    [("Authorization", "Basic YWNtZTp4")],
    [("Authorization", "  bearer   acme-owner-token  ")],
    [("Authorization", "bearer ")],
    [("Authorization", "bearer acme-owner-token"), ("authorization", "bearer nope")],
    [],
]


@st.composite
def scriptr_calls(draw: st.DrawFn) -> Call:
    """A device or user module call, its parameters wherever scriptr reads them from."""
    module = draw(st.sampled_from(sorted(FUNCTIONS)))
    function = draw(st.sampled_from(FUNCTIONS[module]))
    values = draw(parameters(function))
    clean = draw(one_in(3))
    if not clean and draw(one_in(10)):
        module, function = draw(
            st.sampled_from([("devices", "get"), ("DEVICE", "get"), ("device", "Create")])
        )
    path = f"/scriptr/{module}/{function}"
    where = draw(st.sampled_from(["json", "json", "query", "form", "split", "none"]))
    query, body, content_type = "", None, None
    if where == "query":
        query = form(values)
    elif where == "form":
        body, content_type = form(values).encode(), "application/x-www-form-urlencoded"
    elif where != "none":  # a JSON body, or the parameters split between the query and one
        items = list(values.items())
        half = draw(st.integers(0, len(items))) if where == "split" else 0
        query, body, content_type = form(dict(items[:half])), encoded(dict(items[half:])), "application/json"
    if not clean:
        path = draw(odd_path(path)) if draw(one_in(6)) else path
        query = draw(query_with_noise(query)) if draw(one_in(5)) else query
        content_type = draw(st.one_of(CONTENT_TYPES, st.none())) if draw(one_in(5)) else content_type
        body = draw(ODD_BODIES) if draw(one_in(5)) else body
        if draw(one_in(12)):
            body, content_type = MULTIPART, "multipart/form-data; boundary=b"
    url = (CLEAN if clean else draw(BASES)) + path + ("?" + query if query else "")
    headers = list(draw(st.sampled_from(SCRIPTR_AUTHORIZATIONS)))
    if content_type is not None:
        headers.append((draw(header_name("Content-Type")), content_type))
    usual = "GET" if where in ("query", "none") and draw(st.booleans()) else "POST"
    return draw(shaped(clean, usual, url, headers, body))
