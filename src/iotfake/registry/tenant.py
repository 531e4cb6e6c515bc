"""A tenant: one EnOS organisation, one AWS account+region, one scriptr account.

Every mutation runs under the registry's lock, so the quota check and the insert are one atomic
step: whatever the thread count, a product never holds one device over its quota and no key is
ever held twice. Lookups by id and by key are dictionary hits. Every mutation also moves the
registry's change counter (see ``changes``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from ..clock import Clock
from ..ids import Ids
from .captured import Captured
from .catalog import DEVICE
from .changes import MISSING, Changes, Table, position, reinsert, removal_undo
from .copying import copy_json
from .errors import InUse, KeyAllocationFailed, KeyCollision, NotFound, QuotaExceeded
from .models import Device, Product, Room, device_values
from .records import cascade
from .versions import check_version

#: devices read per lock hold when a snapshot is built (about 8 ms per chunk on the bench machine)
CAPTURE_CHUNK = 20_000
#: how many generated keys are tried before giving up with KeyAllocationFailed (EnOS 11714)
KEY_ATTEMPTS = 5

DeviceBuilder = Callable[[str, str], Device]


class _Keep:
    """The "leave it as it is" default for optional updates (None is a value there)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


class Tenant:
    def __init__(
        self,
        provider: str,
        tenant_id: str,
        *,
        lock: threading.RLock,
        clock: Clock,
        ids: Ids,
        quota: int | None = None,
        settings: dict[str, Any] | None = None,
        changes: Changes | None = None,
    ) -> None:
        self.provider = provider
        self.id = tenant_id
        self.lock = lock
        self.clock = clock
        self.ids = ids
        #: the registry's change counter (a detached tenant gets one of its own)
        self.changes = changes if changes is not None else Changes()
        self._quota = quota
        #: (provider, id): where this tenant's changes happened, for change listeners
        self.scope = (provider, tenant_id)
        #: provider-specific configuration (EnOS apps and models, AWS region, ...); writes count
        self.settings: dict[str, Any] = Table(self.changes, settings or {}, scope=self.scope, name="settings")
        self.products: dict[str, Product] = {}
        #: id -> device, in creation order (newest last)
        self.devices: dict[str, Device] = {}
        #: a device came in with an older ``created`` than the one before it (a seed's, or the
        #: fake's clock set back): creation order is then not ``created`` order, and a listing
        #: by ``created`` must sort (it stays set: a reader that trusts it only reads slower)
        self.created_out_of_order = False
        #: key -> device
        self.keys: dict[str, Device] = {}
        #: moves whenever the set of keys, or a product's, may have changed (a device added,
        #: removed, renamed or moved to another product, such a change undone, the tenant
        #: restored): readers that keep something derived from the keys (sorted listings, see
        #: ``ordered``) know when it is stale without the cloud-wide change count
        self.key_writes = 0
        #: moves with every write of a device, a product or the uncounted keys, every undo of
        #: one, and a restore: what a filter selects from these records alone (its devices) is
        #: kept while this stands, whatever else the registry writes (``selections``)
        self.record_writes = 0
        #: keys of devices that do not count against ``quota``: records every account has (scriptr's
        #: built-in device), which the account's own limit leaves out
        self.uncounted: set[str] = set()
        #: provider-specific record tables (thing groups, policies, users, ...): name -> key -> record
        self.tables: dict[str, Table] = {}
        #: snapshots being built outside the lock: device -> its field values when captured, kept
        #: here by the first in-place change after the capture (see ``capture``)
        self._captures: list[dict[int, tuple[Any, ...]]] = []

    @property
    def quota(self) -> int | None:
        """The tenant-wide device limit (AWS maxThings, scriptr device limit); None = unlimited."""
        return self._quota

    @quota.setter
    def quota(self, limit: int | None) -> None:
        with self.lock:
            before = self._quota
            self._quota = limit

            def undo() -> None:
                self._quota = before

            self.changes.record(undo, self.scope, "quota", self.id, before, limit)

    # -- products -------------------------------------------------------------------------------
    def add_product(self, product: Product) -> Product:
        with self.lock:
            if product.key in self.products:
                raise KeyCollision(key=product.key, existing=self.products[product.key])
            self.products[product.key] = product
            self._recorded(
                lambda: self.products.pop(product.key, None), "products", product.key, MISSING, product
            )
            return product

    def product(self, key: str) -> Product:
        product = self.products.get(key)
        if product is None:
            raise NotFound(kind="product", key=key)
        return product

    def remove_product(self, key: str) -> Product:
        with self.lock:
            product = self.product(key)
            if product.devices:
                count = len(product.devices)
                raise InUse(f"product {key} still has {count} device{'' if count == 1 else 's'}")
            undo = removal_undo(self.products, key) if self.changes.in_transaction else None
            del self.products[key]
            self._recorded(undo, "products", key, product, MISSING)
            return product

    def update_product(
        self, product: Product, *, name: Any = None, attributes: dict[str, Any], replace: bool = False
    ) -> Product:
        """Apply attribute changes (and a new name, when given) in one step; ``replace`` makes
        ``attributes`` the whole set instead of merging them in."""
        with self.lock:
            if self.products.get(product.key) is not product:
                raise NotFound(kind="product", key=product.key)
            old = (product.name, product.attributes, product.updated)

            def undo() -> None:
                product.name, product.attributes, product.updated = old

            if name is not None:
                product.name = name
            product.attributes = dict(attributes) if replace else {**product.attributes, **attributes}
            product.updated = self.clock.ms()
            self._recorded(undo, "products", product.key, old, product)
            return product

    def new_product_key(self, make: Callable[[], str]) -> str:
        with self.lock:
            while True:
                key = make()
                if key not in self.products:
                    return key

    # -- devices --------------------------------------------------------------------------------
    def add_device(
        self,
        *,
        key: str | None,
        product: str | None,
        build: DeviceBuilder,
        device_id: str | None = None,
        new_id: Callable[[], str] | None = None,
        counted: bool = True,
    ) -> Device:
        """Insert a device atomically: key unique, product exists, quotas respected.

        ``key=None`` asks for a generated key; after ``KEY_ATTEMPTS`` collisions this raises
        :class:`KeyAllocationFailed`, the real cloud's "try again" answer. ``device_id`` pins the
        id (fixtures name their assetIds); a taken one is a :class:`KeyCollision`. Otherwise
        ``new_id`` makes ids in the provider's own format (AWS thingIds are UUIDs); the default is
        an EnOS-style assetId. ``build(id, key)`` makes the record once the checks pass.
        ``counted=False`` adds a device the tenant quota leaves out (its product's still counts).
        """
        with self.lock:
            target = self.product(product) if product is not None else None
            if device_id is not None and device_id in self.devices:
                raise KeyCollision(f"id {device_id!r} already exists", key=device_id)
            if key is None:
                key = self._allocate_key()
            elif key in self.keys:
                raise KeyCollision(key=key, existing=self.keys[key])
            self._check_product_room(target)
            if counted:
                self._check_tenant_room()
            if device_id is None:
                device_id = self._allocate_id(new_id)
            device = build(device_id, key)
            # the product's own key object, not the request's equal copy: one string per product,
            # not one per device (a million devices' worth is 64 MB)
            device.id, device.key = device_id, key
            device.product = product if target is None else target.key
            self._note_created(device)
            self.devices[device_id] = device
            self.keys[key] = device
            if target is not None:
                target.devices[key] = device
            if not counted:
                self.uncounted.add(key)
            self._recorded(self._undo_add(device), "devices", key, MISSING, device)
            if not counted:  # for whoever replays changes (the write-ahead log)
                self._recorded(None, "uncounted", key, MISSING, True)
            return device

    def _note_created(self, device: Device) -> None:
        """Before ``device`` joins ``devices``: does it break ``created`` order?"""
        if self.devices and device.created < next(reversed(self.devices.values())).created:
            self.created_out_of_order = True

    def _allocate_key(self) -> str:
        for _ in range(KEY_ATTEMPTS):
            key = self.ids.device_key()
            if key not in self.keys:
                return key
        raise KeyAllocationFailed(f"no free device key after {KEY_ATTEMPTS} attempts")

    def _allocate_id(self, new_id: Callable[[], str] | None = None) -> str:
        make = new_id or self.ids.asset_id
        while True:
            device_id = make()
            if device_id not in self.devices:
                return device_id

    def check_room(self, product: str | None = None) -> None:
        """Raise :class:`QuotaExceeded` unless one more device fits the product's quota (when
        named) and the tenant's: for callers that plan a change before making it."""
        with self.lock:
            self._check_product_room(self.product(product) if product is not None else None)
            self._check_tenant_room()

    def room(self, product: str | None = None) -> Room | None:
        """The tightest device limit that applies (the product's, when named, and the tenant's), or
        None when nothing limits: for callers that place many devices at once, such as generators."""
        with self.lock:
            rooms = []
            if product is not None:
                target = self.product(product)
                if target.quota is not None:
                    rooms.append(Room(f"product {target.key}", target.quota, len(target.devices)))
            if self._quota is not None:
                rooms.append(Room(f"tenant {self.id}", self._quota, self.counted_devices()))
            return min(rooms, key=lambda room: room.free, default=None)

    def counted_devices(self) -> int:
        """How many devices count against the tenant quota."""
        return len(self.devices) - len(self.uncounted)

    @staticmethod
    def _check_product_room(product: Product | None) -> None:
        if product is not None and product.quota is not None and len(product.devices) >= product.quota:
            raise QuotaExceeded(
                f"product {product.key!r} already holds its quota of {product.quota} devices",
                limit=product.quota,
            )

    def _check_tenant_room(self) -> None:
        if self._quota is not None and self.counted_devices() >= self._quota:
            raise QuotaExceeded(
                f"tenant {self.id!r} already holds its quota of {self._quota} devices", limit=self._quota
            )

    def device(self, *, id: str | None = None, key: str | None = None) -> Device:
        """Find a device by id or by key (both given: they must name the same device)."""
        found = self.devices.get(id) if id is not None else self.keys.get(key) if key else None
        if found is None or (id is not None and key is not None and found.key != key):
            raise NotFound(kind="device", key=id if id is not None else (key or ""))
        return found

    def update_device(
        self,
        device: Device,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        product: str | _Keep | None = KEEP,
    ) -> Device:
        """Apply field changes and bump the version; a stale ``expected_version`` conflicts.

        ``product`` (a key, or None for none) moves the device in the same atomic step, after the
        version check, so a conflicting update changes nothing.
        """
        with self.lock:
            check_version(device.version, expected_version)
            if not isinstance(product, _Keep):
                self.move_device(device, product)
            if self._captures:
                self._keep(device)
            old = {name: getattr(device, name) for name in changes}
            old["version"], old["updated"] = device.version, device.updated

            def undo() -> None:
                for name, value in old.items():
                    setattr(device, name, value)

            for name, value in changes.items():
                setattr(device, name, value)
            device.version += 1
            device.updated = self.clock.ms()
            self._recorded(undo, "devices", device.key, old, device)
            return device

    def move_device(self, device: Device, product: str | None) -> None:
        """Change a device's product, checking the new product's quota."""
        with self.lock:
            if product == device.product:
                return
            target = self.product(product) if product is not None else None
            self._check_product_room(target)
            if self._captures:
                self._keep(device)
            source = self.products[device.product] if device.product is not None else None
            undo = self._undo_move(device, source, target)
            if source is not None:
                source.devices.pop(device.key, None)
            if target is not None:
                target.devices[device.key] = device
            before, device.product = device.product, product
            self._recorded(undo, "devices", device.key, {"product": before}, device)

    def replace_extra(self, device: Device, extra: dict[str, Any] | None) -> Device:
        """Give a device new provider-specific extras (a token, bookkeeping) without a new version.

        The dict is replaced, never edited: a caller holding the old one keeps seeing it whole.
        """
        with self.lock:
            if self._captures:
                self._keep(device)
            before = device.extra

            def undo() -> None:
                device.extra = before

            device.extra = extra or None
            self._recorded(undo, "devices", device.key, {"extra": before}, device)
            return device

    def rekey_device(self, device: Device, new_key: str) -> Device:
        with self.lock:
            if new_key in self.keys:
                raise KeyCollision(key=new_key, existing=self.keys[new_key])
            if self._captures:
                self._keep(device)
            undo = self._undo_rekey(device)
            old_key = device.key
            del self.keys[device.key]
            if device.product is not None:
                # Keep the product's index in creation order: searches page it newest first.
                product = self.products[device.product]
                product.devices = {
                    (new_key if held is device else key): held for key, held in product.devices.items()
                }
            if device.key in self.uncounted:
                self.uncounted.discard(device.key)
                self.uncounted.add(new_key)
            device.key = new_key
            self.keys[new_key] = device
            device.version += 1
            device.updated = self.clock.ms()
            self._recorded(undo, "devices", new_key, {"key": old_key}, device)
            return device

    def remove_device(self, device: Device, *, expected_version: int | None = None) -> Device:
        # only an enclosing transaction can undo the removal once it is made (it is this one's
        # last write): its places in the tables' order are found for that case alone
        enclosed = self.changes.in_transaction
        with self.changes.transaction(self.lock):
            if self.devices.get(device.id) is not device:
                raise NotFound(kind="device", key=device.key)
            check_version(device.version, expected_version)
            # what refers to the device (group memberships, attachments): the catalog's rules, all
            # checked before anything changes
            cascade(self, DEVICE, device.key)
            undo = self._undo_remove(device, exact=enclosed)
            del self.devices[device.id]
            del self.keys[device.key]
            self.uncounted.discard(device.key)
            if device.product is not None:
                self.products[device.product].devices.pop(device.key, None)
            self._recorded(undo, "devices", device.key, device, MISSING)
            return device

    @staticmethod
    def check_version(device: Device, expected: int | None) -> None:
        """Raise :class:`VersionConflict` if ``expected`` is not the device's version: for callers
        that check before other work (the write methods take ``expected_version`` themselves)."""
        check_version(device.version, expected)

    def iter_devices(self, *, product: str | None = None, newest_first: bool = True) -> Iterator[Device]:
        """Devices in creation order (newest first by default), over a stable copy."""
        with self.lock:
            pool = list(
                (self.products[product].devices if product in self.products else {}).values()
                if product is not None
                else self.devices.values()
            )
        return reversed(pool) if newest_first else iter(pool)

    def table(self, name: str) -> dict[str, Any]:
        """A provider-specific record table, created on first use; its writes count as changes.

        Callers read without the lock, but a table is made under it: a snapshot walking the
        tables (under the lock) never sees one appear.
        """
        table = self.tables.get(name)
        if table is None:
            with self.lock:
                table = self.tables.get(name)
                if table is None:
                    table = self.tables[name] = Table(self.changes, scope=self.scope, name=name)
        return table

    # -- the change log ---------------------------------------------------------------------------
    def _recorded(
        self, undo: Callable[[], None] | None, kind: str, key: str, before: Any, after: Any
    ) -> None:
        """Record a write of a device or product (``undo`` is dropped outside a transaction)."""
        if kind == "devices" and (
            before is MISSING
            or after is MISSING
            or (isinstance(before, dict) and ("key" in before or "product" in before))
        ):
            self.key_writes += 1  # its undo moves the count again (what was read in between is stale)
        self.record_writes += 1
        self.changes.record(
            undo if undo is None else self._counted(undo), self.scope, kind, key, before, after
        )

    def _counted(self, undo: Callable[[], None]) -> Callable[[], None]:
        """``undo``, moving ``record_writes`` as the write it undoes did."""

        def counted() -> None:
            undo()
            self.record_writes += 1

        return counted

    def _undo_add(self, device: Device) -> Callable[[], None] | None:
        if not self.changes.in_transaction:
            return None

        def undo() -> None:
            self.key_writes += 1
            self.devices.pop(device.id, None)
            self.keys.pop(device.key, None)
            self.uncounted.discard(device.key)
            if device.product is not None and device.product in self.products:
                self.products[device.product].devices.pop(device.key, None)

        return undo

    def _undo_remove(self, device: Device, *, exact: bool) -> Callable[[], None] | None:
        """``exact``: put the device back in its places in each table's order, which takes a
        scan of the table to find; otherwise at the end (for a rollback nothing should cause)."""
        if not self.changes.in_transaction:
            return None
        places = [(self.devices, device.id), (self.keys, device.key)]
        if device.product is not None:
            places.append((self.products[device.product].devices, device.key))
        positions = [(table, key, position(table, key) if exact else len(table)) for table, key in places]
        uncounted = device.key in self.uncounted

        def undo() -> None:
            self.key_writes += 1
            for table, key, index in positions:
                reinsert(table, key, device, index)
            if uncounted:
                self.uncounted.add(device.key)

        return undo

    def _undo_move(
        self, device: Device, source: Product | None, target: Product | None
    ) -> Callable[[], None] | None:
        if not self.changes.in_transaction:
            return None
        before = device.product
        index = position(source.devices, device.key) if source is not None else 0

        def undo() -> None:
            self.key_writes += 1
            if target is not None:
                target.devices.pop(device.key, None)
            if source is not None:
                reinsert(source.devices, device.key, device, index)
            device.product = before

        return undo

    def _undo_rekey(self, device: Device) -> Callable[[], None] | None:
        if not self.changes.in_transaction:
            return None
        old_key, version, updated = device.key, device.version, device.updated
        product = self.products[device.product] if device.product is not None else None
        order = dict(product.devices) if product is not None else None
        index = position(self.keys, old_key)
        uncounted = old_key in self.uncounted

        def undo() -> None:
            self.key_writes += 1
            self.keys.pop(device.key, None)
            self.uncounted.discard(device.key)
            reinsert(self.keys, old_key, device, index)
            if product is not None and order is not None:
                product.devices = order
            if uncounted:
                self.uncounted.add(old_key)
            device.key, device.version, device.updated = old_key, version, updated

        return undo

    # -- state ------------------------------------------------------------------------------------
    def snapshot(self, *, copy: bool = True) -> dict[str, Any]:
        """The tenant as JSON-able data that shares nothing with it (see ``copying``).

        ``copy=False`` shares nested values with the live records, which never edit them in place:
        only for serialising at once.
        """
        with self.lock:
            captured = self.capture()
        return captured.snapshot(copy=copy)

    def capture(self) -> Captured:
        """The tenant as it is now, taken under the lock in about a millisecond per 100k devices.

        Table records, settings and the devices' nested maps are replaced, never edited in place,
        so references to them are the state of this instant. Device objects are edited in place
        (a million of them must stay small): the capture keeps references, and until its
        ``snapshot`` has read them, the first in-place change of a captured device saves the
        device's values first (``_keep``). ``snapshot`` reads the devices in chunks, each under
        the lock, so no single hold grows with the state.
        """
        with self.lock:
            kept: dict[int, tuple[Any, ...]] = {}
            self._captures.append(kept)
            return Captured(
                self.provider,
                self.id,
                self._quota,
                sorted(self.uncounted),
                dict(self.settings),
                [p.to_dict(copy=False) for p in self.products.values()],
                list(self.devices.values()),
                # an empty table is the same as none (reading a table makes it)
                {name: rows.shared() for name, rows in self.tables.items() if rows},
                self,
                kept,
            )

    def _keep(self, device: Device) -> None:
        """Save a device's values for the snapshots being built, before it changes in place."""
        for kept in self._captures:
            if id(device) not in kept:
                kept[id(device)] = device_values(device)

    def read_captured(self, devices: list[Device], kept: dict[int, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The captured devices' values as they were at the capture, in chunks under the lock;
        ends the capture."""
        values: list[tuple[Any, ...]] = []
        try:
            for start in range(0, len(devices), CAPTURE_CHUNK):
                with self.lock:
                    values.extend(
                        kept.get(id(device)) or device_values(device)
                        for device in devices[start : start + CAPTURE_CHUNK]
                    )
        finally:
            with self.lock:
                self._captures = [k for k in self._captures if k is not kept]
        return values

    def restore(self, data: dict[str, Any]) -> None:
        """Replace the tenant's state with copies of ``data`` (which the tenant never shares)."""
        with self.lock:
            self.load(data)

    def load(self, data: dict[str, Any]) -> None:
        """``restore`` without the lock: for a tenant no one else can see yet (the registry builds
        a whole snapshot's tenants that way, then swaps them in under the lock at once)."""
        self._quota = data.get("quota")
        self.settings = Table(
            self.changes, copy_json(data.get("settings") or {}), scope=self.scope, name="settings"
        )
        self.products = {p["key"]: Product.from_dict(p) for p in data.get("products", ())}
        self.devices, self.keys = {}, {}
        self.created_out_of_order = False
        self.key_writes += 1
        self.record_writes += 1
        for raw in data.get("devices", ()):
            device = Device.from_dict(raw)
            self._note_created(device)
            self.devices[device.id] = device
            self.keys[device.key] = device
            if device.product is not None:
                self.products[device.product].devices[device.key] = device
        self.uncounted = set(data.get("uncounted") or ())
        self.tables = {
            name: Table(self.changes, copy_json(rows), scope=self.scope, name=name)
            for name, rows in (data.get("tables") or {}).items()
        }
        self.changes.bump()
