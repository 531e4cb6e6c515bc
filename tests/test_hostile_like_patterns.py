"""``like`` patterns that would backtrack catastrophically answer at once, on EnOS and scriptr.

A regex with one ``.*`` per ``%`` tries every split of the value between them: a 200-character
name against ``%a%a%a%a%a%a%b`` is ~10^11 steps, run under the registry lock with the GIL held,
so every other request waits. Each case below took minutes or more before the matcher became
linear; the bound asserted is seconds, not a measurement.
"""

from __future__ import annotations

import re
import time

import pytest
from _enos import Enos
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.like import LikePattern

LONG = "a" * 200
PATHOLOGICAL = "%a%a%a%a%a%a%b"
SCRIPTR = {"Authorization": "bearer owner-token"}

#: the README's documented limit ("Hostile input": like patterns take at most 256 characters),
#: as a literal so that a change to the code's constant fails here
PATTERN_CHARS = 256


def test_enos_search_with_a_pathological_like_answers_fast() -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    enos.device(pk, deviceKey="long-name", deviceName={"defaultValue": LONG})
    enos.device(pk, deviceKey="match-one", deviceName={"defaultValue": LONG + "b"})
    started = time.monotonic()
    answer = enos.search(f"deviceName like '{PATHOLOGICAL}'")
    assert time.monotonic() - started < 5
    assert answer["code"] == 0
    assert [d["deviceKey"] for d in answer["data"]] == ["match-one"]


def test_scriptr_query_with_a_pathological_like_answers_fast() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    for name in (LONG, LONG + "b"):
        made = client.post(
            "/scriptr/device/create",
            json={"name": name, "id": name[-6:], "password": "pw-123456"},
            headers=SCRIPTR,
        )
        assert made.json["response"]["result"]["metadata"]["status"] == "success", made.json
    started = time.monotonic()
    answer = client.post(
        "/scriptr/device/query", json={"query": f'name like "{PATHOLOGICAL}"'}, headers=SCRIPTR
    )
    assert time.monotonic() - started < 5
    assert [d["name"] for d in answer.json["response"]["result"]["result"]["devices"]] == [LONG + "b"]


def test_too_long_a_pattern_is_refused_naming_the_limit() -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    enos.product()
    assert enos.search(f"deviceName like '{'%' * PATTERN_CHARS}'")["code"] == 0  # the limit itself
    pattern = "%" * (PATTERN_CHARS + 1)
    answer = enos.search(f"deviceName like '{pattern}'")
    assert answer["code"] == 99400
    assert "at most 256 characters" in answer["msg"]
    scriptr = Client(cloud.wsgi_app).post(
        "/scriptr/device/query", json={"query": f'name like "{pattern}"'}, headers=SCRIPTR
    )
    detail = scriptr.json["response"]["result"]["metadata"]
    assert detail["errorCode"] == "INVALID_QUERY_REQUEST"
    assert "at most 256 characters" in detail["errorDetail"]


# -- the matcher's semantics, shared by both providers ---------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "options", "text", "expected"),
    [
        ("%a%a%b", {}, "xaxayb", True),
        ("%a%a%b", {}, "xaxayc", False),
        ("a%", {}, "abc", True),
        ("a%", {}, "bac", False),
        ("%c", {}, "abc", True),
        ("%c", {}, "abcd", False),
        ("a_c", {}, "abc", True),
        ("a_c", {}, "abbc", False),
        ("a%_c", {}, "ac", False),
        ("a%_c", {}, "abc", True),
        ("%ab%ba%", {}, "aba", False),  # segments may not overlap
        ("%ab%ba%", {}, "abba", True),
        ("%", {}, "", True),
        ("", {}, "", True),
        ("", {}, "x", False),
        ("ABC", {}, "abc", False),
        ("ABC", {"fold": True}, "abc", True),
        ("a_C%", {"fold": True}, "AbcD", True),
        ("line1%", {}, "line1\nline2", True),
        ("_", {}, "\n", True),
        # EnOS: a backslash escapes a wildcard; no % means "anywhere in the value"
        (r"100\%", {"escape": "\\"}, "100%", True),
        (r"100\%", {"escape": "\\"}, "1000", False),
        (r"a\_b", {"escape": "\\"}, "axb", False),
        ("vert", {"fuzzy": True}, "Inverter", True),
        ("vert", {}, "Inverter", False),
        ("in%", {"fuzzy": True}, "Inverter", False),
        ("In%", {"fuzzy": True}, "Inverter", True),
    ],
)
def test_like_semantics(pattern: str, options: dict, text: str, expected: bool) -> None:
    assert LikePattern(pattern, **options)(text) is expected


def test_the_matcher_scans_each_segment_once() -> None:
    """Linear in the value for a fixed pattern: doubling the value doubles at most the work."""
    matcher = LikePattern("%a" * 50 + "%b")
    started = time.monotonic()
    for size in (1_000, 100_000):
        assert matcher("a" * size) is False
        assert matcher("a" * size + "b") is True
    assert time.monotonic() - started < 5


@settings(max_examples=600, deadline=None)
@given(st.text("aAsSb%_\n", max_size=6), st.text("aAsSb\n\u017f", max_size=8), st.booleans())
def test_the_matcher_decides_as_the_pattern_read_as_a_regex(pattern: str, text: str, fold: bool) -> None:
    """Literal patterns (compared with str methods) and the rest (with a regex per segment)
    both decide as ``%`` = ``.*`` and ``_`` = ``.`` over the whole value would, folded or not
    (the long s, U+017F, folds to "s" in a regex, not in ``lower()``)."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if fold else 0)
    assert LikePattern(pattern, fold=fold)(text) is (re.fullmatch(regex, text, flags) is not None)
