"""SQL ``like`` in linear time, for EnOS expressions and scriptr queries alike.

Translating ``%`` to ``.*`` hands the regex engine a pattern it backtracks through: ``%a%a%a%b``
against a long run of ``a`` tries every way of splitting the value, which is polynomial in its
length with the number of ``%`` as the exponent, and runs under the registry lock with the GIL
held. Splitting the pattern on ``%`` instead leaves segments of fixed length (literal characters
and ``_``); the first must match at the start, the last at the end, and each one between at its
leftmost place after the previous one, which is the leftmost-first argument every glob matcher
uses. Each segment is searched once, so the cost is at most the value's length times the
pattern's, and the pattern's length is capped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: the longest pattern accepted; far beyond any real query, and it bounds the work per value
MAX_PATTERN = 256


class LikeError(ValueError):
    """A pattern that is not accepted (too long); the message says why."""


class LikePattern:
    """``%`` any run of characters, ``_`` exactly one.

    ``fold`` compares case-insensitively; ``escape`` names a character that makes the next one
    literal (EnOS's ``\\%``); ``fuzzy`` makes a pattern without ``%`` match anywhere in the value
    (EnOS's "fuzzy query") instead of the whole of it.
    """

    __slots__ = ("_middle", "_segments", "_tail_size", "pattern", "test")

    def __init__(self, pattern: str, *, fold: bool = False, escape: str | None = None, fuzzy: bool = False):
        if len(pattern) > MAX_PATTERN:
            raise LikeError(f"a like pattern takes at most {MAX_PATTERN} characters, not {len(pattern)}")
        self.pattern = pattern
        segments: list[list[str | None]] = [[]]  # None stands for "_"
        chars = iter(pattern)
        for ch in chars:
            if ch == escape:
                segments[-1].append(next(chars, escape))
            elif ch == "%":
                segments.append([])
            elif ch == "_":
                segments[-1].append(None)
            else:
                segments[-1].append(ch)
        if fuzzy and len(segments) == 1:
            segments = [[], segments[0], []]
        flags = re.DOTALL | (re.IGNORECASE if fold else 0)
        #: one compiled regex per segment: literal characters and ``.`` only, fixed length
        self._segments = [
            re.compile("".join("." if c is None else re.escape(c) for c in segment), flags)
            for segment in segments
        ]
        self._middle = self._segments[1:-1]
        self._tail_size = len(segments[-1])
        #: ``self(text)`` without the call through ``__call__``. A literal pattern (no ``_``) is
        #: decided with str methods, three times faster on a fleet; folded, only for ASCII on
        #: both sides, where ``lower()`` is what IGNORECASE does (which also matches the long
        #: s, U+017F, to "s")
        self.test: Callable[[str], bool] = self._searched
        if all(None not in segment for segment in segments):
            literals: list[str] = ["".join(segment) for segment in segments]  # type: ignore[arg-type]
            if not fold:
                self.test = _literal_test(literals)
            elif pattern.isascii():
                folded, searched = _literal_test([text.lower() for text in literals]), self._searched
                self.test = lambda text: folded(text.lower()) if text.isascii() else searched(text)

    def __call__(self, text: str) -> bool:
        return self.test(text)

    def _searched(self, text: str) -> bool:
        segments = self._segments
        if len(segments) == 1:
            return segments[0].fullmatch(text) is not None
        head = segments[0].match(text)
        if head is None:
            return False
        pos = head.end()
        tail_start = len(text) - self._tail_size
        if tail_start < pos:
            return False
        for segment in self._middle:
            found = segment.search(text, pos, tail_start)
            if found is None:
                return False
            pos = found.end()
        return segments[-1].fullmatch(text, tail_start) is not None

    def __repr__(self) -> str:
        return f"LikePattern({self.pattern!r})"


def _literal_test(literals: list[str]) -> Callable[[str], bool]:
    """``_searched``'s leftmost-first walk over literal segments, with str methods; the usual
    shapes (``x``, ``x%``, ``%x``, ``%x%``) as one method call."""
    head, tail = literals[0], literals[-1]
    if len(literals) == 1:
        return lambda text: text == head
    if len(literals) == 2 and not tail:
        return lambda text: text.startswith(head)
    if len(literals) == 2 and not head:
        return lambda text: text.endswith(tail)
    if len(literals) == 3 and not head and not tail:
        middle = literals[1]
        return lambda text: middle in text
    middles = literals[1:-1]

    def walk(text: str) -> bool:
        if not text.startswith(head):
            return False
        pos, tail_start = len(head), len(text) - len(tail)
        if tail_start < pos:
            return False
        for segment in middles:
            found = text.find(segment, pos, tail_start)
            if found < 0:
                return False
            pos = found + len(segment)
        return text.endswith(tail)

    return walk
