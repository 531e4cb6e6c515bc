"""A thing's (or thing group's) index document: the values a query searches, and the
ThingDocument / ThingGroupDocument that SearchIndex answers with.

Sources, as fleet indexing has them:
- registry: ``thingName``, ``thingId``, ``thingTypeName``, ``thingGroupNames`` (the groups the
  thing is in, and its billing group, which the guide says the field also matches and the
  model's ThingDocument answers: ``memberships``), ``attributes.<name>``;
- shadows (``REGISTRY_AND_SHADOW``): the classic shadow as ``shadow.reported.*``,
  ``shadow.desired.*``, ``shadow.delta.*``, ``shadow.metadata.*``, ``shadow.hasDelta``; named
  shadows (``namedShadowIndexingMode`` ON, names in the filter) the same under
  ``shadow.name.<name>.``. They are read from the tenant's ``shadows`` table (thing name ->
  {shadow name, "" for the classic one -> {"state": {"desired", "reported"}, "metadata",
  "version", "timestamp"}}), which the iot-data shadow service writes;
- connectivity (``thingConnectivityIndexingMode`` STATUS): ``connectivity.connected``,
  ``connectivity.timestamp``, ``connectivity.disconnectReason``, from ``connectivity_of`` (the
  one place the MQTT side feeds).

Versions (the registry's, a shadow's) are not searchable, as the guide says; the answer shows a
shadow's and aggregations read them (``aggregate``). Values follow the guide's indexing rules:
nested shadow fields are dot-joined, an array is indexed only when all its items are simple values
(each item then matches), nulls are not indexed, and a value that is a JSON number literal
(attributes included, which are strings) is indexed as a number.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ....registry import Device
from ....registry.kinds import BILLING_MEMBERS, SHADOWS
from ....registry.relations import Relation
from .query import NUMBER

if TYPE_CHECKING:
    from ....registry import Tenant
    from ....registry.groups import Groups

#: the tenant table the iot-data shadow service keeps shadows in
SHADOWS_TABLE = SHADOWS  # the catalog's shadow kind (iot-data writes it)


class Value(NamedTuple):
    """One indexed value: its lower-cased text, its whitespace-separated words, its number.
    (A named tuple: a search makes one per field it reads of every thing.)"""

    text: str
    tokens: tuple[str, ...]
    number: float | None = None
    #: the value as stored (aggregations report it with its case)
    raw: Any = None

    @classmethod
    def of(cls, raw: Any, *, numeric_strings: bool = False) -> Value:
        if type(raw) is str and not numeric_strings:  # a name, a group: the most made, first
            text = raw.lower()
            return _new(cls, (text, tuple(text.split()) or (text,), None, raw))
        if raw is True or raw is False:
            text = "true" if raw else "false"
            return cls(text, (text,), None, raw)
        if isinstance(raw, int | float):
            text = repr(raw)  # what JSON shows: 5, 2.5
            return cls(text, (text,), _number(raw), raw)
        text = str(raw).lower()
        number = float(text) if numeric_strings and NUMBER.fullmatch(text) else None
        return cls(text, words(text), number, raw)


def _number(raw: int | float) -> float:
    """A number as the index compares it: an integer past a float's range (a shadow may hold
    400 digits) is an infinity, as the same digits in text read, not an OverflowError that
    failed every search of the account."""
    try:
        return float(raw)
    except OverflowError:
        return math.inf if raw > 0 else -math.inf


#: a Value made without the named tuple's Python-level ``__new__`` (the fields in their order)
_new = tuple.__new__


def words(text: str) -> tuple[str, ...]:
    """The tokens a value's (lower-cased) text is indexed as: its white-space separated words, or
    the text itself when it has none (an empty or blank value matches only itself)."""
    return tuple(text.split()) or (text,)


@dataclass(frozen=True, slots=True)
class View:
    """What the things index holds, from the indexing configuration."""

    shadow: bool = False
    #: named shadows indexed (empty: none)
    named: frozenset[str] = frozenset()
    connectivity: bool = False


class Searchable(Protocol):
    """What a query is evaluated over: a field's values (None: every free-text field) and
    whether a field, or any field below it, exists."""

    def values(self, name: str | None) -> list[Value]: ...

    def exists(self, name: str) -> bool: ...


@dataclass(slots=True)
class Document:
    """Field name -> values, built eagerly (a thing group, or one source of a thing)."""

    fields: dict[str, list[Value]] = field(default_factory=dict)

    def add(self, name: str, raw: Any, *, numeric_strings: bool = False) -> None:
        self.fields.setdefault(name, []).append(Value.of(raw, numeric_strings=numeric_strings))

    def values(self, name: str | None) -> list[Value]:
        if name is not None:
            return self.fields.get(name, [])
        return [v for values in self.fields.values() for v in values]

    def exists(self, name: str) -> bool:
        prefix = name + "."
        return name in self.fields or any(key.startswith(prefix) for key in self.fields)


# -- sources ---------------------------------------------------------------------------------------
def connectivity_of(device: Device) -> dict[str, Any]:
    """The thing's connectivity status as fleet indexing reports it: ``connected`` and, once
    known, ``timestamp`` (epoch ms) and ``disconnectReason``. The MQTT broker records it in the
    device's ``extra["connectivity"]``; a thing that never connected is not connected."""
    recorded = (device.extra or {}).get("connectivity")
    if not isinstance(recorded, dict):
        return {"connected": False}
    out: dict[str, Any] = {"connected": bool(recorded.get("connected"))}
    for key in ("timestamp", "disconnectReason"):
        if recorded.get(key) is not None:
            out[key] = recorded[key]
    return out


def shadows_of(table: dict[str, Any], thing: str) -> dict[str, dict[str, Any]]:
    """The thing's shadows from the ``shadows`` table ({} when it has none or the entry is junk)."""
    entry = table.get(thing)
    if not isinstance(entry, dict):
        return {}
    return {name: doc for name, doc in entry.items() if isinstance(name, str) and isinstance(doc, dict)}


def delta(desired: Any, reported: Any) -> dict[str, Any]:
    """The desired fields that the reported state does not have equal (objects compared field by
    field, anything else as a whole), as the shadow service computes ``delta``."""
    if not isinstance(desired, dict):
        return {}
    reported = reported if isinstance(reported, dict) else {}
    out: dict[str, Any] = {}
    for key, want in desired.items():
        if want is None:
            continue
        have = reported.get(key)
        if isinstance(want, dict) and isinstance(have, dict):
            inner = delta(want, have)
            if inner:
                out[key] = inner
        elif want != have:
            out[key] = want
    return out


def shadow_sections(doc: dict[str, Any]) -> dict[str, Any]:
    """The indexed view of one shadow document: its sections, ``hasDelta`` and ``version``."""
    state = doc.get("state") if isinstance(doc.get("state"), dict) else {}
    desired = state.get("desired") if isinstance(state.get("desired"), dict) else None
    reported = state.get("reported") if isinstance(state.get("reported"), dict) else None
    changes = delta(desired, reported)
    out: dict[str, Any] = {}
    if desired is not None:
        out["desired"] = desired
    if reported is not None:
        out["reported"] = reported
    if changes:
        out["delta"] = changes
    if isinstance(doc.get("metadata"), dict):
        out["metadata"] = doc["metadata"]
    out["hasDelta"] = bool(changes)
    if isinstance(doc.get("version"), int) and not isinstance(doc.get("version"), bool):
        out["version"] = doc["version"]
    return out


#: nesting below this is not indexed (the shadow service allows 6 levels; this bounds the walk
#: over whatever a restored state holds)
MAX_NESTING = 32


def flatten(prefix: str, value: Any, document: Document, depth: int = 0) -> None:
    """Index a JSON value under ``prefix`` by the guide's rules (dot-joined names, simple arrays
    only, no nulls)."""
    if value is None:
        return
    if isinstance(value, dict):
        if depth < MAX_NESTING:
            for key, inner in value.items():
                flatten(f"{prefix}.{key}", inner, document, depth + 1)
    elif isinstance(value, list):
        if all(isinstance(item, str | int | float | bool) for item in value):
            for item in value:
                document.add(prefix, item)
    elif isinstance(value, str | int | float | bool):
        document.add(prefix, value)


# -- documents -------------------------------------------------------------------------------------
def memberships(tenant: Tenant, groups: Groups) -> Callable[[str], Sequence[str]]:
    """A thing's ``thingGroupNames``, for many things in a row: its static thing groups, then its
    billing group (a membership link since billing groups became records; the index once read
    the name v1 kept in the device's ``extra``, which no write makes any more)."""
    static = groups.groups_reader()
    if BILLING_MEMBERS not in tenant.tables:  # no billing group was ever joined: nothing to add
        return static
    billing = Relation(tenant, BILLING_MEMBERS).lefts_reader()

    def read(key: str) -> Sequence[str]:
        bill = billing(key)
        return (*static(key), *bill) if bill else static(key)

    return read


class Thing:
    """Everything a thing's index document is made of; group membership and shadows are looked
    up only when a query (or the answer) needs them."""

    __slots__ = ("_groups", "_shadows", "_table", "device", "groups_of")

    def __init__(
        self, device: Device, groups_of: Callable[[str], Sequence[str]], table: dict[str, Any]
    ) -> None:
        self.device = device
        self.groups_of = groups_of
        self._table = table
        self._groups: tuple[str, ...] | None = None
        self._shadows: dict[str, dict[str, Any]] | None = None

    @property
    def groups(self) -> tuple[str, ...]:
        if self._groups is None:
            self._groups = tuple(self.groups_of(self.device.key))
        return self._groups

    @property
    def shadows(self) -> dict[str, dict[str, Any]]:
        if self._shadows is None:
            self._shadows = shadows_of(self._table, self.device.key)
        return self._shadows

    def indexed_shadows(self, view: View) -> dict[str, dict[str, Any]]:
        """Shadow name ("" classic) -> indexed sections, for the shadows the view includes."""
        out: dict[str, dict[str, Any]] = {}
        if not (view.shadow or view.named):
            return out
        for name, doc in self.shadows.items():
            if (name == "" and view.shadow) or (name and name in view.named):
                out[name] = shadow_sections(doc)
        return out


class ThingDocument:
    """A thing's index document, built one source at a time as the query asks for fields:
    registry fields straight from the device, shadows and connectivity on first use. The same
    interface as ``Document``; a search over many things mostly reads a field or two of each."""

    __slots__ = ("_parts", "thing", "view")

    def __init__(self, thing: Thing, view: View) -> None:
        self.thing = thing
        self.view = view
        self._parts: dict[str, Document] = {}

    def values(self, name: str | None) -> list[Value]:
        if name is None:
            return self._part("registry").values(None) + self._part("shadow").values(None)
        device = self.thing.device
        if name == "thingName":
            return [Value.of(device.key)]
        if name.startswith("attributes."):
            raw = (device.attributes or {}).get(name[len("attributes.") :])
            return [] if raw is None else [Value.of(raw, numeric_strings=True)]
        source = _source(name)
        if source == "registry" and name not in ("thingId", "thingTypeName", "thingGroupNames"):
            return []  # no registry field by that name: nothing to build
        return self._part(source).values(name)

    def exists(self, name: str) -> bool:
        return self._part(_source(name)).exists(name)

    def _part(self, source: str) -> Document:
        part = self._parts.get(source)
        if part is None:
            part = self._parts[source] = _BUILDERS[source](self.thing, self.view)
        return part


def _source(name: str) -> str:
    head = name.split(".", 1)[0]
    return head if head in ("shadow", "connectivity") else "registry"


def _registry(thing: Thing, view: View) -> Document:
    device = thing.device
    document = Document()
    document.add("thingName", device.key)
    document.add("thingId", device.id)
    if device.product is not None:
        document.add("thingTypeName", device.product)
    for group in thing.groups:
        document.add("thingGroupNames", group)
    for name, value in (device.attributes or {}).items():
        document.add(f"attributes.{name}", value, numeric_strings=True)
    return document


def _shadow(thing: Thing, view: View) -> Document:
    document = Document()
    for name, sections in thing.indexed_shadows(view).items():
        prefix = "shadow" if name == "" else f"shadow.name.{name}"
        for key, value in sections.items():
            if key != "version":
                flatten(f"{prefix}.{key}", value, document)
    return document


def _connectivity(thing: Thing, view: View) -> Document:
    document = Document()
    if view.connectivity:
        for key, value in connectivity_of(thing.device).items():
            document.add(f"connectivity.{key}", value)
    return document


_BUILDERS: dict[str, Callable[[Thing, View], Document]] = {
    "registry": _registry,
    "shadow": _shadow,
    "connectivity": _connectivity,
}


def thing_document(thing: Thing, view: View) -> ThingDocument:
    return ThingDocument(thing, view)


def thing_answer(thing: Thing, view: View) -> dict[str, Any]:
    """The ThingDocument SearchIndex answers with: fields the index holds, empty ones left out."""
    device = thing.device  # a page's hundred answers: kept to plain reads, no property twice
    out: dict[str, Any] = {"thingName": device.key, "thingId": device.id}
    if device.product is not None:
        out["thingTypeName"] = device.product
    groups = thing.groups
    if groups:
        out["thingGroupNames"] = list(groups)
    attributes = device.attributes
    if attributes:
        out["attributes"] = dict(attributes)
    shadows = thing.indexed_shadows(view) if view.shadow or view.named else None
    if shadows:
        body: dict[str, Any] = dict(shadows.get("", {}))
        named = {name: sections for name, sections in shadows.items() if name}
        if named:
            body["name"] = named
        out["shadow"] = json.dumps(body, separators=(",", ":"))
    if view.connectivity:
        out["connectivity"] = connectivity_of(device)
    return out


def group_document(record: dict[str, Any], parents: list[str]) -> Document:
    """A thing group's document in the AWS_ThingGroups index."""
    properties = record.get("properties") or {}
    document = Document()
    document.add("thingGroupName", record["name"])
    document.add("thingGroupId", record["id"])
    if properties.get("thingGroupDescription"):
        document.add("thingGroupDescription", properties["thingGroupDescription"])
    for name in parents:
        document.add("parentGroupNames", name)
    attributes = (properties.get("attributePayload") or {}).get("attributes") or {}
    for name, value in attributes.items():
        document.add(f"attributes.{name}", value, numeric_strings=True)
    return document


def group_answer(record: dict[str, Any], parents: list[str]) -> dict[str, Any]:
    properties = record.get("properties") or {}
    out: dict[str, Any] = {"thingGroupName": record["name"], "thingGroupId": record["id"]}
    if properties.get("thingGroupDescription"):
        out["thingGroupDescription"] = properties["thingGroupDescription"]
    attributes = (properties.get("attributePayload") or {}).get("attributes") or {}
    if attributes:
        out["attributes"] = dict(attributes)
    if parents:
        out["parentGroupNames"] = list(parents)
    return out
