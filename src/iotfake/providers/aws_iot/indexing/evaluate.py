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
"""

from __future__ import annotations

from .document import Searchable, Value
from .query import NUMBER, And, Node, Not, Or, Range, Term, Word


def matches(node: Node, document: Searchable) -> bool:
    if isinstance(node, Term):
        return _term(node, document)
    if isinstance(node, And):
        return all(matches(item, document) for item in node.items)
    if isinstance(node, Or):
        return any(matches(item, document) for item in node.items)
    if isinstance(node, Not):
        return not matches(node.item, document)
    raise TypeError(f"not a query node: {node!r}")


def _term(term: Term, document: Searchable) -> bool:
    value = term.value
    if isinstance(value, Word) and value.is_star:
        return True if term.field is None else document.exists(term.field)
    values = document.values(term.field)
    if isinstance(value, Range):
        return any(in_range(v, value) for v in values)
    return any(word_matches(v, value) for v in values)


def word_matches(value: Value, word: Word) -> bool:
    if word.pattern is not None:
        return any(word.pattern.matches(token) for token in value.tokens)
    text = word.text.lower()
    if word.quoted:
        words = tuple(text.split())
        if len(words) > 1:
            return text == value.text or _contains(value.tokens, words)
    if value.number is not None and NUMBER.fullmatch(text):
        return float(text) == value.number
    return text == value.text or text in value.tokens


def in_range(value: Value, bounds: Range) -> bool:
    low, high = bounds.low, bounds.high
    numeric = any(b is not None and NUMBER.fullmatch(b) for b in (low, high))
    if low is None and high is None:
        return True
    if numeric:
        if value.number is None:
            return False
        subject: float | str = value.number
        lo: float | str | None = None if low is None else float(low)
        hi: float | str | None = None if high is None else float(high)
    else:
        if value.number is not None:
            return False
        subject = value.text
        lo = None if low is None else low.lower()
        hi = None if high is None else high.lower()
    if lo is not None and (subject < lo or (subject == lo and not bounds.include_low)):  # type: ignore[operator]
        return False
    return not (hi is not None and (subject > hi or (subject == hi and not bounds.include_high)))  # type: ignore[operator]


def _contains(tokens: tuple[str, ...], words: tuple[str, ...]) -> bool:
    size = len(words)
    return any(tokens[i : i + size] == words for i in range(len(tokens) - size + 1))
