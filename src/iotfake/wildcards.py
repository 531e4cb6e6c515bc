"""Wildcard patterns (``*`` any run of characters, ``?`` one) matched in linear time.

A client writes them, in a fleet indexing query (``thingName:meter-*``) or an IoT policy's
``Resource`` and ``StringLike`` conditions, and the fake matches them against names and topics
a client chose too. A regular expression made from such a pattern (``.*`` for each ``*``)
backtracks: ``topic/*a*a*a*a*a*a*b`` against 200 ``a`` took minutes, holding the GIL, so one
policy could stop the whole fake. :class:`Glob` never backtracks further than its last ``*``.
A pattern's items are its literal characters and the two wildcards; how a caller spells a
literal ``*`` (an escape, IAM's ``${*}``) is the caller's to read before it builds the items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

#: wildcard items of a Glob (any other item is a literal character)
ANY_ONE, ANY_RUN = object(), object()


@dataclass(frozen=True, slots=True)
class Glob:
    """A wildcard pattern (``?`` one character, ``*`` any run), matched by the classic
    backtrack-to-the-last-star walk: O(pattern x text) at worst, where a regular expression
    like ``a*a*a*a*b`` could take exponential time on a long value."""

    items: tuple[object, ...]
    #: with ``*`` its only wildcard (``thingName:meter-*``, the common case): the literal runs
    #: between the stars, which C string methods match greedily; None when it has a ``?``
    runs: tuple[str, ...] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        runs = [""]
        for item in self.items:
            if item is ANY_RUN:
                runs.append("")
            elif isinstance(item, str) and len(item) == 1:  # the walk's one character
                runs[-1] += item
            else:  # ``?``, or a letter whose lower case is two characters: the walk decides
                object.__setattr__(self, "runs", None)
                return
        object.__setattr__(self, "runs", tuple(runs))

    @property
    def prefix(self) -> str:
        """The literal text every match starts with (up to the first wildcard)."""
        out = []
        for item in self.items:
            if not (isinstance(item, str) and len(item) == 1):
                break
            out.append(item)
        return "".join(out)

    def matches(self, text: str) -> bool:
        runs = self.runs
        return self._walk(text) if runs is None else _runs_match(runs, text)

    @property
    def matcher(self) -> Callable[[str], bool]:
        """``matches`` for this pattern's shape: ``prefix*`` is one ``startswith`` (a search
        tests it on every thing it reads)."""
        runs = self.runs
        if runs is None:
            return self._walk
        if len(runs) == 2 and not runs[1]:
            return _starts(runs[0])
        return partial(_runs_match, runs)

    def _walk(self, text: str) -> bool:
        items, p, t, star, mark = self.items, 0, 0, -1, 0
        while t < len(text):
            item = items[p] if p < len(items) else None
            if item is ANY_RUN:
                star, mark, p = p, t, p + 1
            elif item is not None and (item is ANY_ONE or item == text[t]):
                p, t = p + 1, t + 1
            elif star >= 0:
                mark += 1
                p, t = star + 1, mark
            else:
                return False
        while p < len(items) and items[p] is ANY_RUN:
            p += 1
        return p == len(items)


def _starts(prefix: str) -> Callable[[str], bool]:
    return lambda text: text.startswith(prefix)


def _runs_match(runs: tuple[str, ...], text: str) -> bool:
    """``runs[0]*runs[1]*...*runs[-1]`` against ``text``: the first run starts it, the last ends
    it, and each one between is found leftmost after the one before. With ``*`` the only
    wildcard, the leftmost place is never worse than a later one, so this needs no backtracking."""
    if len(runs) == 1:
        return text == runs[0]
    first, last = runs[0], runs[-1]
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    at, end = len(first), len(text) - len(last)
    for run in runs[1:-1]:
        found = text.find(run, at, end)
        if found < 0:
            return False
        at = found + len(run)
    return True


def glob(pattern: str, literal: Callable[[str], str] = str) -> Glob:
    """``pattern``'s ``*`` and ``?`` as wildcards, every other character literal (as ``literal``
    reads it: a caller that holds escaped wildcards as stand-ins gives them back here)."""
    return Glob(tuple(ANY_RUN if c == "*" else ANY_ONE if c == "?" else literal(c) for c in pattern))
