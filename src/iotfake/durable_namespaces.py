"""``--state`` for named namespaces: one snapshot file per namespace beside the state file.

The default namespace has the state file and its write-ahead log (``durable.py``). Each named
namespace is written whole to ``FILE.namespaces/NAME.json`` (atomically, as the state file is)
when it changed since its last write: every save interval and at a clean stop. There is no log
for them, so SIGKILL may take up to one save interval of a named namespace's changes; a deleted
namespace's file goes at the next save. At start every file there comes back as its namespace.
Names are safe file names by construction (``namespaces.NAME``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from .namespaces import DEFAULT, NAME

if TYPE_CHECKING:
    from .namespaces import CloudSet

SUFFIX = ".json"


class NamespaceFiles:
    def __init__(self, state_path: Path) -> None:
        self.dir = state_path.with_name(state_path.name + ".namespaces")
        #: the generation each namespace had when its file was last written
        self._saved: dict[str, int] = {}

    def load(self, clouds: CloudSet) -> list[str]:
        """Bring back every namespace the directory holds; raises ``StateFileError`` naming the
        file that cannot be used (left untouched, as the state file is)."""
        from .durable import StateFileError, read_state

        if not self.dir.is_dir():
            return []
        loaded = []
        for path in sorted(self.dir.glob(f"*{SUFFIX}")):
            name = path.name[: -len(SUFFIX)]
            if not NAME.fullmatch(name) or name == DEFAULT:
                continue  # not one of ours (an editor's backup, a stray file)
            data = read_state(path)
            if data is None:  # gone since the listing
                continue
            cloud = clouds.get(name)
            assert cloud is not None
            try:
                cloud.restore(data)
            except Exception as exc:
                raise StateFileError(f"{path} is not a usable iotfake state snapshot: {exc}") from exc
            self._saved[name] = cloud.generation
            loaded.append(name)
        return loaded

    def save(self, clouds: CloudSet, *, force: bool = False) -> bool:
        """Write the namespaces that changed, drop the files of deleted ones; True if any."""
        from .durable import write_atomic

        wrote = False
        live = set()
        for name, cloud in clouds.items():
            if name == DEFAULT:
                continue
            live.add(name)
            generation = cloud.generation  # before the snapshot: nothing newer is lost
            if not force and self._saved.get(name) == generation:
                continue
            self.dir.mkdir(exist_ok=True)
            write_atomic(self.dir / f"{name}{SUFFIX}", cloud.state_json().encode())
            self._saved[name] = generation
            wrote = True
        for name in set(self._saved) - live:
            with contextlib.suppress(FileNotFoundError):
                (self.dir / f"{name}{SUFFIX}").unlink()
            del self._saved[name]
            wrote = True
        return wrote
