"""The registry's records. Slotted dataclasses: a million devices must fit in well under a GiB.

Provider-specific fields go in ``extra`` (devices) or ``attributes`` (products) so that the
state rules - uniqueness, quotas, versions - stay in one place and know nothing of wire formats.
Empty maps are stored as ``None`` to keep small devices small.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


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

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Device:
        return cls(**data)


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "quota": self.quota,
            "created": self.created,
            "updated": self.updated,
            "attributes": self.attributes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Product:
        return cls(**data)
