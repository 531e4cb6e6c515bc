"""The registry's records. Slotted dataclasses: a million devices must fit in well under a GiB.

Provider-specific fields go in ``extra`` (devices) or ``attributes`` (products) so that the
state rules - uniqueness, quotas, versions - stay in one place and know nothing of wire formats.
Empty maps are stored as ``None`` to keep small devices small.

``to_dict`` and ``from_dict`` copy nested values: a record and its dict never share a map, so a
snapshot stays what it was whatever happens to the cloud, and the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from .copying import ATOMS, copy_json


@dataclass(slots=True, eq=False)
class Device:
    #: the immutable identity (EnOS assetId, AWS thingId, scriptr id)
    id: str
    #: the key clients name it by, unique in its tenant (deviceKey, thingName, scriptr id)
    key: str
    #: the product (EnOS productKey, AWS thingTypeName) it counts against, if any
    product: str | None
    name: Any = None
    secret: str | None = None
    attributes: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    status: str = "inactive"
    version: int = 1
    created: int = 0
    updated: int = 0
    extra: dict[str, Any] | None = None

    def to_dict(self, *, copy: bool = True) -> dict[str, Any]:
        """The record as a dict; ``copy=False`` shares nested maps with the live record, which is
        only safe for serialising at once under the registry lock."""
        out = dict(zip(DEVICE_FIELDS, device_values(self), strict=True))
        if copy:
            for name in NESTED_FIELDS:
                value = out[name]
                if type(value) not in ATOMS:
                    out[name] = copy_json(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Device:
        return cls(**{name: v if type(v) in ATOMS else copy_json(v) for name, v in data.items()})


@dataclass(slots=True, eq=False)
class Product:
    """A group of devices with an optional device quota (EnOS product, AWS thing type)."""

    key: str
    name: Any = None
    quota: int | None = None
    created: int = 0
    updated: int = 0
    attributes: dict[str, Any] = field(default_factory=dict)
    #: key -> device; an index, rebuilt on restore, never snapshotted
    devices: dict[str, Device] = field(default_factory=dict, repr=False)

    def to_dict(self, *, copy: bool = True) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "quota": self.quota,
            "created": self.created,
            "updated": self.updated,
            "attributes": copy_json(self.attributes) if copy else self.attributes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Product:
        return cls(**{name: v if type(v) in ATOMS else copy_json(v) for name, v in data.items()})


DEVICE_FIELDS = tuple(f.name for f in fields(Device))
#: the fields that may hold maps (the others hold strings and numbers)
NESTED_FIELDS = ("name", "attributes", "tags", "extra")
#: a device's field values in ``DEVICE_FIELDS`` order, in one C call (snapshots take a million)
device_values = attrgetter(*DEVICE_FIELDS)


@dataclass(frozen=True, slots=True)
class Room:
    """A device limit: ``limit`` devices allowed in ``holder``, ``held`` of them taken."""

    holder: str
    limit: int
    held: int

    @property
    def free(self) -> int:
        return max(0, self.limit - self.held)
