"""A write-ahead log for ``iotfake serve --state FILE``: no acknowledged write is lost on SIGKILL.

The registry's change log hands every committed change to its listeners after the lock is
released, and the app hands over what a call changed before it answers (``App.__call__``). This
listener appends each batch to ``FILE.wal.N`` with one ``write`` before the reply leaves: once
``write`` has returned, the bytes are the kernel's, and a process killed at any later instant
loses none of them. ``--fsync`` decides what a power loss may take: ``always`` (fsync before the
reply), ``everysec`` (the default, as Redis's ``appendfsync``), ``no`` (the kernel's own pace).

Compaction: before the saver takes a snapshot it starts a new segment; once the snapshot is safely
on disk, the segments before it go. Every change committed before the snapshot's capture is in
the snapshot; one dispatched after the switch may be in both, and replaying it again is harmless:
entries hold whole records (upsert or delete by key), replayed in commit order, except a link or
an unlink of a relation, logged as the one partner added or removed (``+`` / ``-``: a group of
50,000 things no longer logs 50,000 names for each thing that joins it), which replay applies as
"put last" and "remove if there" (a relation never holds a partner twice): the same list, in the
same order, whichever of them the snapshot holds already.

At start: the snapshot, then every segment in order; a last line cut short by a kill is ignored
(its call was never answered). The id generators then continue from a point derived from the
seed and the log, so generated keys do not repeat those the log re-created.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import jsonio
from .registry.changes import MISSING, Appended, Change, Event, Removed
from .registry.kinds import CATALOG
from .registry.models import Device, Product
from .registry.tokens import TOKEN_FIELDS, Token

if TYPE_CHECKING:
    from .cloud import FakeCloud

FSYNC_POLICIES = ("always", "everysec", "no")
#: kinds the log keeps (the credential index is rebuilt from tenants' settings on restore)
SKIPPED = frozenset({"credentialIndex"})


class WriteAheadLog:
    def __init__(self, cloud: FakeCloud, state_path: Path, fsync: str = "everysec") -> None:
        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"--fsync must be one of {', '.join(FSYNC_POLICIES)}, not {fsync!r}")
        self.cloud = cloud
        self.state_path = state_path
        self.fsync = fsync
        self._lock = threading.Lock()
        self._file: Any = None
        self._number = 0
        self._dirty = False
        self._stop = threading.Event()
        self._syncer: threading.Thread | None = None
        self._unsubscribe: Any = None

    @property
    def is_open(self) -> bool:
        return self._file is not None

    # -- segments -----------------------------------------------------------------------------------
    def segments(self) -> list[Path]:
        """The log's segments on disk, oldest first."""
        prefix = self.state_path.name + ".wal."
        found = [p for p in self.state_path.parent.glob(prefix + "*") if p.name[len(prefix) :].isdigit()]
        return sorted(found, key=lambda p: int(p.name[len(prefix) :]))

    def _segment(self, number: int) -> Path:
        return self.state_path.with_name(f"{self.state_path.name}.wal.{number}")

    def open(self) -> WriteAheadLog:
        """Start a new segment after any there are, and listen to the registry."""
        existing = self.segments()
        self._number = int(existing[-1].name.rsplit(".", 1)[1]) + 1 if existing else 1
        self._file = open(self._segment(self._number), "ab", buffering=0)  # noqa: SIM115 - kept open
        self._unsubscribe = self.cloud.changes.subscribe(self._write)
        if self.fsync == "everysec":
            self._syncer = threading.Thread(target=self._sync_every_second, name="iotfake-wal", daemon=True)
            self._syncer.start()
        return self

    def rotate(self) -> list[Path]:
        """Continue in a new segment; returns the ones before it (a snapshot taken after this call
        holds every change they hold)."""
        with self._lock:
            if self._file.tell() == 0:  # nothing in this one yet (a save that keeps failing): keep it
                return [p for p in self.segments() if int(p.name.rsplit(".", 1)[1]) < self._number]
            # the new segment is opened before the old one is closed: when it cannot be (a
            # directory turned unwritable, no descriptors left) the save fails and the log goes on
            # where it was; closed first, every later write was acknowledged and logged nowhere
            following = open(self._segment(self._number + 1), "ab", buffering=0)  # noqa: SIM115
            try:
                self._flush()
            except OSError:
                following.close()
                raise
            self._file.close()
            self._number += 1
            self._file = following
        return [p for p in self.segments() if int(p.name.rsplit(".", 1)[1]) < self._number]

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._stop.set()
        if self._syncer is not None:
            self._syncer.join()
        with self._lock:
            if self._file is not None:
                self._flush()
                self._file.close()
                self._file = None

    # -- writing ------------------------------------------------------------------------------------
    def _write(self, batch: list[Change]) -> None:
        # the records are read under the registry lock, so no entry shows a half-applied write
        with self.cloud.registry.lock:
            lines = [json.dumps(entry, separators=(",", ":")) for entry in map(encode, batch) if entry]
        if not lines:
            return
        data = ("\n".join(lines) + "\n").encode()
        with self._lock:
            if self._file is None or self.cloud.unsaved is not None:
                return
            start = None
            try:
                start = self._file.tell()
                _write_all(self._file, data)
                if self.fsync == "always":
                    os.fsync(self._file.fileno())
                else:
                    self._dirty = True
            except (OSError, ValueError) as exc:  # ValueError: a closed file (never acknowledged)
                self._failed(start, exc)

    def _failed(self, start: int | None, exc: Exception) -> None:
        """A write failed (a full disk, a file size limit): the calls it was for, and every one
        after it, are answered 503 (``FakeCloud.unsaved``) rather than acknowledged unsaved, and
        the half line is cut off so that the log still reads on the next start."""
        problem = f"the write-ahead log {self._segment(self._number)} could not be written: {exc}"
        with contextlib.suppress(OSError, ValueError):
            if start is not None:
                self._file.truncate(start)
        self.cloud.unsaved = problem
        print(
            f"iotfake: {problem}; nothing more is acknowledged until a restart", file=sys.stderr, flush=True
        )

    def _flush(self) -> None:
        if self._dirty and self.fsync != "no":
            os.fsync(self._file.fileno())
        self._dirty = False

    def _sync_every_second(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                if self._file is not None:
                    self._flush()


def _write_all(file: Any, data: bytes) -> None:
    """Write every byte (an unbuffered file may take part of them: a file size limit)."""
    view = memoryview(data)
    while view:
        written = file.write(view)
        if not written:
            raise OSError(f"wrote nothing of {len(view)} bytes")
        view = view[written:]


def encode(change: Change) -> dict[str, Any] | None:
    """A change as a log entry: the whole record after it (``a``), or its deletion (``d``)."""
    if change.kind in SKIPPED or isinstance(change.after, Event):
        return None
    entry: dict[str, Any] = {"k": change.kind, "key": change.key}
    if change.scope is not None:
        entry["s"] = list(change.scope)
    after = change.after
    if after is MISSING:
        entry["d"] = True
        if isinstance(change.before, Device):
            entry["key"] = change.before.key
        return entry
    if isinstance(after, Device):
        entry["key"] = after.key
        entry["a"] = after.to_dict()
        if isinstance(change.before, dict) and "key" in change.before and change.before["key"] != after.key:
            entry["from"] = change.before["key"]
    elif isinstance(after, Product):
        entry["a"] = after.to_dict()
    elif isinstance(after, Token):
        entry["a"] = {name: getattr(after, name) for name in TOKEN_FIELDS}
    elif change.kind == "tenants":
        entry["key"] = list(change.key)
    elif isinstance(after, Appended):  # a partner appended in place (``Table.append``)
        entry["+"] = after.item
    elif isinstance(after, Removed):  # and removed in place (``Table.remove_item``)
        entry["-"] = after.item
    elif change.kind in LINK_TABLES and (delta := _one_partner(change.before, after)) is not None:
        entry.update(delta)
    else:
        entry["a"] = after
    return entry


#: the relation tables, both directions: lists of partners, never one twice (``relations``)
LINK_TABLES = frozenset(name for table in CATALOG.links for name in (table, table + "~"))


def _one_partner(before: Any, after: Any) -> dict[str, Any] | None:
    """``{"+": partner}`` or ``{"-": partner}`` where a link or an unlink is all the change did
    (a thing joining a group of 50,000 logged all 50,000 names); None for any other change."""
    if not (isinstance(before, list) and isinstance(after, list)):
        return None
    if len(after) == len(before) + 1 and after[:-1] == before:
        return {"+": after[-1]}
    if len(after) == len(before) - 1:
        gone = set(before).difference(after)
        if len(gone) == 1:
            (partner,) = gone
            index = before.index(partner)
            if after == before[:index] + before[index + 1 :]:
                return {"-": partner}
    return None


# -- replay -----------------------------------------------------------------------------------------
def read_entries(paths: list[Path]) -> Iterator[dict[str, Any]]:
    """Every entry of the segments, in order; a torn last line of a segment is skipped."""
    for path in paths:
        lines = path.read_bytes().split(b"\n")
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            try:  # jsonio: a line nested 200,000 deep raised RecursionError, not this
                yield jsonio.loads(
                    line, what=f"{path.name} line {index + 1}", max_depth=jsonio.SNAPSHOT_DEPTH
                )
            except jsonio.JSONInputError:
                if index == len(lines) - 1:
                    break  # cut short by a kill: that call was never answered
                raise


def replay(snapshot: dict[str, Any], entries: Iterator[dict[str, Any]]) -> int:
    """Apply log entries to a snapshot document (in place); returns how many were applied."""
    registry = snapshot.setdefault("registry", {})
    tenants = {(t["provider"], t["id"]): _Tenant(t) for t in registry.setdefault("tenants", [])}
    tokens = {row["value"]: row for row in registry.setdefault("tokens", [])}
    count = 0
    for entry in entries:
        count += 1
        kind = entry["k"]
        if kind == "tokens":
            if entry.get("d"):
                tokens.pop(entry["key"], None)
            else:
                tokens[entry["key"]] = entry["a"]
            continue
        scope = tuple(entry["s"]) if "s" in entry else tuple(entry["key"])
        tenant = tenants.get(scope)  # type: ignore[arg-type]
        if tenant is None:
            raw = {"provider": scope[0], "id": scope[1], "quota": None, "uncounted": [], "settings": {},
                   "products": [], "devices": [], "tables": {}}  # fmt: skip
            registry["tenants"].append(raw)
            tenant = tenants[scope] = _Tenant(raw)  # type: ignore[index]
        if kind != "tenants":
            tenant.apply(kind, entry)
    for tenant in tenants.values():
        tenant.finish()
    registry["tokens"] = list(tokens.values())
    return count


class _Tenant:
    """A snapshot's tenant with indexes for replaying entries onto it."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.devices: dict[str, dict[str, Any]] = {d["key"]: d for d in raw.get("devices", [])}
        self.products: dict[str, dict[str, Any]] = {p["key"]: p for p in raw.get("products", [])}
        #: (relation table, key) -> its partners, for the link and unlink entries replayed
        self.partners: dict[tuple[str, str], set[Any]] = {}

    def apply(self, kind: str, entry: dict[str, Any]) -> None:
        raw, key = self.raw, entry["key"]
        if kind == "devices":
            if "from" in entry:
                self.devices.pop(entry["from"], None)
            if entry.get("d"):
                self.devices.pop(key, None)
            else:
                self.devices[key] = entry["a"]
        elif kind == "products":
            if entry.get("d"):
                self.products.pop(key, None)
            else:
                self.products[key] = entry["a"]
        elif kind == "uncounted":
            if key not in raw.setdefault("uncounted", []):
                raw["uncounted"].append(key)
        elif kind == "quota":
            raw["quota"] = entry.get("a")
        elif kind == "settings":
            settings = raw.setdefault("settings", {})
            if entry.get("d"):
                settings.pop(key, None)
            else:
                settings[key] = entry["a"]
        else:
            table = raw.setdefault("tables", {}).setdefault(kind, {})
            if entry.get("d"):
                table.pop(key, None)
                self.partners.pop((kind, key), None)
            elif "+" in entry or "-" in entry:
                self._partner(table, kind, key, entry)
            else:
                table[key] = entry["a"]
                self.partners.pop((kind, key), None)

    def _partner(self, table: dict[str, Any], kind: str, key: str, entry: dict[str, Any]) -> None:
        """A link or unlink: the partner put last, or removed. An entry may be both in the
        snapshot and in the log (see the module), so a partner linked already is moved last (a
        link always left it there) and one gone already stays gone: replayed onto any snapshot
        taken meanwhile, the list comes out as the registry had it, order included."""
        current = table.get(key)
        if not isinstance(current, list):
            current = table[key] = []
        known = self.partners.get((kind, key))
        if known is None:
            known = self.partners[kind, key] = set(current)
        if "+" in entry:
            partner = entry["+"]
            if partner in known:  # linked in the snapshot already: a link puts it last, as here
                current.remove(partner)
            current.append(partner)  # the snapshot's own list, read for this replay alone
            known.add(partner)
        elif entry["-"] in known:
            while entry["-"] in current:  # every copy, as the registry removes them
                current.remove(entry["-"])
            known.discard(entry["-"])
            if not current:
                del table[key]
                del self.partners[kind, key]

    def finish(self) -> None:
        self.raw["devices"] = list(self.devices.values())
        self.raw["products"] = list(self.products.values())
        uncounted = self.raw.get("uncounted", [])
        if isinstance(uncounted, list):  # anything else is the restore's to refuse, not to read as []
            self.raw["uncounted"] = [k for k in uncounted if k in self.devices]
        self.raw["tables"] = {name: rows for name, rows in self.raw.get("tables", {}).items() if rows}


def remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
