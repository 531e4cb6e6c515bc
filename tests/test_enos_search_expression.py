"""The query-expression parser on its own: grammar, keywords, quoting, errors naming the problem."""

from __future__ import annotations

import pytest

from iotfake.providers.enos import search as s

FIELDS = {
    "productKey": s.Field("productKey", frozenset({s.EQ, s.IN}), lambda r, _: r.get("productKey")),
    "status": s.Field(
        "status", frozenset({s.EQ, s.IN}), lambda r, _: r.get("status"), choices=("online", "offline")
    ),
    "tags": s.Field(
        "tags",
        frozenset({s.EQ, s.IN, s.EXISTS, s.NOT_EXISTS}),
        s.map_reader(lambda r: r.get("tags")),
        is_map=True,
    ),
    **s.i18n_fields("name", lambda r: r.get("name")),
}

RECORDS = [
    {
        "productKey": "p1",
        "status": "online",
        "tags": {"site": "north"},
        "name": {"defaultValue": "PV Inverter"},
    },
    {"productKey": "p1", "status": "offline", "tags": {}, "name": {"defaultValue": "Inverter 2A"}},
    {
        "productKey": "p2",
        "status": "online",
        "tags": {"site": "south", "a/b-c": "x"},
        "name": {"defaultValue": "meter", "i18nValue": {"zh_CN": "电表", "en_US": "Power meter"}},
    },
]


def matching(expression: str) -> list[int]:
    node = s.parse(expression, FIELDS)
    found = [i for i, record in enumerate(RECORDS) if node(record)]
    test = s.predicate(node)  # the flat form a search runs decides alike
    assert [i for i, record in enumerate(RECORDS) if test(record)] == found
    return found


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("productKey = 'p1'", [0, 1]),
        ('productKey = "p2"', [2]),
        ("productKey in ('p2', 'p9')", [2]),
        ("productKey IN ('p1')  AND  status = 'online'", [0]),
        ("status = 'offline' Or productKey = 'p2'", [1, 2]),
        ("productKey = 'p1' and (status = 'offline' or tags.site = 'north')", [0, 1]),
        ("productKey = 'p1' and status = 'offline' or tags.site = 'south'", [1, 2]),
        ("exists(tags.site)", [0, 2]),
        ("not exists(tags.site)", [1]),
        ("tags.site exists", [0, 2]),
        ("tags.site not exists", [1]),
        ("tags.a/b-c = 'x'", [2]),
        ("tags.site in ('north', 'south')", [0, 2]),
        ("name like 'inverter'", [0, 1]),
        ("name like 'INV%'", [1]),
        ("name like '%2_'", [1]),
        ("name like 'power'", [2]),
        ("name.default like 'power'", []),
        ("name.en_US like 'power'", [2]),
        ("name.zh_CN like '电'", [2]),
        ("name.zh_CN like 'pv'", [0]),
        ("((productKey = 'p2'))", [2]),
        ("productKey = 'p1' and status = 'offline' and name like 'inverter'", [1]),
        ("status = 'online' or tags.site = 'south' or productKey = 'p9'", [0, 2]),
        ("status = 'offline' or productKey = 'p1' and tags.site = 'north'", [0, 1]),
        ("tags.site = 617", []),
    ],
)
def test_expressions_select_the_right_records(expression: str, expected: list[int]) -> None:
    assert matching(expression) == expected


def test_quotes_escape_by_doubling_or_backslash() -> None:
    assert s.parse("productKey = 'it''s'", FIELDS)({"productKey": "it's"})
    assert s.parse(r"productKey = 'it\'s'", FIELDS)({"productKey": "it's"})
    assert s.parse("""productKey = "say ""hi\"\"\"""", FIELDS)({"productKey": 'say "hi"'})


def test_like_escapes_wildcards() -> None:
    node = s.parse(r"name like '100\%'", FIELDS)
    assert node({"name": {"defaultValue": "at 100%"}})
    assert not node({"name": {"defaultValue": "at 1000"}})


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("", "expression is empty"),
        ("productKey", "expected an operator"),
        ("productKey =", "expected a quoted string or a number at the end"),
        ("productKey = 'p1' and", "expected a field name at the end"),
        ("(productKey = 'p1'", "expected ')' at the end"),
        ("productKey = 'p1')", "expected 'and', 'or' or the end at position 17"),
        ("productKey = 'p1", "the string opened at position 13 is not closed"),
        ("productKey = 'p1' ; drop", "unexpected character ';' at position 18"),
        ("colour = 'red'", "unknown field 'colour'"),
        ("tags = 'x'", "tags needs a key"),
        ("productKey like 'p%'", "productKey does not support the operator 'like'"),
        ("name = 'x'", "name does not support the operator '='"),
        ("status = 'asleep'", "status must be one of online, offline"),
        ("status in ('online', 'asleep')", "status must be one of online, offline"),
        ("productKey in ()", "expected a quoted string or a number"),
        ("productKey in 'p1'", "expected '('"),
        ("name like 5", "like takes a quoted string"),
        ("exists tags.site", "expected '('"),
        ("and = 'x'", "expected a field name"),
    ],
)
def test_bad_expressions_name_the_problem(expression: str, problem: str) -> None:
    with pytest.raises(s.ExpressionError, match=None) as caught:
        s.parse(expression, FIELDS)
    assert problem in str(caught.value)


def test_pinned_finds_a_product_key_the_expression_requires() -> None:
    assert s.pinned(s.parse("productKey = 'p1'", FIELDS)) == ("p1", True)
    assert s.pinned(s.parse("status = 'online' and productKey = 'p1'", FIELDS)) == ("p1", False)
    assert s.pinned(s.parse("status = 'online' or productKey = 'p1'", FIELDS)) == (None, False)
    assert s.pinned(s.parse("productKey in ('p1')", FIELDS)) == (None, False)
