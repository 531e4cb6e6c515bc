"""EnOS query expressions: ``productKey = 'p1' and (status in ('online', 'offline') or ...)``.

The grammar follows the EnOS API FAQ ("How to use expression"):

    expr      := conj ("or" conj)*
    conj      := term ("and" term)*
    term      := "(" expr ")" | ["not"] "exists" "(" FIELD ")" | FIELD op
    op        := "=" value | "!=" value | "in" "(" value ("," value)* ")" | "like" STRING
               | "exists" | "not" "exists"
    value     := STRING | NUMBER | true | false

Keywords are case-insensitive; strings take single or double quotes (a doubled quote or a
backslash escapes one; ``\\%`` and ``\\_`` reach ``like`` as literal wildcards). Each API
names the fields it accepts and the operators each field takes (:class:`Field`); anything else
is an :class:`ExpressionError` naming the problem and where it is, which the provider answers
with 99400.

Parsing yields a predicate over whatever record the caller passes (a ``(device, product)`` pair,
a product), plus enough structure (:func:`pinned`) for the caller to skip a full scan when the
expression names a single product.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...like import LikeError, LikePattern
from ...numbers import whole_number

Predicate = Callable[[Any], bool]

EQ, NE, IN, LIKE, EXISTS, NOT_EXISTS = "=", "!=", "in", "like", "exists", "not exists"
#: how deep parentheses may nest (a guard against recursion, far beyond any real query)
MAX_DEPTH = 32
#: digits in the longest whole number an expression may hold
MAX_DIGITS = 64
KEYWORDS = frozenset({"and", "or", "in", "like", "exists", "not", "true", "false", "null"})

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![\w.]))
  | (?P<op>!=|<>|=|\(|\)|,)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_/\-]+)*)
    """,
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """The expression cannot be parsed or uses a field or operator the API does not support."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "string", "number", "op", "word", "end"
    text: str
    pos: int
    value: Any = None


@dataclass(frozen=True, slots=True)
class Field:
    """A searchable field: its operators and how to read it from a record.

    ``read(record, suffix)`` gets the value; ``suffix`` is what follows the field's prefix for
    map fields (``deviceTags.site`` -> ``"site"``), else ``""``. For ``exists`` it must return
    :data:`MISSING` when the key is absent. ``choices`` restricts the values ``=``/``in`` accept.
    """

    name: str
    ops: frozenset[str]
    read: Callable[[Any, str], Any]
    is_map: bool = False
    choices: tuple[str, ...] | None = None


MISSING = object()


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: str
    values: tuple[Any, ...]
    test: Predicate

    def __call__(self, record: Any) -> bool:
        return self.test(record)


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Any, ...]

    def __call__(self, record: Any) -> bool:
        return all(part(record) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Any, ...]

    def __call__(self, record: Any) -> bool:
        return any(part(record) for part in self.parts)


Node = Compare | All | AnyOf


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] in "'\"":
                raise ExpressionError(f"the string opened at position {pos} is not closed")
            raise ExpressionError(f"unexpected character {text[pos]!r} at position {pos}")
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "string":
            tokens.append(Token("string", raw, pos, _unquote(raw)))
        elif kind == "number":
            tokens.append(Token("number", raw, pos, _number(raw, pos)))
        elif kind != "space":
            tokens.append(Token(kind, raw, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _number(raw: str, pos: int) -> int | float:
    if any(c in raw for c in ".eE"):
        value = float(raw)
        if math.isfinite(value):
            return value
    else:
        number = whole_number(raw, signed=True, max_digits=MAX_DIGITS)
        if number is not None:
            return number
    raise ExpressionError(f"the number at position {pos} is out of range")


def _unquote(raw: str) -> str:
    """Doubled quotes and ``\\'``, ``\\"``, ``\\\\`` unescape; other backslashes stay for ``like``."""
    quote, body = raw[0], raw[1:-1]
    return re.sub(r"\\(['\"\\])", r"\1", body.replace(quote * 2, quote))


def parse(text: str, fields: dict[str, Field]) -> Node:
    """Parse ``text`` against the API's ``fields``; raises ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError("expression must be a string")
    if not text.strip():
        raise ExpressionError("expression is empty")
    return _Parser(tokenize(text), fields).parse()


class _Parser:
    def __init__(self, tokens: list[Token], fields: dict[str, Field]) -> None:
        self.tokens = tokens
        self.fields = fields
        self.i = 0
        self.depth = 0

    # -- token helpers ------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def keyword(self, word: str) -> bool:
        token = self.token
        return token.kind == "word" and token.text.lower() == word

    def take_keyword(self, word: str) -> bool:
        if self.keyword(word):
            self.i += 1
            return True
        return False

    def expect_op(self, op: str) -> Token:
        token = self.token
        if token.kind != "op" or token.text != op:
            raise ExpressionError(f"expected {op!r} {self.where(token)}")
        self.i += 1
        return token

    @staticmethod
    def where(token: Token) -> str:
        return "at the end" if token.kind == "end" else f"at position {token.pos} (found {token.text!r})"

    # -- grammar ------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.disjunction()
        if self.token.kind != "end":
            raise ExpressionError(f"expected 'and', 'or' or the end {self.where(self.token)}")
        return node

    def disjunction(self) -> Node:
        parts = [self.conjunction()]
        while self.take_keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.term()]
        while self.take_keyword("and"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def term(self) -> Node:
        token = self.token
        if token.kind == "op" and token.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError(f"parentheses nest deeper than {MAX_DEPTH} levels")
            self.i += 1
            node = self.disjunction()
            self.expect_op(")")
            self.depth -= 1
            return node
        if self.keyword("exists") or (self.keyword("not") and self._next_is_word("exists")):
            negate = self.take_keyword("not")
            self.take_keyword("exists")
            self.expect_op("(")
            name = self.field_name()
            self.expect_op(")")
            return self.compare(name, NOT_EXISTS if negate else EXISTS, ())
        name = self.field_name()
        return self.predicate(name)

    def _next_is_word(self, word: str) -> bool:
        nxt = self.tokens[self.i + 1]
        return nxt.kind == "word" and nxt.text.lower() == word

    def field_name(self) -> str:
        token = self.token
        if token.kind != "word" or token.text.lower() in KEYWORDS:
            raise ExpressionError(f"expected a field name {self.where(token)}")
        self.i += 1
        return token.text

    def predicate(self, name: str) -> Node:
        token = self.token
        if token.kind == "op" and token.text in ("=", "!=", "<>"):
            self.i += 1
            return self.compare(name, EQ if token.text == "=" else NE, (self.value(),))
        if self.take_keyword("in"):
            self.expect_op("(")
            values = [self.value()]
            while self.token.kind == "op" and self.token.text == ",":
                self.i += 1
                values.append(self.value())
            self.expect_op(")")
            return self.compare(name, IN, tuple(values))
        if self.take_keyword("like"):
            pattern = self.value()
            if not isinstance(pattern, str):
                raise ExpressionError(f"like takes a quoted string, {name} like {pattern!r} is not one")
            return self.compare(name, LIKE, (pattern,))
        if self.take_keyword("exists"):
            return self.compare(name, EXISTS, ())
        if self.keyword("not") and self._next_is_word("exists"):
            self.i += 2
            return self.compare(name, NOT_EXISTS, ())
        raise ExpressionError(f"expected an operator (=, in, like, exists) after {name} {self.where(token)}")

    def value(self) -> Any:
        token = self.token
        if token.kind in ("string", "number"):
            self.i += 1
            return token.value
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            self.i += 1
            return token.text.lower() == "true"
        raise ExpressionError(f"expected a quoted string or a number {self.where(token)}")

    # -- binding to the API's fields -----------------------------------------------------------
    def compare(self, name: str, op: str, values: tuple[Any, ...]) -> Compare:
        field, suffix = self.resolve(name)
        if op not in field.ops:
            allowed = ", ".join(sorted(field.ops))
            raise ExpressionError(f"{name} does not support the operator {op!r} (supported: {allowed})")
        if field.choices is not None and op in (EQ, NE, IN):
            for value in values:
                if value not in field.choices:
                    raise ExpressionError(f"{name} must be one of {', '.join(field.choices)}, not {value!r}")
        read = field.read
        if op == EXISTS:
            return Compare(name, op, values, lambda r: read(r, suffix) is not MISSING)
        if op == NOT_EXISTS:
            return Compare(name, op, values, lambda r: read(r, suffix) is MISSING)
        if op == LIKE:
            pattern = like_pattern(values[0])
            return Compare(name, op, values, lambda r: _like(read(r, suffix), pattern))
        wanted = {_normal(v) for v in values}
        # a text value is its own normal form: it is tested without another call (a search
        # evaluates this for every device of the org)
        if op == NE:

            def differs(record: Any) -> bool:
                value = read(record, suffix)
                return (value if type(value) is str else _normal(value)) not in wanted

            return Compare(name, op, values, differs)

        def equals(record: Any) -> bool:
            value = read(record, suffix)
            return (value if type(value) is str else _normal(value)) in wanted

        return Compare(name, op, values, equals)

    def resolve(self, name: str) -> tuple[Field, str]:
        field = self.fields.get(name)
        if field is not None and not field.is_map:
            return field, ""
        head, _, suffix = name.partition(".")
        field = self.fields.get(head)
        if field is not None and field.is_map:
            if not suffix:
                raise ExpressionError(f"{head} needs a key, like {head}.site")
            return field, suffix
        supported = ", ".join(f"{n}.<key>" if f.is_map else n for n, f in self.fields.items())
        raise ExpressionError(f"unknown field {name!r} (supported: {supported})")


def _normal(value: Any) -> Any:
    """Compare attribute values loosely: ``617``, ``617.0`` and ``'617'`` are the same value."""
    if value is MISSING or value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return repr(value)


def like_pattern(pattern: str) -> LikePattern:
    """SQL ``like``, case-insensitive: ``%`` any run, ``_`` one character, ``\\`` escapes.

    Without a ``%`` the pattern matches anywhere in the value: EnOS calls ``like`` a fuzzy
    query (``name like 'inverter'`` finds "PV Inverter" and "Inverter 2A").
    """
    try:
        return LikePattern(pattern, fold=True, escape="\\", fuzzy=True)
    except LikeError as exc:
        raise ExpressionError(str(exc)) from None


def _like(value: Any, pattern: LikePattern) -> bool:
    if isinstance(value, str):
        return pattern(value)
    if isinstance(value, tuple):
        return any(isinstance(v, str) and pattern(v) for v in value)
    return False


def predicate(node: Node) -> Predicate:
    """The node as one function of a record, without a node's ``__call__`` or a generator at
    each level (a search evaluates it for every device of the org)."""
    if isinstance(node, Compare):
        return node.test
    parts = [predicate(part) for part in node.parts]
    if isinstance(node, All):
        if len(parts) == 2:
            first, second = parts
            return lambda record: first(record) and second(record)
        return lambda record: all(part(record) for part in parts)
    if len(parts) == 2:
        first, second = parts
        return lambda record: first(record) or second(record)
    return lambda record: any(part(record) for part in parts)


def pinned(node: Node, field: str = "productKey") -> tuple[str | None, bool]:
    """``(value, exact)``: the one value ``field`` must equal for any match, if the expression
    pins it (``field = 'x'`` alone or as a top-level ``and`` part); ``exact`` when that
    comparison is the whole expression, so counting needs no scan at all.
    """
    if isinstance(node, Compare):
        if node.field == field and node.op == EQ and isinstance(node.values[0], str):
            return node.values[0], True
        return None, False
    if isinstance(node, All):
        for part in node.parts:
            value, _ = pinned(part, field)
            if value is not None:
                return value, False
    return None, False


def i18n_reader(attr: Callable[[Any], Any]) -> Callable[[Any, str], Any]:
    """Read a StringI18n for ``like``: ``name`` looks at every locale, ``name.zh_CN`` at that
    locale (falling back to the default name), ``name.default`` at the default only."""

    def read(record: Any, locale: str) -> Any:
        value = attr(record)
        if isinstance(value, str):  # a device name without translations (stored_names)
            return value if locale else (value,)
        if not isinstance(value, dict):
            return MISSING
        default = value.get("defaultValue")
        names = value.get("i18nValue") or {}
        if locale == "default":
            return default
        if locale:
            return names.get(locale) or default
        return (default, *names.values())

    return read


def i18n_fields(name: str, attr: Callable[[Any], Any]) -> dict[str, Field]:
    like, read = frozenset({LIKE}), i18n_reader(attr)
    return {
        f"{name}{suffix}": Field(f"{name}{suffix}", like, lambda r, _, locale=locale: read(r, locale))
        for suffix, locale in (("", ""), (".default", "default"), (".zh_CN", "zh_CN"), (".en_US", "en_US"))
    }


def map_reader(attr: Callable[[Any], dict[str, Any] | None]) -> Callable[[Any, str], Any]:
    def read(record: Any, key: str) -> Any:
        mapping = attr(record)
        if not mapping or key not in mapping:
            return MISSING
        return mapping[key]

    return read
