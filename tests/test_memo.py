"""The request path's memos: bounded, starting over when full, and never changing an answer."""

from __future__ import annotations

import random

import pytest

from iotfake import FakeCloud, environ, ids, memo, routing
from iotfake.providers.aws_iot import arns, auth
from iotfake.providers.enos import validation


def test_keep_remembers_until_full_then_starts_over() -> None:
    table: dict[int, str] = {}
    for number in range(3):
        assert memo.keep(table, number, str(number), 3) == str(number)
    assert table == {0: "0", 1: "1", 2: "2"}
    memo.keep(table, 3, "3", 3)
    assert table == {3: "3"}  # the values sent now are kept, not the first ones ever sent


def test_keep_replaces_a_key_it_holds() -> None:
    table = {"a": 1}
    memo.keep(table, "a", 2, 1)
    assert table == {"a": 2}


SIGNATURE = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/{region}/iot/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "a" * 64
)


_REGISTRY = FakeCloud().registry

# each memo with what fills it: a distinct client value per number, and the answer expected
# whether the memo holds that value or not (the query and session-header memos have their own
# tests beside their fast paths: test_wire_request_fast_paths, test_transports_environ)
MEMOS = {
    "environ keys": (
        lambda: environ._ENVIRON_KEYS,
        512,
        lambda n: environ.environ_key(f"X-Custom-{n}"),
        lambda n: f"HTTP_X_CUSTOM_{n}",
    ),
    "scopes": (
        lambda: auth._SCOPES,
        256,
        lambda n: (
            auth.parse(SIGNATURE.format(region=f"eu-west-{n % 90}").replace("AKID", f"K{n}")).access_key
        ),
        lambda n: f"K{n}EXAMPLE",
    ),
    "arn prefixes": (
        lambda: arns._PREFIXES,
        1024,
        lambda n: arns.arn(f"{n:012d}/us-east-1", "thing/x"),
        lambda n: f"arn:aws:iot:us-east-1:{n:012d}:thing/x",
    ),
    "time zones": (
        lambda: validation._TIMEZONES,
        1024,
        lambda n: validation.timezone(f"+{n // 60 % 14:02d}:{n % 60:02d}"),
        lambda n: f"+{n // 60 % 14:02d}:{n % 60:02d}",
    ),
    "regions": (
        lambda: auth._REGIONS,
        64,
        lambda n: auth.identify(_REGISTRY, auth.parse(SIGNATURE.format(region=f"eu-west-{n % 100}")))[1],
        lambda n: f"eu-west-{n % 100}",
    ),
    "alphabets": (
        lambda: ids._alphabets,
        64,
        lambda n: set(ids._draw(random.Random(n), 50, f"ab{chr(0x100 + n)}")) <= set(f"ab{chr(0x100 + n)}"),
        lambda n: True,
    ),
}


@pytest.mark.parametrize("name", list(MEMOS))
def test_a_memo_stays_bounded_and_answers_the_same(name: str) -> None:
    table, size, ask, expected = MEMOS[name]
    for number in range(size * 2 + 7):
        assert ask(number) == expected(number)
        assert 0 < len(table()) <= size
    for number in range(size * 2 + 7):  # some held again, most made again: the same answers
        assert ask(number) == expected(number)


def test_the_route_index_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "_INDEX_SIZE", 8)
    from iotfake.app import _pattern_routes

    routes = _pattern_routes()
    saved = dict(routes._index)
    routes._index.clear()
    try:
        answers = [routes.match(f"/things/t{n}" + "/x" * (n % 20), "GET") for n in range(40)]
        assert len(routes._index) <= 8
        routes._index.clear()
        assert [routes.match(f"/things/t{n}" + "/x" * (n % 20), "GET") for n in range(40)] == answers
        assert answers[0] == (("aws", answers[0][0][1]), {"thingName": "t0"})
    finally:
        routes._index.clear()
        routes._index.update(saved)
