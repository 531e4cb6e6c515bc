"""Which things a query can match, found without reading every thing: a small query planner.

Reading a thing's index document costs microseconds, so a search that reads every thing costs
milliseconds at a thousand things and seconds at a million. Most fleet queries name things
(``thingName:meter-17``, ``thingName:meter-*``, ``thingName:(a OR b*)``), and those can be
answered from the thing names alone: the planner keeps, per tenant, every name's index tokens in
order (the same tokens ``document.words`` gives a value) and turns the query into lookups on
them, an exact token or a prefix. ``candidates`` is always a superset of the matches: the search
still evaluates the whole query on each candidate, so the planner only decides how many
documents are read, never which things are found. A term on an attribute reads the things that
have the attribute, or whose value holds the word (selected in one pass and kept until the
registry changes). A query it cannot
narrow (a free-text term, another field, a NOT on its own) reads every thing, in the kept name
order.

How each node narrows (None: it does not):
- ``thingName:word`` -> the word's first token (a value equal to the word, or holding it as a
  word, has that token); ``thingName:pre*fix`` -> the tokens starting with ``pre``;
- ``attributes.x:word`` -> the things whose attribute ``x`` holds the word's text (a number: any
  value of ``x``, since ``75`` matches ``"7.5e1"``); a range on it -> the things with an attribute
  ``x`` (``attributes.x:*`` does not narrow: an attribute ``x.y`` below it matches it too);
- AND -> the child with the fewest candidates (each child's matches include the AND's);
- OR -> the union of its children's, when every child narrows;
- NOT, ranges on names, other fields, wildcards with nothing before the first ``*`` / ``?`` -> None.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, NamedTuple

from ....registry.ordered import from_keys, sorted_keys
from ....registry.selections import selection
from .document import words
from .query import NUMBER, And, Node, Or, Term, Word

if TYPE_CHECKING:
    from ....registry.tenant import Tenant

#: the field the planner narrows on (the thing's name, always in its index document)
NAME = "thingName"
#: and the attributes, by name
ATTRIBUTES = "attributes."


class Lookup(NamedTuple):
    """Tokens equal to ``text`` (``exact``), or starting with it."""

    text: str
    exact: bool


class Has(NamedTuple):
    """The things with the attribute ``attribute`` (any value): a word or a range on
    ``attributes.<attribute>`` reads that attribute alone, so nothing else can match it.
    ``text``: only those whose (lower-cased) text value holds it, or whose value is not text;
    a word matches a value equal to it or holding it as a word, so the value holds its text."""

    attribute: str
    text: str | None = None


class _Tokens(NamedTuple):
    """Every thing name's tokens in order, and the name each came from (parallel lists)."""

    tokens: list[str]
    names: list[str]

    def span(self, lookup: Lookup) -> tuple[int, int]:
        tokens, text = self.tokens, lookup.text
        start = bisect_left(tokens, text)
        if lookup.exact:
            return start, bisect_right(tokens, text, start)
        last = ord(text[-1])
        if last < sys.maxunicode:  # what starts with ``text`` sorts before its successor
            return start, bisect_left(tokens, text[:-1] + chr(last + 1), start)
        end = start
        while end < len(tokens) and tokens[end].startswith(text):
            end += 1
        return start, end


def candidates(tenant: Tenant, query: Node) -> list[str]:
    """The names of the things ``query`` can match, in order (a superset: evaluate the query on
    each; a name may have gone since, so look each one up). The list may be shared: do not
    change it."""
    lookups = plan(query)
    if lookups is None:
        return sorted_keys(tenant)
    found: set[str] = set()
    for lookup in lookups:
        if isinstance(lookup, Has):
            found.update(_having(tenant, lookup))
        else:
            index = _tokens(tenant)
            start, end = index.span(lookup)
            found.update(index.names[start:end])
    if len(found) * 8 > len(tenant.keys):  # most of the fleet: filtering the kept order is cheaper
        return [name for name in sorted_keys(tenant) if name in found]
    return sorted(found)


def exact(query: Node) -> bool:
    """Whether ``candidates`` are exactly the things ``query`` matches, so a search need not
    test them: one term on the name, a bare word (the things holding it as a token) or
    ``prefix*`` (those with a token starting with it), which is what ``evaluate._word`` tests
    on the name's tokens, read as the index reads them."""
    if not (isinstance(query, Term) and query.field == NAME and isinstance(query.value, Word)):
        return False
    word = query.value
    if word.pattern is not None:
        runs = word.pattern.runs
        return runs is not None and len(runs) == 2 and bool(runs[0]) and not runs[1]
    text = word.text.lower()  # one token: a phrase or an escaped space matches the whole name too
    return text.split() == [text]


def _having(tenant: Tenant, has: Has) -> list[str]:
    """The names of the things ``has`` selects, read in one pass and kept until the registry
    changes: a search for a value few things have read every thing's document to find them,
    and one for a common value read thousands for each page."""
    attribute, text = has

    def select() -> list[str]:
        devices = list(tenant.keys.values())
        if text is None:
            return [d.key for d in devices if d.attributes and attribute in d.attributes]
        return [
            d.key
            for d in devices
            if d.attributes
            and attribute in d.attributes
            and (type(value := d.attributes[attribute]) is not str or text in value.lower())
        ]

    return selection(tenant, ("indexing attribute", attribute, text), select, records=True)


def plan(node: Node) -> list[Lookup | Has] | None:
    """The lookups whose names include every thing ``node`` matches (None: it cannot say)."""
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, And):
        narrowing = [found for item in node.items if (found := plan(item)) is not None]
        return min(narrowing, key=_cost) if narrowing else None
    if isinstance(node, Or):
        union: list[Lookup | Has] = []
        for item in node.items:
            found = plan(item)
            if found is None:
                return None
            union.extend(found)
        return union
    return None  # a NOT matches what its item does not: no name narrows it


def _term(term: Term) -> list[Lookup | Has] | None:
    word, field = term.value, term.field
    if field is not None and field.startswith(ATTRIBUTES) and len(field) > len(ATTRIBUTES):
        # ``attributes.x:*`` matches a field below it too (an attribute named ``x.y``)
        if isinstance(word, Word) and word.is_star:
            return None
        return [Has(field[len(ATTRIBUTES) :], _held(word) if isinstance(word, Word) else None)]
    if field != NAME or not isinstance(word, Word):
        return None
    if word.pattern is not None:
        prefix = word.pattern.prefix
        return [Lookup(prefix, exact=False)] if prefix else None
    # ``evaluate._word`` on a thing name (never a number): the word equals the value, or
    # is one of its tokens, or (a quoted phrase) runs through them; each has this first token
    return [Lookup(words(word.text.lower())[0], exact=True)]


def _held(word: Word) -> str | None:
    """Text every value ``word`` matches holds (``evaluate._word``): the word itself, or a
    quoted phrase's first word, or a pattern's literal start; None for a number (``75``
    matches ``"7.5e1"`` by value) and a pattern that starts with a wildcard."""
    if word.pattern is not None:
        return word.pattern.prefix or None
    text = word.text.lower()
    return None if NUMBER.fullmatch(text) else words(text)[0]


def _cost(lookups: list[Lookup | Has]) -> tuple[int, int, int, int]:
    """How wide the lookups are, without the index: names before attributes, values of an
    attribute before the attribute, exact tokens before prefixes, longer prefixes before
    shorter ones (an AND reads its narrowest child's candidates)."""
    named = [lookup for lookup in lookups if isinstance(lookup, Lookup)]
    return (
        len(lookups) - len(named),
        sum(isinstance(lookup, Has) and lookup.text is None for lookup in lookups),
        sum(not lookup.exact for lookup in named),
        -min((len(lookup.text) for lookup in named), default=0),
    )


def _tokens(tenant: Tenant) -> _Tokens:
    return from_keys(tenant, "indexing name tokens", _names, _index)


def _names(tenant: Tenant) -> list[str]:
    return list(tenant.keys)


def _index(names: list[str]) -> _Tokens:
    pairs = sorted((token, name) for name in names for token in words(name.lower()))
    return _Tokens([token for token, _ in pairs], [name for _, name in pairs])
