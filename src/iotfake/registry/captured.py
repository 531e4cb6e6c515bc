"""A tenant's state as :meth:`~iotfake.registry.tenant.Tenant.capture` took it under the lock,
and the JSON-able snapshot built from it outside (reading the devices in chunks, each under the
lock, so that no hold grows with the fleet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .copying import copy_json
from .models import DEVICE_FIELDS, NESTED_FIELDS, Device

if TYPE_CHECKING:
    from .tenant import Tenant


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Captured:
    """A tenant's state as :meth:`Tenant.capture` took it; ``snapshot`` builds the JSON-able form."""

    provider: str
    id: str
    quota: int | None
    uncounted: list[str]
    settings: dict[str, Any]
    products: list[dict[str, Any]]
    devices: list[Device]
    tables: dict[str, dict[str, Any]]
    tenant: Tenant
    kept: dict[int, tuple[Any, ...]]

    def snapshot(self, *, copy: bool = True) -> dict[str, Any]:
        """The JSON-able tenant (call it once: it ends the capture)."""
        same = copy_json if copy else _same
        values = self.tenant.read_captured(self.devices, self.kept)
        devices = [dict(zip(DEVICE_FIELDS, row, strict=True)) for row in values]
        if copy:
            for device in devices:
                for name in NESTED_FIELDS:
                    value = device[name]
                    if value is not None and type(value) is not str:
                        device[name] = copy_json(value)
            for product in self.products:
                product["attributes"] = copy_json(product["attributes"])
        return {
            "provider": self.provider,
            "id": self.id,
            "quota": self.quota,
            "uncounted": self.uncounted,
            "settings": same(self.settings),
            "products": self.products,
            "devices": devices,
            "tables": {name: same(rows) for name, rows in self.tables.items()},
        }
