"""The fleet indexing query parser: what it accepts (the AST) and its messages for malformed
queries, which SearchIndex answers as InvalidQueryException."""

from __future__ import annotations

import pytest

from iotfake.providers.aws_iot.indexing.query import And, Not, Or, QueryError, Range, Term, parse


def term(query: str) -> Term:
    node = parse(query)
    assert isinstance(node, Term)
    return node


def test_default_operator_and_precedence() -> None:
    node = parse("a b OR c NOT d")
    assert isinstance(node, Or)
    first, second = node.items
    assert isinstance(first, And) and [t.value.text for t in first.items] == ["a", "b"]
    assert isinstance(second, And) and isinstance(second.items[1], Not)


def test_field_grouping_gives_the_field_to_bare_terms() -> None:
    node = parse("thingName:(tv* AND -plasma)")
    assert isinstance(node, And)
    assert node.items[0].field == "thingName"
    assert isinstance(node.items[1], Not) and node.items[1].item.field == "thingName"


def test_ranges_and_comparisons() -> None:
    assert term("a:[1 TO 5}").value == Range("1", "5", True, False)
    assert term("a:{* TO abc]").value == Range(None, "abc", False, True)
    assert term("a>=3").value == Range("3", None, True, False)
    assert term("a < 3").value == Range(None, "3", False, False)
    assert term("connectivity.timestamp : [1 TO 2]").value == Range("1", "2", True, True)
    assert term('a:["x y" TO "z"]').value == Range("x y", "z", True, True)


def test_words_phrases_escapes_and_negative_numbers() -> None:
    assert term("a:-5").value.text == "-5"
    assert term('a:"new york"').value.quoted
    assert term('a:"say \\"hi\\""').value.text == 'say "hi"'
    escaped = term("a:x\\*y").value
    assert escaped.text == "x*y" and escaped.pattern is None
    assert term("a:x*y").value.pattern is not None
    assert term("a:+x").value.text == "+x"
    assert term("+x").value.text == "x"  # '+' (required) is what AND already means


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "The query is empty"),
        ("   ", "The query is empty"),
        ("(a", "Missing ')' for the '(' at position 1"),
        ("a)", "Unbalanced ')' at position 2"),
        ("()", "Empty parentheses at position 1"),
        ("a AND", "The query ends where a term is expected"),
        ("a OR OR b", "Unexpected 'OR' at position 6"),
        ("NOT", "'NOT' at position 1 must be followed by a term"),
        ("a - b", "'-' at position 3 must be followed directly by a term"),
        ("thingName:", "Field 'thingName' at position 1 has no value"),
        ("thingName:)", "Field 'thingName' at position 1 has no value"),
        ("a:b:c", "Unexpected ':' at position 4"),
        ('a:"open', "Unterminated quoted string starting at position 3"),
        ("a:x\\", "A '\\' at position 4 escapes nothing"),
        ("[1 TO 2]", "A range needs a field (the range at position 1)"),
        ("a:[1 2]", "Expected 'TO' at position 6, found '2'"),
        ("a:[1 TO", "Expected the range's upper bound at position 8, found the end of the query"),
        ("a:[1 TO 2", "Expected ']' or '}' to close the range at position 3"),
        ("a:[1 TO abc]", "The range at position 3 mixes a number and a string"),
        ("a:[1* TO 2]", "Wildcards are not allowed in a range bound (position 4)"),
        ("a>", "'a>' at position 1 needs a plain value to compare with"),
        ("a>b*", "'a>' at position 1 needs a plain value to compare with"),
        ("attr*:x", "Wildcards are not allowed in a field name ('attr*' at position 1)"),
        ("thingName:a@b", "Unsupported character '@' at position 12: quote the value or escape it with '\\'"),
        ("a;b", "Unsupported character ';' at position 2"),
        ("a && b", "'&&' at position 3 is not supported: use AND"),
        ("*a AND *b", "Leading wildcard use is limited to 1 query term per query"),
        (
            "thingName:*a AND " + " AND ".join(["x"] * 30),
            "The query has 31 terms; the maximum number of terms in a query is 12",
        ),
        (
            "thingName:*a " + "b" * 100,
            "Queries that include a leading wildcard have a max query length of 100 characters; "
            "this one has 113",
        ),
        (
            " ".join(f"t{i}" for i in range(13)),
            "The query has 13 terms; the maximum number of terms in a query is 12",
        ),
    ],
)
def test_malformed_queries_say_what_is_wrong(query, message) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert message in str(caught.value)


def test_limits_hold_at_their_edges() -> None:
    parse(" ".join(f"t{i}" for i in range(12)))
    parse("thingName:*a " + "b" * 87)  # exactly 100 characters
    parse("thingName:* attributes.a:*")  # a lone '*' is no leading wildcard
    parse('a:"x@y;z"')  # quoted, special characters are plain text
    parse("a:x\\@y")


def test_nesting_is_bounded() -> None:
    parse("(" * 32 + "a" + ")" * 32)
    with pytest.raises(QueryError, match="deeper than 32 levels"):
        parse("(" * 5000 + "a" + ")" * 5000)
    with pytest.raises(QueryError, match="deeper than 32 levels"):
        parse("NOT " * 5000 + "a")
    with pytest.raises(QueryError, match="deeper than 32 levels"):
        parse("-" * 5000 + "a")


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("a*", "abc", True),
        ("a*", "ba", False),
        ("*c", "abc", True),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "aXbY", False),
        ("*", "", True),
        ("a\\*", "a*", True),
        ("a\\*", "ab", False),
        ("A*", "abc", True),  # patterns are lower-cased; values are lower-cased when indexed
    ],
)
def test_wildcards(pattern, text, expected) -> None:
    word = term(f"f:{pattern}").value
    if word.pattern is None:
        assert (word.text.lower() == text) is expected
    else:
        assert word.pattern.matches(text) is expected


def test_many_stars_against_a_long_value_do_not_backtrack_exponentially() -> None:
    # a regular expression would take exponential time here (the suite would hang)
    word = term("f:" + "a*" * 40 + "b").value
    assert not word.pattern.matches("a" * 800)
    assert word.pattern.matches("a" * 800 + "b")
