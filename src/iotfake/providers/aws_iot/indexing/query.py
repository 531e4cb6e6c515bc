"""AWS IoT fleet indexing's query language: lexer and parser to a small AST.

The language is the Lucene subset the developer guide documents ("Query syntax", "Example thing
queries"): ``field:value`` terms, free-text terms searched in every field, quoted phrases, ``*``
and ``?`` wildcards, ranges ``[a TO b]`` / ``{a TO b}`` (mixed brackets, ``*`` for an open end),
comparisons ``field<5`` ``field>=5``, ``AND`` / ``OR`` / ``NOT`` and the ``-`` prefix, parentheses,
field grouping ``thingName:(tv* AND -plasma)``, and AND as the default operator between terms.
``NOT`` between two terms means AND NOT (``a NOT b``), as in the guide's examples.

Rules the guide states and the parser enforces with ``QueryError`` (InvalidQueryException on the
wire): at most ``MAX_TERMS`` terms, at most one term with a leading wildcard and then at most
``LEADING_WILDCARD_MAX_LENGTH`` characters, none of the unsupported special characters outside
quotes unless escaped with ``\\``. Field names are case sensitive; values are matched case
insensitively (see ``evaluate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ....wildcards import ANY_ONE, ANY_RUN, Glob

#: the guide: "The maximum number of terms in a query is twelve."
MAX_TERMS = 12
#: the guide: "Queries that include a leading wildcard have a max query length of 100 characters."
LEADING_WILDCARD_MAX_LENGTH = 100
#: characters the guide lists as unsupported (``,`` only in geoqueries, which the fake lacks)
UNSUPPORTED = frozenset("`@#%/';,")
#: characters that end a bare word
_DELIMITERS = frozenset('()[]{}:"<>')
#: how deep parentheses and NOTs may nest (deeper is refused, not a stack overflow)
MAX_DEPTH = 32
#: a JSON number literal: what fleet indexing recognises as numeric
NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


class QueryError(ValueError):
    """A malformed query; the message says what and where (1-based character position)."""


# -- AST -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Word:
    """A bare or quoted value. ``pattern`` is set when it has unescaped wildcards."""

    text: str
    quoted: bool = False
    pattern: Glob | None = None
    leading_wildcard: bool = False

    @property
    def is_star(self) -> bool:
        return self.pattern is not None and self.text == "*"


@dataclass(frozen=True, slots=True)
class Range:
    low: str | None
    high: str | None
    include_low: bool
    include_high: bool


@dataclass(frozen=True, slots=True)
class Term:
    """``field:value`` (``field`` None: a free-text term, searched in every field)."""

    field: str | None
    value: Word | Range


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Term | And | Or | Not


# -- lexer -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class Token:
    kind: str  # WORD PHRASE ( ) [ ] { } : CMP AND OR NOT TO MINUS END
    text: str
    at: int  # 0-based offset in the query
    word: Word | None = None


@dataclass(slots=True)
class _Lexer:
    source: str
    tokens: list[Token] = field(default_factory=list)

    def run(self) -> list[Token]:
        s, i, n = self.source, 0, len(self.source)
        while i < n:
            c = s[i]
            if c.isspace():
                i += 1
                continue
            start = i
            if c in "()[]{}:":
                self._add(c, c, start)
                i += 1
            elif c in "<>":
                op = s[i : i + 2] if s[i + 1 : i + 2] == "=" else c
                self._add("CMP", op, start)
                i += len(op)
            elif c == '"':
                i = self._phrase(start)
            elif c in "-+" and self._operator_position():
                if i + 1 >= n or s[i + 1].isspace():
                    raise QueryError(f"'{c}' at position {i + 1} must be followed directly by a term")
                if c == "-":  # '+' (required) is what AND, the default, means already: a no-op
                    self._add("MINUS", c, start)
                i += 1
            else:
                i = self._word(start)
        self._add("END", "", n)
        return self.tokens

    def _add(self, kind: str, text: str, at: int, word: Word | None = None) -> None:
        self.tokens.append(Token(kind, text, at, word))

    def _operator_position(self) -> bool:
        """A '-' starts a negation where a term may start, not after ':' or in a range."""
        if not self.tokens:
            return True
        return self.tokens[-1].kind not in (":", "CMP", "[", "{", "TO")

    def _phrase(self, start: int) -> int:
        s, i, chars = self.source, start + 1, []
        while i < len(s):
            c = s[i]
            if c == "\\" and i + 1 < len(s):
                chars.append(s[i + 1])
                i += 2
                continue
            if c == '"':
                text = "".join(chars)
                self._add("PHRASE", text, start, Word(text, quoted=True))
                return i + 1
            chars.append(c)
            i += 1
        raise QueryError(f"Unterminated quoted string starting at position {start + 1}")

    def _word(self, start: int) -> int:
        s, i = self.source, start
        literal: list[str] = []
        items: list[object] = []
        wild = False
        while i < len(s):
            c = s[i]
            if c.isspace() or c in _DELIMITERS:
                break
            if c == "\\":
                if i + 1 >= len(s):
                    raise QueryError(f"A '\\' at position {i + 1} escapes nothing")
                literal.append(s[i + 1])
                items.append(s[i + 1].lower())
                i += 2
                continue
            if c in UNSUPPORTED:
                raise QueryError(
                    f"Unsupported character '{c}' at position {i + 1}: quote the value or escape it with '\\'"
                )
            if c in "*?":
                wild = True
                items.append(ANY_RUN if c == "*" else ANY_ONE)
            else:
                items.append(c.lower())
            literal.append(c)
            i += 1
        text = "".join(literal)
        raw = s[start:i]
        if raw in ("AND", "OR", "NOT", "TO"):
            self._add(raw, raw, start)
            return i
        if raw in ("&&", "||"):
            instead = "AND" if raw == "&&" else "OR"
            raise QueryError(f"'{raw}' at position {start + 1} is not supported: use {instead}")
        pattern = Glob(tuple(items)) if wild else None
        leading = wild and raw[:1] in "*?" and raw != "*"
        self._add("WORD", text, start, Word(text, pattern=pattern, leading_wildcard=leading))
        return i


# -- parser ----------------------------------------------------------------------------------------
@dataclass
class _Parser:
    source: str
    tokens: list[Token]
    pos: int = 0
    terms: int = 0
    leading: int = 0
    depth: int = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek
        if token.kind != kind:
            raise QueryError(f"Expected {what} at position {token.at + 1}, found {_describe(token)}")
        return self.take()

    def parse(self) -> Node:
        if self.peek.kind == "END":
            raise QueryError("The query is empty")
        node = self.or_expr(None)
        if self.peek.kind != "END":
            token = self.peek
            if token.kind == ")":
                raise QueryError(f"Unbalanced ')' at position {token.at + 1}")
            if token.kind == ":":
                raise QueryError(
                    f"Unexpected ':' at position {token.at + 1}: quote a value that holds ':' "
                    '(thingName:"a:b") or escape it (thingName:a\\:b)'
                )
            raise QueryError(f"Unexpected {_describe(token)} at position {token.at + 1}")
        if self.terms > MAX_TERMS:
            raise QueryError(
                f"The query has {self.terms} terms; the maximum number of terms in a query is {MAX_TERMS}"
            )
        if self.leading > 1:
            raise QueryError("Leading wildcard use is limited to 1 query term per query")
        if self.leading and len(self.source) > LEADING_WILDCARD_MAX_LENGTH:
            raise QueryError(
                f"Queries that include a leading wildcard have a max query length of "
                f"{LEADING_WILDCARD_MAX_LENGTH} characters; this one has {len(self.source)}"
            )
        return node

    def or_expr(self, default: str | None) -> Node:
        items = [self.and_expr(default)]
        while self.peek.kind == "OR":
            self.take()
            items.append(self.and_expr(default))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, default: str | None) -> Node:
        items = [self.unary(default)]
        while True:
            kind = self.peek.kind
            if kind == "AND":
                self.take()
                items.append(self.unary(default))
            elif kind in ("WORD", "PHRASE", "(", "NOT", "MINUS", "[", "{"):
                items.append(self.unary(default))  # the default operator is AND
            else:
                break
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, default: str | None) -> Node:
        token = self.peek
        if token.kind in ("NOT", "MINUS"):
            self.take()
            if self.peek.kind in ("END", ")", "OR", "AND"):
                raise QueryError(f"'{token.text}' at position {token.at + 1} must be followed by a term")
            self.enter(token)
            node = Not(self.unary(default))
            self.depth -= 1
            return node
        return self.primary(default)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                f"The query nests parentheses and NOTs deeper than {MAX_DEPTH} levels "
                f"(at position {token.at + 1})"
            )

    def primary(self, default: str | None) -> Node:
        token = self.peek
        if token.kind == "(":
            self.take()
            if self.peek.kind == ")":
                raise QueryError(f"Empty parentheses at position {token.at + 1}")
            self.enter(token)
            node = self.or_expr(default)
            if self.peek.kind != ")":
                raise QueryError(f"Missing ')' for the '(' at position {token.at + 1}")
            self.take()
            self.depth -= 1
            return node
        if token.kind == "WORD" and self.tokens[self.pos + 1].kind in (":", "CMP"):
            return self.field_clause()
        if token.kind in ("WORD", "PHRASE", "[", "{"):
            return self.value(default, token)
        if token.kind == "END":
            raise QueryError("The query ends where a term is expected")
        raise QueryError(f"Unexpected {_describe(token)} at position {token.at + 1}")

    def field_clause(self) -> Node:
        name_token = self.take()
        name = name_token.text
        if name_token.word is not None and name_token.word.pattern is not None:
            raise QueryError(
                f"Wildcards are not allowed in a field name ('{name}' at position {name_token.at + 1})"
            )
        op = self.take()
        if op.kind == "CMP":
            bound = self.peek
            if bound.kind not in ("WORD", "PHRASE") or (bound.word and bound.word.pattern is not None):
                raise QueryError(
                    f"'{name}{op.text}' at position {name_token.at + 1} needs a plain value to compare with"
                )
            self.take()
            self.count(bound)
            text = bound.text
            value = {
                "<": Range(None, text, False, False),
                "<=": Range(None, text, False, True),
                ">": Range(text, None, False, False),
                ">=": Range(text, None, True, False),
            }[op.text]
            return Term(name, check_range(value, bound))
        nxt = self.peek
        if nxt.kind == "(":
            return self.primary(name)  # field grouping: the field applies to the group's bare terms
        if nxt.kind in ("WORD", "PHRASE", "[", "{"):
            return self.value(name, nxt)
        raise QueryError(f"Field '{name}' at position {name_token.at + 1} has no value")

    def value(self, default: str | None, token: Token) -> Term:
        if token.kind in ("[", "{"):
            if default is None:
                raise QueryError(f"A range needs a field (the range at position {token.at + 1})")
            return Term(default, self.range_value())
        self.take()
        assert token.word is not None
        self.count(token)
        return Term(default, token.word)

    def range_value(self) -> Range:
        opener = self.take()
        low = self.bound("the range's lower bound")
        self.expect("TO", "'TO'")
        high = self.bound("the range's upper bound")
        closer = self.peek
        if closer.kind not in ("]", "}"):
            raise QueryError(f"Expected ']' or '}}' to close the range at position {opener.at + 1}")
        self.take()
        self.terms += 1
        return check_range(Range(low, high, opener.kind == "[", closer.kind == "]"), opener)

    def bound(self, what: str) -> str | None:
        token = self.peek
        if token.kind not in ("WORD", "PHRASE"):
            raise QueryError(f"Expected {what} at position {token.at + 1}, found {_describe(token)}")
        self.take()
        word = token.word
        assert word is not None
        if word.is_star:
            return None
        if word.pattern is not None:
            raise QueryError(f"Wildcards are not allowed in a range bound (position {token.at + 1})")
        return word.text

    def count(self, token: Token) -> None:
        self.terms += 1
        if token.word is not None and token.word.leading_wildcard:
            self.leading += 1


def check_range(value: Range, token: Token) -> Range:
    kinds = {bool(NUMBER.fullmatch(b)) for b in (value.low, value.high) if b is not None}
    if len(kinds) > 1:
        raise QueryError(
            f"The range at position {token.at + 1} mixes a number and a string: "
            "both bounds must be numbers, or both strings"
        )
    return value


def _describe(token: Token) -> str:
    if token.kind == "END":
        return "the end of the query"
    if token.kind in ("WORD", "PHRASE"):
        return f"'{token.text}'"
    return f"'{token.text}'"


def parse(query: str) -> Node:
    """The AST of ``query``; QueryError with a message naming the problem when it is malformed."""
    tokens = _Lexer(query).run()
    return _Parser(query, tokens).parse()
