"""Hypothesis strategies for hostile HTTP requests: wrong types, huge and deeply nested bodies,
unicode, broken encodings, bad query strings, wrong methods.

A request is a plain dict (method, path, query, headers, body bytes) so that a failing example
prints as something one can replay with any client.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

#: text a parser may choke on: controls, surrogates' neighbours, RTL marks, NUL, emoji, quotes
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e",
        "'",
        '"',
        "\\",
        "%",
        "_",
        "%00",
        "../../etc/passwd",
        "Ω≈ç√∫",
        "🔥" * 3,
        "a" * 300,
        "null",
        "true",
        "1e999",
        "-0",
        "{}",
        "[]",
        "() or (",
        "name like '%",
    ]
)
#: an explicit alphabet: ASCII, controls, multi-byte, right-to-left, the edges of the BMP and
#: beyond (st.characters() would first build Unicode tables, seconds on a cold cache)
ALPHABET = (
    "abcXYZ019 _-.:/%'\"\\{}[]()=,&?#+*\t\n\r\x00\x01\x1f\x7f"
    "\u00e9\u00df\u0394\u03a9\u4e2d\u6587\u202e\u200b\ufeff\ud7ff\ue000\uffff\U0001f525\U0010ffff"
)
TEXT = st.one_of(NASTY_TEXT, st.text(alphabet=ALPHABET, max_size=40))

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=8,
)


def objects(fields: dict[str, st.SearchStrategy[Any]], most: int = 6) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that use a few of the API's own field names (with hostile values), sometimes with a
    stranger among them. A few fields per object keeps generation cheap: hundreds per second."""
    names = sorted(fields)
    chosen = st.lists(st.sampled_from(names), max_size=most, unique=True)
    known = chosen.flatmap(lambda picked: st.fixed_dictionaries({name: fields[name] for name in picked}))
    stranger = st.one_of(st.just({}), st.just({}), st.dictionaries(TEXT, SCALARS, max_size=1))
    return st.builds(lambda extra, found: {**extra, **found}, stranger, known)


def raw_bodies(documents: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """Bytes on the wire: mostly JSON, sometimes something no JSON parser accepts."""
    return st.one_of(
        documents.map(lambda doc: json.dumps(doc).encode()),
        documents.map(lambda doc: json.dumps(doc).encode()),
        documents.map(lambda doc: json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")),
        JSON_VALUES.map(lambda doc: json.dumps(doc).encode()),
        st.binary(max_size=64),
        st.sampled_from(
            [
                b"",
                b"{",
                b"\xff\xfe\xfd",
                b"[" * 50_000 + b"]" * 50_000,
                b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
                b"1" * 5000,
                b'{"productKey": ' + b"9" * 5000 + b"}",
                b'{"x": "' + b"y" * 200_000 + b'"}',
                b"NaN",
                b'{"a": Infinity}',
                b'"\\ud800"',
            ]
        ),
    )


def query_strings(
    params: dict[str, st.SearchStrategy[str]], usual: dict[str, st.SearchStrategy[str]] | None = None
) -> st.SearchStrategy[str]:
    """Well-formed pairs with hostile values, plus raw strings no parser expects. ``usual``
    parameters are there in most requests, so that most of them reach an operation."""
    usual = usual or {}
    pairs = st.builds(
        lambda first, rest: "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in {**first, **rest}.items()),
        st.one_of(*[st.fixed_dictionaries(usual)] * 4, st.fixed_dictionaries({}, optional=usual)),
        st.fixed_dictionaries({}, optional=params),
    )
    broken = st.sampled_from(["%", "%ZZ", "&&&", "=", "a=%00", "action", "a=1&a=2&a=3", "x" * 5000])
    return st.one_of(pairs, pairs, pairs, st.builds(lambda a, b: f"{a}&{b}", pairs, broken))


def requests(
    paths: st.SearchStrategy[str],
    params: dict[str, st.SearchStrategy[str]],
    bodies: st.SearchStrategy[bytes],
    headers: st.SearchStrategy[dict[str, str]],
    usual: dict[str, st.SearchStrategy[str]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "method": st.one_of(
                st.sampled_from(["POST", "GET"]), st.sampled_from(["POST", "GET"]), st.sampled_from(METHODS)
            ),
            "path": paths,
            "query": query_strings(params, usual),
            "headers": headers,
            "body": bodies,
        }
    )


def content_types() -> st.SearchStrategy[str | None]:
    return st.sampled_from(
        [
            None,
            "application/json",
            "application/json;charset=UTF-8",
            "text/plain",
            "application/x-www-form-urlencoded",
        ]
    )


def fuzz_settings(examples: int) -> settings:
    """Quick runs (CI) send the same requests every time; long runs explore afresh."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=examples < 1000,
        suppress_health_check=list(HealthCheck),
    )


def send(client: Any, request: dict[str, Any]) -> None:
    """Send one drawn request through a werkzeug Client; the answer must be a clean JSON refusal."""
    response = client.open(
        request["path"],
        method=request["method"],
        query_string=request["query"],
        headers=request["headers"],
        data=request["body"],
    )
    body = response.get_data()
    assert response.status_code < 500, (response.status_code, body[:500])
    assert b"Traceback" not in body
    if request["method"] != "HEAD":
        json.loads(body)
