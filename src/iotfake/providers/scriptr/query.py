"""The subset of scriptr's query language the device directory needs.

    query  := or
    or     := and ("or" and)*
    and    := atom ("and" atom)*
    atom   := "(" or ")" | field hint* op value
    hint   := "<CI>" (case-insensitive) | "<type>" (accepted, ignored)
    op     := "=" | "!=" | "like" | "in"
    value  := "text" | 'text' | number | true | false | "[" value ("," value)* "]"

``like`` takes ``%`` (any run) and ``_`` (one character). A multi-value field (``groups``) matches
``=``, ``in`` and ``like`` when any of its values does, and ``!=`` when none equals. A field a
document lacks matches only ``!=``. Keywords are case-insensitive.

Sort specs are ``field``, ``field<DESC>`` or ``field<type:ASC|DESC>`` (scriptr's own apps send
``name<string:DESC>``), comma-separated; ``numeric`` and ``date`` sort by value, the rest as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from functools import cmp_to_key
from typing import Any, Protocol, TypeVar

from ...like import LikeError, LikePattern
from ...numbers import whole_number
from .errors import invalid_query


class Doc(Protocol):
    """What a predicate or a sort reads: a device's view, or ``records.Fields`` (the same
    values, read from the device as asked). A field absent and a field of None are alike."""

    def get(self, field: str, /) -> Any: ...


Predicate = Callable[[Doc], bool]
D = TypeVar("D", bound=Doc)

TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<hint><\s*[A-Za-z]+(?:\s*:\s*[A-Za-z]+)?\s*>)
      | (?P<op>!=|=)
      | (?P<punct>[()\[\],])
      | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?![\w.@-]))
      | (?P<word>[A-Za-z0-9_.@-]+)
    )""",
    re.VERBOSE,
)
#: one part of a sort spec, stripped first: ``\s*`` at both ends around the optional ``<...>``
#: would try every split of a run of spaces between them (quadratic in the padding)
SORT = re.compile(
    r"([A-Za-z0-9_.@-]+)\s*(?:<\s*(?:([A-Za-z]+)\s*:\s*)?([A-Za-z]+)\s*>)?",
)
SORT_TYPES = ("string", "text", "numeric", "date", "boolean", "geospatial")
#: digits in the longest whole number a query may hold
MAX_DIGITS = 64
#: how deep parentheses may nest: a guard against recursion (parsing and matching both recurse
#: per level), far beyond any real query; EnOS expressions take the same
MAX_DEPTH = 32


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise invalid_query(f"unexpected input at [{text[pos:].strip()[:20]}]")
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.items = _tokens(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str]:
        item = self.peek()
        if item is None:
            raise invalid_query("the query ends too early")
        self.pos += 1
        return item

    def keyword(self, *words: str) -> str | None:
        item = self.peek()
        if item is not None and item[0] == "word" and item[1].lower() in words:
            self.pos += 1
            return item[1].lower()
        return None

    def parse(self) -> Predicate:
        predicate = self.or_()
        if self.peek() is not None:
            raise invalid_query(f"unexpected [{self.peek()[1]}]")  # type: ignore[index]
        return predicate

    def or_(self) -> Predicate:
        parts = [self.and_()]
        while self.keyword("or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))

    def and_(self) -> Predicate:
        parts = [self.atom()]
        while self.keyword("and"):
            parts.append(self.atom())
        if len(parts) == 1:
            return parts[0]
        both: Predicate = lambda doc: all(p(doc) for p in parts)  # noqa: E731
        held = sorted((n for n in map(needs, parts) if n is not None), key=_narrowness)
        return _needing(both, *held[0]) if held else both

    def atom(self) -> Predicate:
        kind, text = self.take()
        if (kind, text) == ("punct", "("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise invalid_query(f"parentheses nest deeper than {MAX_DEPTH} levels")
            inner = self.or_()
            if self.take() != ("punct", ")"):
                raise invalid_query("a parenthesis is not closed")
            self.depth -= 1
            return inner
        if kind != "word" or text.lower() in ("and", "or", "in", "like"):
            raise invalid_query(f"expected a field name, found [{text}]")
        field, fold = text, False
        while self.peek() is not None and self.peek()[0] == "hint":  # type: ignore[index]
            hint = self.take()[1].strip("<> ").lower()
            fold = fold or hint == "ci"
        op_kind, op = self.take()
        if op_kind == "op":
            return _compare(field, op, self.value(), fold)
        if op_kind == "word" and op.lower() == "like":
            value = self.value()
            if not isinstance(value, str):
                raise invalid_query(f"like needs a quoted pattern for [{field}]")
            return _like(field, value, fold)
        if op_kind == "word" and op.lower() == "in":
            return _within(field, self.values(), fold)
        raise invalid_query(f"expected =, !=, like or in after [{field}], found [{op}]")

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "number":
            number = float(text) if "." in text else whole_number(text, signed=True, max_digits=MAX_DIGITS)
            if number is None or not math.isfinite(number):
                raise invalid_query(f"the number [{text[:20]}...] is out of range")
            return number
        if kind == "word" and text.lower() in ("true", "false"):
            return text.lower()
        raise invalid_query(f"expected a value, found [{text}]")

    def values(self) -> list[Any]:
        opening = self.take()
        if opening not in (("punct", "["), ("punct", "(")):
            raise invalid_query('in needs a list like ["a", "b"]')
        closing = "]" if opening[1] == "[" else ")"
        out = [self.value()]
        while True:
            item = self.take()
            if item == ("punct", closing):
                return out
            if item != ("punct", ","):
                raise invalid_query("the values of in are separated by commas")
            out.append(self.value())


def _values(doc: Doc, field: str) -> list[Any] | None:
    value = doc.get(field)
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def _norm(value: Any, fold: bool) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text.lower() if fold else text


def _equal(stored: Any, wanted: Any, fold: bool) -> bool:
    if isinstance(wanted, int | float) and not isinstance(stored, bool):
        try:
            return float(stored) == float(wanted)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int past float range
            return False
    return _norm(stored, fold) == _norm(wanted, fold)


def _compare(field: str, op: str, wanted: Any, fold: bool) -> Predicate:
    # a query reads every device's view: a lone text value against a text is decided at once
    text = _norm(wanted, fold) if isinstance(wanted, str) else None

    def test(doc: Doc) -> bool:
        value = doc.get(field)
        if value is None:
            hit = False
        elif text is not None and type(value) is str:
            hit = (value.lower() if fold else value) == text
        else:
            values = value if isinstance(value, list) else [value]
            hit = any(_equal(v, wanted, fold) for v in values)
        return hit if op == "=" else not hit

    # ``=`` passes only a doc holding the field, and (unfolded) a text one only where it is the text
    return _needing(test, field, text if not fold else None) if op == "=" else test


def _within(field: str, wanted: list[Any], fold: bool) -> Predicate:
    def test(doc: Doc) -> bool:
        values = _values(doc, field)
        return values is not None and any(_equal(v, w, fold) for v in values for w in wanted)

    return _needing(test, field, None)


def _like(field: str, pattern: str, fold: bool) -> Predicate:
    try:
        matches = LikePattern(pattern, fold=fold)
    except LikeError as exc:
        raise invalid_query(str(exc)) from None

    def test(doc: Doc) -> bool:
        value = doc.get(field)
        if value is None:
            return False
        if type(value) is str:  # a lone text value, as most are: no list, no call to normalise it
            return matches(value)
        values = value if isinstance(value, list) else [value]
        return any(matches(_norm(v, False)) for v in values)

    return _needing(test, field, None)


def _needing(predicate: Predicate, field: str, text: str | None) -> Predicate:
    predicate.needs = (field, text)  # type: ignore[attr-defined]
    return predicate


def needs(predicate: Predicate) -> tuple[str, str | None] | None:
    """``(field, text)`` where every doc the predicate passes holds ``field`` (not None), and
    ``text`` too where given: a lone text value of the field is then that very text. Said by
    ``=``, ``in`` and ``like``, alone or as a part of a top-level ``and`` (a filter can read
    only the devices holding the field: ``records.holding``)."""
    return getattr(predicate, "needs", None)


def _narrowness(held: tuple[str, str | None]) -> tuple[bool, bool]:
    """What an ``and`` says it needs, of what its parts do: a device's id (``pinned_id``) before
    any text, a text before a field merely held."""
    field, text = held
    return (field != "id" or text is None, text is None)


def pinned_id(predicate: Predicate) -> str | None:
    """The one device id a query's predicate can pass, where it says ``id = "x"`` alone or as
    a part of a top-level ``and`` (``needs``: an id is the device's key, which no custom field
    can shadow): the query reads that device, not a view of every device to find it."""
    held = needs(predicate)
    return held[1] if held is not None and held[0] == "id" else None


def everything(doc: Doc) -> bool:
    """The empty query's predicate (a listing that needs no view to decide)."""
    return True


def compile_query(text: Any) -> Predicate:
    """A predicate over a device view; an empty query matches everything."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return everything
    if not isinstance(text, str):
        raise invalid_query("query must be a string")
    return _Parser(text).parse()


# -- sorting ----------------------------------------------------------------------------------
def parse_sort(text: Any) -> list[tuple[str, str, bool]]:
    """``[(field, type, descending)]`` from a sort spec."""
    if text is None or text == "":
        return []
    if not isinstance(text, str):
        raise invalid_query("sort must be a string")
    keys = []
    for part in text.split(","):
        match = SORT.fullmatch(part.strip())
        if match is None:
            raise invalid_query(f"cannot read the sort spec [{part.strip()}]")
        field, kind, last = match.groups()
        direction = "asc"
        if last is not None:
            if last.lower() in ("asc", "desc"):
                direction = last.lower()
            elif kind is None and last.lower() in SORT_TYPES:
                kind = last
            else:
                raise invalid_query(f"[{last}] is not ASC or DESC in the sort spec [{part.strip()}]")
        kind = (kind or "string").lower()
        if kind not in SORT_TYPES:
            raise invalid_query(f"[{kind}] is not a field type in the sort spec [{part.strip()}]")
        keys.append((field, kind, direction == "desc"))
    return keys


def _sort_value(value: Any, kind: str) -> Any:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    if kind == "numeric":
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):
            return None
    if kind == "date":
        if isinstance(value, int | float):
            try:
                return float(value) / 1000
            except OverflowError:
                return None
        try:
            return datetime.fromisoformat(
                str(value).replace("Z", "+00:00").replace("+0000", "+00:00")
            ).timestamp()
        except ValueError:
            return None
    return _norm(value, False)


def sort(items: list[D], keys: list[tuple[str, str, bool]]) -> list[D]:
    """Stable multi-key sort; documents missing a key come last whatever the direction."""
    if not keys:
        return items

    directions = [descending for _, _, descending in keys]

    def compare(a: tuple[list[Any], int], b: tuple[list[Any], int]) -> int:
        for x, y, descending in zip(a[0], b[0], directions, strict=True):
            if x == y:
                continue
            if x is None:
                return 1
            if y is None:
                return -1
            try:
                result = -1 if x < y else 1
            except TypeError:
                result = -1 if str(x) < str(y) else 1
            return -result if descending else result
        return 0

    # each item's sort values read once, a column per key (n of them, not n log n)
    columns = [_column(items, field, kind) for field, kind, _ in keys]
    if all(map(_ordered, columns)):
        # values of one type in each key: stable sorts by each key, the last first, are the
        # comparison's order (missing values last either way) at C speed
        order = list(range(len(items)))
        for column, descending in zip(reversed(columns), reversed(directions), strict=True):
            present = [at for at in order if column[at] is not None]
            present.sort(key=column.__getitem__, reverse=descending)
            order = present + [at for at in order if column[at] is None]
        return [items[at] for at in order]
    decorated = [(list(values), at) for at, values in enumerate(zip(*columns, strict=True))]
    decorated.sort(key=cmp_to_key(compare))
    return [items[at] for _, at in decorated]


def _column(items: list[D], field: str, kind: str) -> list[Any]:
    """Each item's sort value for one key; a lone text value sorted as text is itself."""
    text = kind != "numeric" and kind != "date"
    return [
        value if text and type(value) is str else _sort_value(value, kind)
        for value in [item.get(field) for item in items]
    ]


def _ordered(column: list[Any]) -> bool:
    """Do a key's values (None aside) compare as a total order: all text, or all numbers and no
    NaN? Then ``<`` and ``==`` never disagree and never raise."""
    kinds = {type(value) for value in column if value is not None}
    if kinds <= {str}:
        return True
    return kinds <= {int, float} and all(value == value for value in column if value is not None)
