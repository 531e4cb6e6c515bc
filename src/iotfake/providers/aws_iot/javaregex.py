"""The service model's ``pattern`` constraints, which are Java regular expressions, as Python checks.

Python's ``re`` knows neither ``\\p{Graph}`` (POSIX classes) nor ``\\p{L}`` (Unicode categories).
POSIX classes are ASCII-only in Java by default, so they translate to ranges. Unicode categories
cannot be written as ``re`` ranges cheaply, but every model pattern that uses them is a single
repeated character class (``[^\\p{C}]*``, ``^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$``), which becomes a
per-character predicate. AWS validates with ``Matcher.matches()``: the whole value must match.
Java's ``\\w``, ``\\d`` and ``\\s`` are ASCII-only by default too (``[\\w+=,.@-]+`` refuses
``pölicy``), so every translation compiles with ``re.ASCII``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from ... import charsets

Check = Callable[[str], bool]

#: Java's POSIX character classes (US-ASCII only unless UNICODE_CHARACTER_CLASS is set)
POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}

_PROPERTY = re.compile(r"\\p\{(\w+)\}")
_SINGLE_CLASS = re.compile(r"\^?\(?\[(\^?)((?:\\.|[^\]\\])*)\]([*+])\)?\$?")


class UnsupportedPattern(ValueError):
    """A pattern this translator cannot express (the generator's test keeps the set empty)."""


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Check:
    """A full-match check for a model pattern; raises UnsupportedPattern if it cannot be honoured."""
    categories = [name for name in _PROPERTY.findall(pattern) if name not in POSIX]
    if not categories:
        translated = _PROPERTY.sub(lambda m: POSIX[m.group(1)], pattern)
        try:
            regex = re.compile(translated, re.ASCII)
        except re.error as exc:
            raise UnsupportedPattern(f"{pattern!r}: {exc}") from exc
        single = _SINGLE_CLASS.fullmatch(translated)
        if single is not None:  # one repeated class (most model patterns): ASCII values by table
            negated, body, quantifier = single.groups()
            try:
                one = re.compile(f"[{negated}{body}]", re.ASCII)
            except re.error:
                one = None
            if one is not None:
                return _by_table(lambda char: one.fullmatch(char) is not None, quantifier, regex)
        return lambda value: regex.fullmatch(value) is not None
    return _class_check(pattern)


def _by_table(member: Check, quantifier: str, regex: re.Pattern[str] | None = None) -> Check:
    """The check of a repeated character class (``[a-zA-Z0-9:_-]+``): an ASCII value is read by
    a table of the class's ASCII members (``charsets``; the regex engine is cold between a
    client's calls, and a per-character loop is Python); any other value as before, by ``regex``
    or by ``member`` for each character."""
    allowed = charsets.table(bytes(code for code in range(128) if member(chr(code))))
    empty_ok = quantifier == "*"

    def check(value: str) -> bool:
        if value.isascii():
            if not value:
                return empty_ok
            return value.encode().translate(allowed).isalpha()  # charsets.all_in, inlined
        if regex is not None:
            return regex.fullmatch(value) is not None
        return all(member(char) for char in value)  # not ASCII, so not empty

    return check


def _class_check(pattern: str) -> Check:
    match = _SINGLE_CLASS.fullmatch(pattern)
    if match is None:
        raise UnsupportedPattern(f"{pattern!r}: Unicode properties outside a single character class")
    negated, body, quantifier = match.group(1) == "^", match.group(2), match.group(3)
    tests = _class_tests(body, pattern)

    def member(char: str) -> bool:
        return any(test(char) for test in tests) != negated

    return _by_table(member, quantifier)


def _class_tests(body: str, pattern: str) -> list[Check]:
    """Split a character-class body into tests: Unicode categories, POSIX classes, the rest."""
    tests: list[Check] = []
    plain: list[str] = []
    position = 0
    while position < len(body):
        prop = _PROPERTY.match(body, position)
        if prop is not None:
            name = prop.group(1)
            if name in POSIX:
                plain.append(POSIX[name])
            elif len(name) in (1, 2) and name[0].isupper():
                tests.append(_category_test(name))
            else:
                raise UnsupportedPattern(f"{pattern!r}: unknown property \\p{{{name}}}")
            position = prop.end()
            continue
        step = 2 if body[position] == "\\" else 1
        plain.append(body[position : position + step])
        position += step
    if plain:
        try:
            regex = re.compile("[" + "".join(plain) + "]", re.ASCII)
        except re.error as exc:
            raise UnsupportedPattern(f"{pattern!r}: {exc}") from exc
        tests.append(lambda char: regex.match(char) is not None)
    return tests


def _category_test(name: str) -> Check:
    """``\\p{L}`` matches any category starting with L; ``\\p{Lu}`` only Lu. Java's \\p{C} includes Cn."""
    if len(name) == 1:
        return lambda char: unicodedata.category(char)[0] == name
    return lambda char: unicodedata.category(char) == name
