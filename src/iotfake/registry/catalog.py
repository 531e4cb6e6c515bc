"""The catalog: what kinds of record the registry holds, and how they refer to each other.

Each kind declares its table, its key, the types of its fields and its references with an
on-delete rule; each many-to-many relation (a :class:`Link`) declares what its two sides name.
From that one description the registry derives what used to be written by hand in several
places: the checks a snapshot must pass before ``restore`` installs it (``integrity``), what a
delete does to the records that refer to the deleted one (``records.cascade``), the nouns fault
rules and errors name records by, and which fixtures keys seed which kind.

Adding a kind is one :class:`Kind` in ``kinds.py`` plus the provider's handlers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: on-delete rules: refuse the delete / delete the referring record too / clear the reference
RESTRICT, CASCADE, NULLIFY = "restrict", "cascade", "nullify"
#: a reference made by the record's key itself (a shadow is keyed by its thing's name)
KEY = "@key"
#: a reference made by the whole record, a plain string (a principal's one exclusive thing)
VALUE = "@value"

#: the kinds the tenant holds outside tables, with their own indexes
DEVICE, PRODUCT = "device", "product"

JSON = (str, int, float, bool, type(None), dict, list)


@dataclass(frozen=True, slots=True)
class Field:
    """A record field: the types it may hold (``None`` allowed by listing ``type(None)``), and
    what the code that reads it relies on beyond its type. A snapshot is hand-edited JSON: a
    field checked only for being an object let ``{"properties": {"attributePayload": 7}}`` in,
    and each later call that read it answered a 500, so a field may say what its inside holds.

    ``fields``: an object's own fields (other names are let through, as a record's are);
    ``items``: what each item of a list is; ``values``: what each value of an object is (a map
    of names chosen by users); ``low``/``high``: a number's inclusive bounds (a time a client must
    parse, a count the code multiplies); ``pattern``: a regular expression text must match whole
    (a version id the code reads as a number). The nested specs' ``name`` is not used."""

    name: str
    types: tuple[type, ...]
    required: bool = False
    fields: tuple[Field, ...] = ()
    items: Field | None = None
    values: Field | None = None
    low: float | None = None
    high: float | None = None
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """``field`` (or :data:`KEY`, :data:`VALUE`) names a record of ``target``; deleting that
    record applies ``on_delete`` to this one. ``limit``: at most this many records of the kind
    may name one ``target`` record this way (a provisioning template keeps five versions)."""

    field: str
    target: str
    on_delete: str = RESTRICT
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class Kind:
    #: the kind's name, as errors and fault rules say it ("thing group")
    name: str
    #: the tenant table holding its records (name -> key -> record)
    table: str
    #: the record field that repeats the record's key (None: the key is only the table's)
    key: str | None = "name"
    fields: tuple[Field, ...] = ()
    #: what each field of a record is, where the names are users' (a thing's shadows by name)
    values: Field | None = None
    references: tuple[Reference, ...] = ()
    #: a self-reference field that must never form a cycle (a thing group's parent)
    acyclic: str | None = None
    #: what a provider calls one of them in an answer ("Thing group"), by provider
    nouns: dict[str, str] = field(default_factory=dict)
    #: request fields that name one of them (a fault rule's NotFound names that record)
    labels: tuple[str, ...] = ()
    #: whether records are JSON objects (False: plain strings, as ``VALUE`` references are)
    objects: bool = True
    #: why a restricting delete is refused, as the provider words it ({key}: the deleted key)
    in_use: str = "{kind} {key} is still in use"
    #: whether anything reads the table in its order (False: readers sort, or use its indexes):
    #: the undo of a delete then puts the record back at the end, not in its place, which
    #: takes a scan of the table to find at every delete a transaction encloses (a thing's
    #: executions deleted with it, at a fleet-wide job's 50,000)
    ordered: bool = True


@dataclass(frozen=True, slots=True)
class Link:
    """A many-to-many relation, stored both ways (tables ``table`` and ``table~``, see
    ``relations``). ``left``/``right`` name the kinds on each side (None: not checked: a
    principal is an ARN of several possible kinds). Deleting a record on one side applies that
    side's rule to its links: CASCADE drops them, RESTRICT refuses the delete while any exist."""

    table: str
    left: str | None
    right: str | None
    on_delete_left: str = CASCADE
    on_delete_right: str = CASCADE
    #: at most this many lefts per right (a thing is in at most one billing group)
    right_limit: int | None = None
    in_use: str = "{kind} {key} is still linked in {table}"


class Catalog:
    """Kinds and links by name and table, with the reverse index deletes need."""

    def __init__(self, kinds: Iterable[Kind] = (), links: Iterable[Link] = ()) -> None:
        self.kinds: dict[str, Kind] = {}
        self.tables: dict[str, Kind] = {}
        self.links: dict[str, Link] = {}
        self._referrers: dict[str, tuple[list[tuple[Kind, Reference]], list[tuple[Link, str]]]] = {}
        for kind in kinds:
            self.add(kind)
        for link in links:
            self.add_link(link)

    def add(self, kind: Kind) -> Kind:
        if kind.name in self.kinds or kind.table in self.tables or kind.table in self.links:
            raise ValueError(f"the catalog already has a kind named {kind.name!r} or a table {kind.table!r}")
        self.kinds[kind.name] = kind
        self.tables[kind.table] = kind
        self._referrers.clear()
        return kind

    def add_link(self, link: Link) -> Link:
        if link.table in self.links or link.table in self.tables:
            raise ValueError(f"the catalog already has a table {link.table!r}")
        self.links[link.table] = link
        self._referrers.clear()
        return link

    def kind(self, name: str) -> Kind:
        return self.kinds[name]

    def referrers(self, target: str) -> tuple[list[tuple[Kind, Reference]], list[tuple[Link, str]]]:
        """What refers to records of ``target``: (kind, reference) pairs, and (link, side) pairs
        where ``side`` is ``"left"`` or ``"right"``. Computed once per kind."""
        cache = self._referrers
        found = cache.get(target)
        if found is None:
            refs = [(k, r) for k in self.kinds.values() for r in k.references if r.target == target]
            links = [(link, side) for link in self.links.values() for side in ("left", "right")
                     if getattr(link, side) == target]  # fmt: skip
            found = cache[target] = (refs, links)
        return found

    def noun(self, kind: str, provider: str) -> str | None:
        found = self.kinds.get(kind)
        return None if found is None else found.nouns.get(provider)
