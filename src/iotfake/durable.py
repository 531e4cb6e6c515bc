"""Durable state for ``iotfake serve --state FILE``.

The guarantees:

* **Clean stop** (SIGTERM, SIGINT): the server stops taking requests, waits for those in flight,
  then writes the file. Every change acknowledged before the signal is in it.
* **Crash** (SIGKILL, power loss): a background thread writes the file every ``interval`` seconds
  while there are unsaved changes, so at most the changes of the last ``interval`` plus one write
  are lost (1 s plus a few ms for test-sized state with the default interval).
* Every write is atomic: a temp file in the same directory, fsync, rename over the old file,
  fsync the directory. A reader sees the old state or the new, never half of one.
* A file that cannot be read back (corrupt, truncated, not a snapshot) is refused at start and
  left untouched.

Which calls change state is decided in the pipeline, not in the registry: providers keep their own
records in plain dict tables (``Tenant.table``) that no registry hook sees, and some providers
mutate on GET (scriptr's scripts answer GET). So every call counts as a change except a GET/HEAD
whose operation reads by name (``Get*``, ``Describe*``, ``List*``, ``Search*``, ``*.get``,
``*.query``) and that no fault rule touched; erring towards "changed" only costs a spare write.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cloud import FakeCloud

READ_ONLY = re.compile(r"^(Get|Describe|List|Search)[A-Z]|\.(get|query|list)$")
DEFAULT_INTERVAL = 1.0


def is_read_only(method: str, operation: str) -> bool:
    """Can this call not have changed state? (When unsure: no.)"""
    return method in ("GET", "HEAD") and READ_ONLY.search(operation) is not None


class StateFileError(Exception):
    """The state file exists but cannot be used; the message says why and what to do."""


def read_state(path: Path) -> dict[str, Any] | None:
    """The snapshot in ``path``, or None when there is no file yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise StateFileError(f"{path} is empty (truncated?)")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(f"{path} is not valid JSON (corrupt or truncated?): {exc}") from exc
    except RecursionError as exc:
        raise StateFileError(f"{path} is nested too deeply to be a state file") from exc
    if not isinstance(data, dict):
        raise StateFileError(f"{path} does not hold an iotfake state snapshot")
    return data


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old file or the new one."""
    directory = path.parent
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class StateKeeper:
    """Loads a cloud from its state file, saves it while dirty, and once more on stop."""

    def __init__(self, cloud: FakeCloud, path: str | Path, interval: float = DEFAULT_INTERVAL) -> None:
        if interval <= 0:
            raise ValueError("the save interval must be > 0 seconds")
        self.cloud = cloud
        self.path = Path(path).absolute()
        self.interval = interval
        self._saved: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def load(self) -> bool:
        """Restore the cloud from the file; False when there is none yet. Raises StateFileError."""
        data = read_state(self.path)
        if data is None:
            return False
        try:
            self.cloud.restore(data)
        except Exception as exc:
            raise StateFileError(f"{self.path} is not a usable iotfake state snapshot: {exc}") from exc
        self._saved = self.cloud.generation
        return True

    def save(self, *, force: bool = False) -> bool:
        """Write the state if it changed since the last write (or always, with ``force``)."""
        with self._lock:
            generation = self.cloud.generation  # read before the snapshot: nothing newer is lost
            if not force and generation == self._saved:
                return False
            write_atomic(self.path, self.cloud.state_json().encode())
            self._saved = generation
            return True

    def start(self) -> StateKeeper:
        self._thread = threading.Thread(target=self._run, name="iotfake-state", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.save()
                self._failing = False
            except OSError as exc:
                if not self._failing:  # say it once per failure streak, not every interval
                    print(f"iotfake: cannot save state to {self.path}: {exc}", file=sys.stderr, flush=True)
                self._failing = True

    def stop(self) -> None:
        """Stop the background writer and write the final state."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.save(force=True)
