"""JSON in and out: the one parser for everything a client or a file hands the fake, and the one
encoder for everything it answers.

The standard library's ``json.loads`` lets through values the rest of the fake cannot hold, and
fails in more ways than ``JSONDecodeError``:

* a lone UTF-16 surrogate (``"\\ud800"``, or its UTF-8 bytes, which ``json.loads(bytes)`` decodes
  with ``surrogatepass``) is a Python string no UTF-8 answer can carry: stored once, it breaks
  every later answer that shows it;
* ``NaN``, ``Infinity`` and ``1e400`` (which reads as infinity) are not JSON numbers and poison
  any arithmetic they reach;
* an integer longer than Python's 4300-digit limit raises a plain ``ValueError``;
* nesting a few hundred levels deep parses, then exhausts the recursion of whatever walks it
  (Python's default limit is 1000 frames, and walkers use more than one per level); deeper
  nesting raises ``RecursionError`` in the parser itself.

:func:`loads` refuses all of these with one error type, :class:`JSONInputError`, whose message
names the problem (and, for a surrogate, where it is). :func:`encode` answers in compact JSON with
non-ASCII text as is, and falls back to ``\\uXXXX`` escapes for a value that still holds a lone
surrogate (one set through the Python API), so an answer can always be sent.

Both run on every call, so both go through orjson first (a tenth of the standard library's cost)
and keep the standard library's results exactly: whatever orjson would read or write differently
(integers past 64 bits, floats under 1e-4, which it spells ``0.00001`` and ``1e-7`` where Python
spells ``1e-05`` and ``1e-07``, anything it refuses) takes the standard library's path, whose
messages the answers quote. Two differences are on purpose: NaN and infinities (which no request
can store; only Python code can) go out as ``null``, as orjson writes them, where the standard
library wrote ``NaN``, which is not JSON and which JavaScript clients cannot parse; and enums and
UUIDs, which the standard library refused, go out as their values.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

import orjson

#: how deep client documents may nest; far beyond any real request, well inside the recursion
#: budget of the code that walks them
MAX_DEPTH = 100
#: a state snapshot wraps client values in a few levels of its own
SNAPSHOT_DEPTH = 2 * MAX_DEPTH

_SURROGATE = re.compile("[\ud800-\udfff]")
#: a JSON escape that may decode to a surrogate (a false positive only costs a walk)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_ESCAPED = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False)


class JSONInputError(ValueError):
    """Text the fake will not read as JSON. ``problem`` is what is wrong, without the subject
    (``"is not valid JSON (Expecting value: line 1 column 1 (char 0))"``); ``path`` is where,
    when known (``"deviceName.defaultValue"``); ``syntax`` is the parser's own error (with its
    line and column) when the text is not JSON at all."""

    def __init__(
        self, what: str, problem: str, path: str = "", syntax: json.JSONDecodeError | None = None
    ) -> None:
        super().__init__(f"{what} {problem}")
        self.what = what
        self.problem = problem
        self.path = path
        self.syntax = syntax

    @property
    def message(self) -> str:
        return str(self)

    @property
    def too_deep(self) -> bool:
        """Refused for its nesting alone (a caller with its own depth limit words it itself)."""
        return self.problem.startswith(_TOO_DEEP)

    @property
    def detail(self) -> str:
        """What is wrong, for a caller that words the rest itself: the parser's own message for
        text that is not JSON, else :attr:`problem`."""
        if self.syntax is not None:
            return str(self.syntax)
        return self.problem.removeprefix("is ")


class _Refused(ValueError):
    """Raised from inside the parser's hooks; turned into a JSONInputError by :func:`loads`."""


def _constant(name: str) -> Any:
    raise _Refused(f"holds {name}, which is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 40 else f"{text[:40]}..."
        raise _Refused(f"holds the number {shown}, which is out of range")
    return value


_DECODER = json.JSONDecoder(parse_constant=_constant, parse_float=_float)

#: 19 digits in a row may be an integer orjson reads as a float (past 64 bits); Python keeps it.
#: Found by mapping every digit to "0" and every other byte to " " (a regex took longer than
#: orjson's whole parse)
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19
#: a number orjson writes otherwise than Python: a float under 1e-4 (``0.00001``, ``1.5e-7``);
#: numbers follow ``:``, ``,`` or ``[`` in compact JSON, so text inside strings rarely matches
_SMALL_FLOAT = re.compile(rb"[:,\[]-?(?:0\.0000|[0-9]+(?:\.[0-9]+)?e-[0-9](?:[,\]}]|$))")
#: what may follow a float's ``e-`` and one digit in ``_SMALL_FLOAT`` (``b""``: the end; its
#: ``$`` also matches before a final newline)
_NUMBER_END = frozenset((b",", b"]", b"}", b"", b"\n"))
_NUMBER_START = frozenset(b"-0123456789")
#: ``e-``, one digit and a ``_NUMBER_END``: what ``_may_differ`` looks for, in one scan
_E_DIGIT_END = re.compile(rb"e-[0-9](?:[,\]}\n]|\Z)")
#: ``e-`` hits ``_may_differ`` checks one by one before one scan of the rest is cheaper
_LOOKS = 2
#: orjson writes datetimes and dataclasses, which the standard library refuses: so must we
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def loads(data: bytes | bytearray | str, *, what: str = "the body", max_depth: int | None = MAX_DEPTH) -> Any:
    """Parse JSON from a client or a file; raise :class:`JSONInputError` for anything refused.

    ``what`` names the text in messages ("the body", "policyDocument", a file name).
    ``max_depth=None`` skips the nesting check (the parser's own recursion guard still applies).
    """
    # what botocore sends for an input with no body members: no parser needed (bytes only: text
    # compared with bytes warns under ``python -b``; a depth under 1 refuses even ``{}``)
    if type(data) is bytes and data == b"{}" and (max_depth is None or max_depth > 0):
        return {}
    if isinstance(data, bytearray):
        data = bytes(data)
    value = _fast_loads(data)
    if value is not _SLOW:  # orjson refuses lone surrogates: only the depth is left to check
        if _may_be_deep(data, max_depth):
            _check(value, what, max_depth)
        return value
    if isinstance(data, bytes):
        text = _decode(data, what)
    else:
        text = data
        if not text.isascii() and _SURROGATE.search(text):
            raise JSONInputError(what, "holds a lone surrogate, which is not valid Unicode")
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise JSONInputError(what, f"is not valid JSON ({exc})", syntax=exc) from None
    except _Refused as exc:
        raise JSONInputError(what, str(exc)) from None
    except ValueError:  # the only other one: an integer past Python's digit limit
        limit = sys.get_int_max_str_digits()
        raise JSONInputError(what, f"holds an integer of more than {limit} digits") from None
    except RecursionError:
        raise JSONInputError(what, _too_deep(max_depth)) from None
    if _may_be_deep(text, max_depth) or ("\\u" in text and _SURROGATE_ESCAPE.search(text)):
        _check(value, what, max_depth)
    return value


def _may_be_deep(data: bytes | str, max_depth: int | None) -> bool:
    """Could parsed JSON ``data`` nest deeper than ``max_depth``? Only if it opens more brackets
    than that, so only if it is over twice as long (a count skipped for most bodies)."""
    if max_depth is None or len(data) <= 2 * max_depth:
        return False
    if isinstance(data, bytes):
        return data.count(b"[") + data.count(b"{") > max_depth
    return data.count("[") + data.count("{") > max_depth


#: "no answer from the fast path": the standard library's path decides
_SLOW: Any = object()


def _fast_loads(data: bytes | str) -> Any:
    """orjson's reading where it equals the standard library's, else ``_SLOW``.

    orjson reads UTF-8 only, refuses lone surrogates, NaN and numbers out of range (all refused
    here too, with messages the slow path words) and turns integers past 64 bits into floats,
    which the digit check keeps away from it.
    """
    if isinstance(data, str):
        if not data.isascii():
            return _SLOW  # non-ASCII text may hold lone surrogates, which orjson cannot take
        data = data.encode()
    elif data[:1] not in _PLAIN_START:
        return _SLOW  # anything that may not be UTF-8 JSON
    # find, not ``in``: bytes' ``in`` first tries its operand as an integer, and formats the
    # TypeError it then drops (a tenth of a microsecond, and cold code, on every call)
    if data.translate(_DIGITS_AS_ZEROS).find(_LONG_RUN) >= 0:
        return _SLOW
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW


_PLAIN_START = frozenset(bytes([b]) for b in b'{["0123456789-tfn \t\r\n')


def _decode(raw: bytes, what: str) -> str:
    """Bytes to text as RFC 8259 allows (UTF-8; UTF-16/32 detected as the json module does),
    strictly: invalid sequences, and encoded surrogates, are refused."""
    # two leading non-zero bytes other than a byte-order mark mean UTF-8 (what detect_encoding
    # concludes, without its checks), as for every body a client sends in practice
    encoding = "utf-8" if raw[:1] in _PLAIN_START and raw[1:2] not in b"\x00" else json.detect_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        byte = raw[exc.start : exc.start + 1].hex()
        if encoding.startswith("utf-8"):
            raise JSONInputError(what, f"is not valid UTF-8 (byte 0x{byte} at offset {exc.start})") from None
        why = "NUL bytes" if b"\x00" in raw[:4] else "a byte-order mark"  # how RFC 8259 tells them
        raise JSONInputError(
            what,
            f"is not valid {encoding.upper()}, which its first bytes ({why}) mean"
            f" (byte 0x{byte} at offset {exc.start})",
        ) from None


def _check(value: Any, what: str, max_depth: int | None) -> None:
    """Walk the parsed value without recursion: nesting depth, and strings holding surrogates."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            if max_depth is not None and depth >= max_depth:
                raise JSONInputError(what, _too_deep(max_depth), path)
            for key, item in node.items():
                where = f"{path}.{key}" if path else key
                if _SURROGATE.search(key):
                    _surrogate(what, path or "the top level")
                stack.append((item, depth + 1, where))
        elif isinstance(node, list):
            if max_depth is not None and depth >= max_depth:
                raise JSONInputError(what, _too_deep(max_depth), path)
            stack.extend((item, depth + 1, f"{path}[{index}]") for index, item in enumerate(node))
        elif isinstance(node, str) and _SURROGATE.search(node):
            _surrogate(what, path or "the top level")


def unwritable(value: str | int) -> str | None:
    """Why a string or integer set through the Python API cannot go into a state file that
    :func:`loads` reads back (None: it can): a lone surrogate is written as an escape the parser
    refuses, and an integer past Python's digit limit cannot be written at all."""
    if isinstance(value, str):
        if not value.isascii() and _SURROGATE.search(value):
            return "holds a lone surrogate: strings must be valid Unicode"
        return None
    limit = sys.get_int_max_str_digits()
    # 8**limit < 10**limit: a number of at most 3 * limit bits is short enough, and cheap to tell
    if limit and value.bit_length() > 3 * limit and abs(value) >= 10**limit:
        return f"is an integer of more than {limit} digits, which JSON text here cannot hold"
    return None


_TOO_DEEP = "is nested too deeply"


def _too_deep(max_depth: int | None) -> str:
    return _TOO_DEEP + ("" if max_depth is None else f" (more than {max_depth} levels)")


def _surrogate(what: str, path: str) -> None:
    shown = path.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    raise JSONInputError(
        what, f"holds a lone surrogate at {shown}: strings must be valid Unicode", path=shown
    )


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON for an answer. Never fails on text: a lone surrogate that reached a
    record through the Python API goes out as a ``\\uXXXX`` escape instead of breaking it."""
    try:
        out = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except TypeError:  # 64-bit overflow, keys other than text, lone surrogates, unknown types
        pass
    else:
        if out[0] not in _NUMBER_START and not _may_differ(out):  # bare numbers: the slow way
            return out
    try:
        text = _COMPACT.encode(value)
    except ValueError:  # NaN or an infinity: null, as on the fast path
        value = _finite(value)
        text = _COMPACT.encode(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _ESCAPED.encode(value).encode("ascii")


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None (the standard library cannot write them as null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _may_differ(out: bytes) -> bool:
    """Does orjson's text hold a float Python writes otherwise? Only ``e-`` and one digit, or
    ``0.0000``, can start one; the full pattern (slow next to orjson) confirms the few."""
    # not ``in``: see _fast_loads. A lone ``.`` first: it is one memchr, where ``0.0000`` is
    # slow to find in text full of zeros (serial numbers: 6 µs in 11 KB)
    if out.find(b".") >= 0 and out.find(b"0.0000") >= 0:
        return _SMALL_FLOAT.search(out) is not None
    # byte searches, not the regex engine, whose code is cold between a client's calls: ``e-``
    # is common in text (a UUID's ``9e-4e02``), ``e-``, one digit and the number's end is not.
    # After a few, the rest is left to one regex scan (an answer of 100 things has 100 UUIDs)
    start, looked = out.find(b"e-"), 0
    while start >= 0:
        if out[start + 2 : start + 3].isdigit() and out[start + 3 : start + 4] in _NUMBER_END:
            return _SMALL_FLOAT.search(out) is not None
        looked += 1
        if looked == _LOOKS:
            return _E_DIGIT_END.search(out, start + 2) is not None and _SMALL_FLOAT.search(out) is not None
        start = out.find(b"e-", start + 2)
    return False


def dumps(value: Any) -> str:
    """:func:`encode` as text (always encodable as UTF-8)."""
    return encode(value).decode("utf-8")
