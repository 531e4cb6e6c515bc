"""Whether an index document matches a parsed query.

Matching follows the guide's notes: search is case insensitive; string values are split into
words at white space and a term matches any word (a quoted phrase matches consecutive words, or
the whole value); a number in the query matches a numeric value by value (``75`` matches an
attribute ``"75.0"``); ranges compare numbers numerically when their bounds are numbers and
strings lexicographically when they are strings (a value of the other kind is outside any range);
``field:*`` matches a thing that has the field (or any field below it: ``shadow.reported.location``
of an object); a free-text term searches every registry and shadow field, and a lone ``*`` matches
everything. A field the index does not hold (a typo, or shadow fields with REGISTRY indexing)
simply matches nothing, as a search engine's unmapped field does.

A query is compiled once (``predicate``) into nested closures with its words lower-cased, its
numbers parsed and its range bounds converted: a search then tests each document without
walking the syntax tree or re-reading the query (a test cost about 3 µs a thing walked).
"""

from __future__ import annotations

from collections.abc import Callable

from .document import Searchable, Value
from .query import NUMBER, And, Node, Not, Or, Range, Term, Word

#: a compiled query: whether a document matches it
Predicate = Callable[[Searchable], bool]


def matches(node: Node, document: Searchable) -> bool:
    """Whether ``document`` matches ``node`` (compile with ``predicate`` to test many)."""
    return predicate(node)(document)


def predicate(node: Node) -> Predicate:
    """``node`` compiled: the test a search applies to each document."""
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, And | Or):
        tests = tuple(predicate(item) for item in node.items)
        if isinstance(node, And):
            return lambda document: all(test(document) for test in tests)
        return lambda document: any(test(document) for test in tests)
    if isinstance(node, Not):
        inner = predicate(node.item)
        return lambda document: not inner(document)
    raise TypeError(f"not a query node: {node!r}")


def _term(term: Term) -> Predicate:
    name, value = term.field, term.value
    if isinstance(value, Word) and value.is_star:
        if name is None:
            return lambda document: True
        return lambda document: document.exists(name)
    test = _bounds(value) if isinstance(value, Range) else _word(value)

    return lambda document: any(map(test, document.values(name)))


def _word(word: Word) -> Callable[[Value], bool]:
    """One value against a word: a wildcard against any of its tokens; a quoted phrase against
    its whole text or a run of its tokens; a number against a numeric value by value; any other
    word against its whole text or one of its tokens."""
    pattern = word.pattern
    if pattern is not None:
        glob = pattern.matcher
        return lambda value: any(map(glob, value.tokens))
    text = word.text.lower()
    phrase = tuple(text.split())
    if word.quoted and len(phrase) > 1:
        return lambda value: text == value.text or _contains(value.tokens, phrase)
    number = float(text) if NUMBER.fullmatch(text) else None

    def test(value: Value) -> bool:
        if number is not None and value.number is not None:
            return number == value.number
        return text == value.text or text in value.tokens

    return test


def _bounds(bounds: Range) -> Callable[[Value], bool]:
    """Ranges compare numbers when a bound is a number, lower-cased strings otherwise; a value of
    the other kind is outside."""
    low, high = bounds.low, bounds.high
    if low is None and high is None:
        return lambda value: True
    numeric = any(b is not None and NUMBER.fullmatch(b) for b in (low, high))
    lo: float | str | None
    hi: float | str | None
    if numeric:
        lo = None if low is None else float(low)
        hi = None if high is None else float(high)
    else:
        lo = None if low is None else low.lower()
        hi = None if high is None else high.lower()
    include_low, include_high = bounds.include_low, bounds.include_high

    def test(value: Value) -> bool:
        if numeric:
            if value.number is None:
                return False
            subject: float | str = value.number
        else:
            if value.number is not None:
                return False
            subject = value.text
        if lo is not None and (subject < lo or (subject == lo and not include_low)):  # type: ignore[operator]
            return False
        return not (hi is not None and (subject > hi or (subject == hi and not include_high)))  # type: ignore[operator]

    return test


def _contains(tokens: tuple[str, ...], words: tuple[str, ...]) -> bool:
    size = len(words)
    return any(tokens[i : i + size] == words for i in range(len(tokens) - size + 1))
