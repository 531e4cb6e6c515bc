"""The fast path for converter rules gives werkzeug's answer, or steps aside."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from iotfake.app import _adapter, _werkzeug_endpoint, url_map
from iotfake.routing import PatternRoutes, _read, _segments

ROUTES = PatternRoutes(url_map().iter_rules())
#: as the app builds it: a path several rules fit is decided as werkzeug ranked those rules
DECIDED = PatternRoutes(url_map().iter_rules(), decide=_werkzeug_endpoint)
RULES = [rule for rule in url_map().iter_rules() if rule.arguments]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
VALUES = ["t1", "a-b_c.d", "x:y@z", "caf\u00e9", "a b", "a/b", "shadow", "1"]


def werkzeug(path: str, method: str) -> tuple[object, dict] | None:
    try:
        return _adapter().match(path, method)
    except HTTPException:
        return None


def sample(rule: Rule, value: str) -> str:
    return re.sub(
        r"<(?:[^>:]+:)?(\w+)>", lambda part: "device" if "any(" in part.group(0) else value, rule.rule
    )


@pytest.mark.parametrize("value", VALUES)
def test_every_served_rule_matches_as_werkzeug_does(value: str) -> None:
    decided = 0
    for rule in RULES:
        path = sample(rule, value)
        for method in sorted(rule.methods or ()):
            fast = ROUTES.match(path, method)
            if fast is not None:
                decided += 1
                assert fast == werkzeug(path, method), (rule.rule, path, method)
    if "/" not in value:
        assert decided > len(RULES) // 2  # the fast path really decides most calls


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["things", "t1", "shadow", "scriptr", "device", "user", "create", "", "jobs", "x"]),
        max_size=5,
    ),
    st.sampled_from(METHODS),
)
def test_arbitrary_paths_never_disagree(parts: list[str], method: str) -> None:
    path = "/" + "/".join(parts)
    for routes in (ROUTES, DECIDED):  # DECIDED keeps its rankings between examples
        fast = routes.match(path, method)
        if fast is not None:
            assert fast == werkzeug(path, method)


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_a_path_several_rules_fit_is_decided_as_werkzeug_ranked_them_once(method: str) -> None:
    routes = PatternRoutes(url_map().iter_rules(), decide=_werkzeug_endpoint)
    asked = []

    def decide(path: str, method: str) -> object:
        asked.append(path)
        return _werkzeug_endpoint(path, method)

    routes._decide = decide
    for value in VALUES:
        path = f"/things/{value}/shadow"
        fast = routes.match(path, method)
        assert fast == werkzeug(path, method), path
    assert asked == ["/things/t1/shadow"]  # ranked once, read from the segments afterwards


def test_ambiguous_slashed_and_unknown_paths_go_to_werkzeug() -> None:
    # DescribeThing's <path:thingName> and the shadow route both fit: werkzeug's priorities decide
    assert ROUTES.match("/things/t1/shadow", "GET") is None
    assert ROUTES.match("/things/t1/", "GET") is None
    assert ROUTES.match("/things//t1", "GET") is None
    assert ROUTES.match("/no-such-api/x", "GET") is None
    assert ROUTES.match("/scriptr/device/create", "POST") == (
        ("scriptr", "script"),
        {"module": "device", "function": "create"},
    )


def test_rules_beyond_the_fast_path_leave_their_segment_to_werkzeug() -> None:
    rules = Map(
        [Rule("/a/<int:n>", endpoint="int"), Rule("/a/<name>", endpoint="name"), Rule("/b/<x>", endpoint="b")]
    )
    routes = PatternRoutes(rules.iter_rules())
    assert routes.match("/a/7", "GET") is None
    assert routes.match("/b/7", "GET") == ("b", {"x": "7"})
    slashed = PatternRoutes(Map([Rule("/c/", endpoint="c"), Rule("/<x>", endpoint="x")]).iter_rules())
    assert slashed.match("/c", "GET") is None


SEGMENT_TEXT = st.text(alphabet=st.sampled_from("ab/-_.$\n\t %é"), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(SEGMENT_TEXT, st.sampled_from(["device", "user", "shadow", "jobs", "$next"])), max_size=5
    )
)
def test_segments_read_a_path_as_the_rules_regex_does(parts: list[str]) -> None:
    # every rule read by its segments answers as its regex would, for paths the fast path reads
    for bucket, patterns in ROUTES._buckets.items():
        path = "/" + "/".join([bucket, *parts])
        if path.endswith("/") or "//" in path:
            continue  # match sends these to werkzeug before any rule is tried
        if "\n" in path:  # match reads these with the regexes (a path converter's ``.``)
            for method in METHODS:
                fast = ROUTES.match(path, method)
                assert fast is None or fast == werkzeug(path, method), path
            continue
        split = path.split("/")
        for pattern in patterns:
            if pattern.segments is None or not (
                path.count("/") == pattern.slashes
                or (not pattern.exact and path.count("/") > pattern.slashes)
            ):
                continue
            hit = pattern.regex.fullmatch(path)
            assert _read(pattern.segments, split) == (None if hit is None else hit.groupdict()), path


def test_most_rules_are_read_by_their_segments() -> None:
    patterns = [pattern for bucket in ROUTES._buckets.values() for pattern in bucket]
    assert sum(pattern.segments is not None for pattern in patterns) > 0.9 * len(patterns)
    assert _segments("/a/pre-<x>") is None and _segments("/a/<path:p>/b") is None


def test_segments_read_synthetic_rules_as_werkzeug_does() -> None:
    # rules the served map lacks: quoted and spaced any() choices, a trailing path converter
    rules = Map(
        [
            Rule("/m/<any('alpha', \"beta\" ,  gamma):kind>/<name>", endpoint="kind", methods=["GET"]),
            Rule("/p/<x>/files/<path:rest>", endpoint="files", methods=["GET"]),
            Rule("/q/fixed/<y>", endpoint="fixed", methods=["GET"]),
        ]
    )
    routes, adapter = PatternRoutes(rules.iter_rules()), rules.bind("iotfake")
    paths = [
        "/m/alpha/n1",
        "/m/beta/n1",
        "/m/gamma/n1",
        "/m/'alpha'/n1",
        "/m/delta/n1",
        "/m/ gamma/n1",
        "/p/a/files/b",
        "/p/a/files/b/c/d",
        "/p/a/other/b",
        "/q/fixed/z",
        "/q/other/z",
    ]
    for path in paths:
        try:
            expected = adapter.match(path, "GET")
        except HTTPException:
            expected = None
        fast = routes.match(path, "GET")
        assert fast is None or fast == expected, path
    assert routes.match("/m/beta/n1", "GET") == ("kind", {"kind": "beta", "name": "n1"})
    assert routes.match("/p/a/files/b/c", "GET") == ("files", {"x": "a", "rest": "b/c"})
