"""Durable state for ``iotfake serve --state FILE``.

The guarantees:

* **Clean stop** (SIGTERM, SIGINT): the server stops taking requests, waits for those in flight,
  then writes the file. Every change acknowledged before the signal is in it.
* **SIGKILL or a crash**: no acknowledged registry write is lost. Every change is appended to a
  write-ahead log (``wal.py``, ``FILE.wal.N``) before the call is answered; at start the file and
  then the log are loaded. ``fsync`` decides what a power loss may take (``always``: nothing;
  ``everysec``, the default: a second; ``no``: what the kernel had not written). Admin calls that
  change state (fault rules, the clock, resets, seeds, restores) write the whole file before they
  answer. Fault rules' counters of the last ``interval`` may be lost.
* A background thread still writes the whole file every ``interval`` seconds while there are
  unsaved changes, and then drops the log segments the file now holds (compaction).
* Every write is atomic: a temp file in the same directory, fsync, rename over the old file,
  fsync the directory. A reader sees the old state or the new, never half of one.
* A background write that fails (a full disk, a state that cannot be serialised) is reported
  on stderr, once per distinct error, and tried again every ``interval``: the writer never dies.
* A file that cannot be read back (corrupt, truncated, not a snapshot) is refused at start and
  left untouched.

What counts as a change is what moves ``cloud.generation``: every write to the registry (its
methods, and the tables and settings providers keep their records in), fault rules added, removed
or counting a call, and admin calls other than GET (the clock, for one). Whatever the request's
method or operation: a scriptr GET that creates an account is a change, a search sent as POST is
not. Drawing an identifier that no record keeps (a failed key allocation) does not count.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import jsonio, wal

try:
    import fcntl
except ImportError:  # not POSIX: no advisory locks, the file is not claimed
    fcntl = None  # type: ignore[assignment]
from .durable_namespaces import NamespaceFiles
from .wal import WriteAheadLog

if TYPE_CHECKING:
    from .cloud import FakeCloud

DEFAULT_INTERVAL = 1.0


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
        data = jsonio.loads(raw, what=str(path), max_depth=jsonio.SNAPSHOT_DEPTH)
    except jsonio.JSONInputError as exc:
        raise StateFileError(f"{path} is not valid JSON (corrupt or truncated?): {exc.detail}") from exc
    if not isinstance(data, dict):
        raise StateFileError(f"{path} does not hold an iotfake state snapshot")
    return data


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old file or the new one. A
    symbolic link's target is replaced (not the link), keeping the file's permissions."""
    path = Path(os.path.realpath(path))
    directory = path.parent
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(fd, stat.S_IMODE(os.stat(path).st_mode))
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

    def __init__(
        self,
        cloud: FakeCloud,
        path: str | Path,
        interval: float = DEFAULT_INTERVAL,
        *,
        fsync: str | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("the save interval must be > 0 seconds")
        self.cloud = cloud
        # the real file: its lock, log and namespace files are named after it, so a symbolic
        # link to a file another server holds is the same file (two servers wrote one through it)
        self.path = Path(os.path.realpath(path))
        self.interval = interval
        #: the write-ahead log (None: saving by interval alone, the behaviour before it existed)
        self.wal = None if fsync is None else WriteAheadLog(cloud, self.path, fsync)
        self._saved: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: the last error the background writer reported, so that it says each one once
        self._problem: str | None = None
        #: the named namespaces' files (``durable_namespaces``)
        self.named = NamespaceFiles(self.path)
        #: the open lock file while this process holds the state (``claim``)
        self._claimed: Any = None

    def claim(self) -> None:
        """Hold the state file for this process (``<state>.lock``, a POSIX record lock, which
        the system releases when the process ends and which belongs to the process, not to one
        keeper): a second server on the same file replayed the first's live log, deleted it and
        overwrote its saves, losing writes both had acknowledged. Raises StateFileError when
        another process holds it."""
        if self._claimed is not None or fcntl is None:
            return
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            handle = open(lock, "a+b")  # noqa: SIM115 - held until stop
        except OSError:  # a directory it cannot write: saving fails too, and says so (``start``)
            return
        try:
            fcntl.lockf(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StateFileError(
                f"{self.path} is in use by another iotfake serve (it holds {lock.name}); "
                "stop that one, or give this one another --state"
            ) from None
        try:  # the holder we waited on may have removed the file meanwhile: lock the one there now
            same = os.stat(lock).st_ino == os.fstat(handle.fileno()).st_ino
        except OSError:
            same = False
        if not same:
            handle.close()
            return self.claim()
        self._claimed = handle

    def load(self) -> bool:
        """Restore the cloud and its named namespaces; False when there is nothing saved yet.
        Raises StateFileError."""
        self.claim()
        try:
            named = self.named.load(self.cloud.namespaces)
            return self._load_default() or bool(named)
        except BaseException:  # refused: the directory is left as it was
            self.release()
            raise

    def _load_default(self) -> bool:
        data = read_state(self.path)
        segments = self.wal.segments() if self.wal is not None else []
        if data is None and not segments:
            return False
        if segments:
            base = data if data is not None else self.cloud.snapshot()
            try:
                replayed = wal.replay(base, wal.read_entries(segments))
            # a hand-edited file or log (a registry that is a list, a scope of one name) fails
            # replay in any of these; each is a refusal (exit 2), never a traceback
            except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
                raise StateFileError(f"the write-ahead log beside {self.path} cannot be read: {exc}") from exc
            data = base
        try:
            self.cloud.restore(data)
        except Exception as exc:
            what = f"{self.path} with its write-ahead log" if segments else str(self.path)
            raise StateFileError(f"{what} is not a usable iotfake state snapshot: {exc}") from exc
        if segments:
            self.cloud.ids.diverge(f"{self.path.name}:{replayed}")
            self.save(force=True)  # the log is now in the file: it can go
            wal.remove(segments)
        self._saved = self.cloud.generation
        return True

    def save(self, *, force: bool = False) -> bool:
        """Write the state if it changed since the last write (or always, with ``force``)."""
        with self._lock:
            generation = self.cloud.generation  # read before the snapshot: nothing newer is lost
            wrote = force or generation != self._saved
            if wrote:
                # a new log segment first: the snapshot then holds everything the older ones do
                older = self.wal.rotate() if self.wal is not None and self.wal.is_open else []
                write_atomic(self.path, self.cloud.state_json().encode())
                self._saved = generation
                wal.remove(older)
            return self.named.save(self.cloud.namespaces, force=force) or wrote

    def release(self) -> None:
        """Let another process have the state file (``claim``); the lock file goes (a killed
        process leaves it, and the next one takes it over)."""
        if self._claimed is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._claimed.name)
            self._claimed.close()
            self._claimed = None

    def start(self) -> StateKeeper:
        # what start-up made (fixtures, throttle profiles) is in no log: into the file first, which
        # also proves the path can be written before any client is told its writes are kept (an
        # OSError goes to the caller: iotfake serve refuses to start); a state that cannot be
        # serialised is reported and retried like any background save
        self.claim()
        try:
            self.save(force=True)
        except OSError:
            raise
        except Exception as exc:
            self._report(exc)
        if self.wal is not None:
            self.wal.open()
            self.cloud.on_admin_write = self._save_now
        self._thread = threading.Thread(target=self._run, name="iotfake-state", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._save_in_background()

    def _save_in_background(self) -> str | None:
        """Save, and survive whatever goes wrong: a dead writer would lose every later change.
        What went wrong, if anything.

        An error is reported when it first happens (or differs from the last one), not every
        interval; the next interval tries again.
        """
        try:
            self.save()
        except Exception as exc:
            self._report(exc)
            return f"{type(exc).__name__}: {exc}"
        self._problem = None
        return None

    def _report(self, exc: Exception) -> None:
        problem = f"{type(exc).__name__}: {exc}"
        if problem != self._problem:
            print(f"iotfake: cannot save state to {self.path}: {problem}", file=sys.stderr, flush=True)
        self._problem = problem

    def _save_now(self) -> str | None:
        """An admin call changed what the log cannot replay: write the file before answering.
        What went wrong, if it could not (the call is then answered 503, not acknowledged)."""
        return self._save_in_background()

    def stop(self) -> None:
        """Stop the background writer and write the final state; calls that finish later are
        answered 503 (``FakeCloud.sealed``): nothing is acknowledged that the file does not hold."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self.cloud.registry.lock:  # no write is half done while the seal goes on
            self.cloud.sealed = True
        self.save(force=True)
        if self.wal is not None:
            self.cloud.on_admin_write = None
            self.wal.close()
            wal.remove(self.wal.segments())  # all in the file now
        self.release()
