"""The request journal: what the fake saw, so a test can assert on it and a failure can show it.

A bounded ring: old entries fall off the front once ``size`` is reached, and ``dropped`` counts
them, so memory stays flat however long a server runs.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Entry:
    seq: int
    time: float
    provider: str
    operation: str
    tenant: str | None
    params: dict[str, Any] = field(default_factory=dict)
    method: str = ""
    path: str = ""
    status: int | None = None
    code: str | None = None
    duration_ms: float | None = None
    #: id of the fault rule that fired, if any
    rule: str | None = None

    @property
    def outcome(self) -> str:
        """``ok``, ``error`` or ``fault``: the coarse result most assertions want."""
        if self.rule is not None:
            return "fault"
        if self.status is not None and self.status < 400 and self.code in (None, "0", "success", "OK"):
            return "ok"
        return "error"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome
        return data


class Journal:
    def __init__(self, size: int = 10_000) -> None:
        if size < 1:
            raise ValueError("the journal needs room for at least one entry")
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = 0
        self.dropped = 0

    def record(self, entry: Entry) -> Entry:
        with self._lock:
            self._seq += 1
            entry.seq = self._seq
            if len(self._entries) == self.size:
                self.dropped += 1
            self._entries.append(entry)
        return entry

    def calls(
        self,
        provider: str | None = None,
        operation: str | None = None,
        outcome: str | None = None,
        tenant: str | None = None,
    ) -> list[Entry]:
        with self._lock:
            entries = list(self._entries)
        return [
            e
            for e in entries
            if (provider is None or e.provider == provider)
            and (operation is None or e.operation == operation)
            and (outcome is None or e.outcome == outcome)
            and (tenant is None or e.tenant == tenant)
        ]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seq = 0
            self.dropped = 0
