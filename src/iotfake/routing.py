"""A fast path for URL rules with converters, in front of werkzeug's matcher.

werkzeug's state-machine matcher costs about 7 µs a call (a recursive closure per match); an
in-process call costs the fake 30-50 µs in all. Most requests to converter rules can be decided by
a regular expression per rule, tried only against the rules that share the path's first segment.
The fast path answers only when it is sure to give werkzeug's answer: one rule matches the path
and method (or werkzeug has ranked those that do), every rule it could compete with uses
converters it models (the default one, ``path`` and ``any``), and the path has no trailing or
doubled slash (werkzeug's slash rules).
Anything else - 404s, 405s - goes to werkzeug, so answers never change. A path that several rules
fit, such as ``/things/t1/shadow`` (GetThingShadow's rule, and DescribeThing's ``path``
converter), is decided as werkzeug decided it the first time those rules met (``decide``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.routing import Rule

from .memo import keep

_INDEX_SIZE = 4096

#: werkzeug's own converter regexes (UnicodeConverter, PathConverter)
_CONVERTERS = {"default": "[^/]+", "string": "[^/]+", "path": "[^/].*?"}
_PART = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[a-zA-Z_]\w*)>"
)


#: a rule of whole segments past the first: its literal segments by position, each converter's
#: position, name and choices (None: any segment), and a ``path`` converter ending the rule (its
#: position and name), if one does (see ``_segments``)
Segments = tuple[
    tuple[tuple[int, str], ...], tuple[tuple[int, str, frozenset[str] | None], ...], tuple[int, str] | None
]


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    endpoint: Any
    #: None: any method (a rule made without ``methods``)
    methods: frozenset[str] | None
    #: the slashes a matching path has: exactly this many, or (``exact`` False, a ``path``
    #: converter) at least this many; a path with another count is skipped without its regex
    slashes: int
    exact: bool
    #: a rule of whole segments (``/things/<thingName>/shadow``), read without its regex; None
    #: for other rules
    segments: Segments | None


class PatternRoutes:
    """Rules with converters, indexed by their first path segment."""

    def __init__(self, rules: Iterable[Rule], decide: Callable[[str, str], Any] | None = None) -> None:
        #: ``(path, method) -> endpoint`` by werkzeug, for paths that more than one rule fits (None:
        #: such paths go to werkzeug)
        self._decide = decide
        #: the rules that fitting together -> the one werkzeug chose (see ``_preferred``)
        self._winners: dict[frozenset[Any], Any] = {}
        self._buckets: dict[str, list[_Pattern]] = {}
        #: first segments where some rule is beyond the fast path (werkzeug decides those)
        self._unsure: set[str] = set()
        #: static rules ending in a slash also match the path without it (strict_slashes=False)
        self._slashed: set[str] = set()
        self._anywhere = False  # a rule whose first segment is a converter: no index helps
        #: (first segment, slashes, method) -> the rules worth a regex (see ``_candidates``)
        self._index: dict[tuple[str, int, str], tuple[_Pattern, ...]] = {}
        for rule in rules:
            if rule.host or rule.subdomain:
                self._anywhere = True
                continue
            if not rule.arguments:
                if rule.rule.endswith("/") and rule.rule != "/":
                    self._slashed.add(rule.rule.rstrip("/"))
                continue
            first = rule.rule.split("/", 2)[1]
            if "<" in first:
                self._anywhere = True
                continue
            compiled = _compile(rule.rule)
            if compiled is None:
                self._unsure.add(first)
                continue
            regex, exact = compiled
            methods = None if rule.methods is None else frozenset(rule.methods)
            self._buckets.setdefault(first, []).append(
                _Pattern(
                    regex,
                    rule.endpoint,
                    methods,
                    _PART.sub("x", rule.rule).count("/"),
                    exact,
                    _segments(rule.rule),
                )
            )

    def match(self, path: str, method: str) -> tuple[Any, dict[str, str]] | None:
        """``(endpoint, args)`` when the fast path is sure, else None (ask werkzeug)."""
        # slices, not endswith/startswith: those parse their arguments the old, slow way
        if self._anywhere or path[-1:] == "/" or "//" in path or path in self._slashed:
            return None
        first = path.split("/", 2)[1] if path[:1] == "/" else ""
        if first in self._unsure:
            return None
        found = None
        parts = None
        fits: dict[Any, dict[str, str]] | None = None  # when two or more rules fit
        newline = "\n" in path  # which a path converter's ``.`` does not match: the regexes decide
        for pattern in self._candidates(first, path.count("/"), method):
            segments = pattern.segments
            if segments is None or newline:
                hit = pattern.regex.fullmatch(path)
                args = None if hit is None else hit.groupdict()
            else:  # its regex's answer, read from the segments (the regex engine is cold in situ)
                if parts is None:
                    parts = path.split("/")
                args = _read(segments, parts)
            if args is not None:
                if found is None:
                    found = (pattern.endpoint, args)
                else:
                    fits = fits or {found[0]: found[1]}
                    fits[pattern.endpoint] = args
        if fits is not None:
            return self._preferred(fits, path, method)
        return found

    def _preferred(
        self, fits: dict[Any, dict[str, str]], path: str, method: str
    ) -> tuple[Any, dict[str, str]] | None:
        """Of rules that all fit a path, the one werkzeug prefers. Its matcher ranks rules by
        their shape alone (a literal segment before a converter, a ``path`` converter last), so
        the winner among the same rules is asked of ``decide`` (werkzeug) once and kept."""
        key = frozenset(fits)
        winner = self._winners.get(key)
        if winner is None:
            if self._decide is None:
                return None
            winner = self._decide(path, method)
            if winner not in fits:  # werkzeug answered otherwise (it should not): ask it every time
                return None
            keep(self._winners, key, winner, _INDEX_SIZE)
        return winner, fits[winner]

    def _candidates(self, first: str, slashes: int, method: str) -> tuple[_Pattern, ...]:
        """The rules that could match a path of this first segment and depth for ``method``: the
        others' regexes could not match (a bucket such as ``things`` holds 19 rules)."""
        bucket = self._buckets.get(first)
        if bucket is None:
            return ()  # no rule starts so: nothing to remember for a made-up path
        key = (first, slashes, method)
        found = self._index.get(key)
        if found is None:
            found = tuple(
                pattern
                for pattern in bucket
                if (pattern.slashes == slashes or (not pattern.exact and slashes > pattern.slashes))
                and (pattern.methods is None or method in pattern.methods)
            )
            keep(self._index, key, found, _INDEX_SIZE)  # clients choose paths and methods
        return found


def _read(segments: Segments, parts: list[str]) -> dict[str, str] | None:
    """A path's arguments under a rule of whole segments (``_segments``), or None where it does
    not match, as the rule's regex reads it. ``parts`` is the path split at its slashes: as many
    as the rule's, or more under a ``path`` converter (the candidates share its depth), and none
    empty past the first (``match`` sends paths with ``//`` or a trailing ``/`` to werkzeug), no
    newline in it (which a path converter's ``.`` does not match: ``match`` uses the regexes)."""
    literals, converters, tail = segments
    for position, literal in literals:
        if parts[position] != literal:
            return None
    args = {}
    for position, name, choices in converters:
        value = parts[position]
        if choices is not None and value not in choices:
            return None
        args[name] = value
    if tail is not None:  # ``[^/].*?`` to the end: the segments left, none empty
        position, name = tail
        args[name] = parts[position] if len(parts) == position + 1 else "/".join(parts[position:])
    return args


def _segments(rule: str) -> Segments | None:
    """A rule as literal segments and converters, each a whole segment past the first (the
    bucket's, matched already), and a ``path`` converter as its last segment if any; None for
    any other rule (text and a converter in one segment, a path converter elsewhere)."""
    literals: list[tuple[int, str]] = []
    converters: list[tuple[int, str, frozenset[str] | None]] = []
    tail = None
    for position, segment in enumerate(rule.split("/")):
        if position < 2:
            continue
        if tail is not None:
            return None  # something after a path converter
        part = _PART.fullmatch(segment)
        if part is None:
            if "<" in segment or not segment:
                return None
            literals.append((position, segment))
            continue
        converter, args, name = part.group("converter") or "default", part.group("args"), part.group("name")
        if converter == "any" and args:
            choices = frozenset(_choices(args))
            if any("/" in choice or not choice for choice in choices):
                return None
            converters.append((position, name, choices))
        elif converter == "path" and not args:
            tail = (position, name)
        elif converter in _CONVERTERS and not args:
            converters.append((position, name, None))
        else:
            return None
    return tuple(literals), tuple(converters), tail


def _choices(args: str) -> list[str]:
    """An ``any`` converter's choices, quotes and spaces stripped: one reading for the regex and
    the segments, so the two cannot read a rule apart."""
    return [choice.strip().strip("'\"") for choice in args.split(",")]


def _compile(rule: str) -> tuple[re.Pattern[str], bool] | None:
    """The rule's regex, and whether its paths have exactly the rule's own slashes (no ``path``
    converter, no ``any`` choice holding one); None for a rule beyond the fast path."""
    out, position, exact = [], 0, True
    for part in _PART.finditer(rule):
        out.append(re.escape(rule[position : part.start()]))
        converter, args, name = part.group("converter") or "default", part.group("args"), part.group("name")
        if converter == "any" and args:
            choices = _choices(args)
            out.append(f"(?P<{name}>{'|'.join(re.escape(c) for c in choices)})")
            exact = exact and not any("/" in choice for choice in choices)
        elif converter in _CONVERTERS and not args:
            out.append(f"(?P<{name}>{_CONVERTERS[converter]})")
            exact = exact and converter != "path"
        else:
            return None
        position = part.end()
    out.append(re.escape(rule[position:]))
    return re.compile("".join(out)), exact
