"""Fixtures documents: one JSON document seeds any provider (and fault rules).

Loading is all-or-nothing: an invalid document changes nothing and the error names the bad path
(``enos.orgs[0].products[1].quota``), because a half-loaded fixture makes for baffling tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cloud import FakeCloud

SECTIONS = ("enos", "aws", "scriptr", "faults")


class DocumentError(ValueError):
    """A fixtures document is invalid; ``path`` says where."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def read(source: str | Path) -> dict[str, Any]:
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocumentError("", f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError("", f"{path} is not valid JSON: {exc}") from exc
    return document


def apply(cloud: FakeCloud, document: Any) -> None:
    """Load ``document`` into ``cloud``, entirely or not at all."""
    if not isinstance(document, dict):
        raise DocumentError("", "a fixtures document is a JSON object")
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise DocumentError(unknown[0], f"unknown section (expected one of {', '.join(SECTIONS)})")
    check_json(document)
    with cloud.registry.lock:
        before = cloud.snapshot()
        try:
            for name, provider in cloud.providers.items():
                if name in document:
                    provider.seed(document[name], name)
            if "faults" in document:
                cloud.faults.load(document["faults"], "faults")
            cloud.mark_dirty()  # seeders may set record fields directly; a loaded document is a change
        except DocumentError:
            cloud.restore(before)
            raise
        except Exception as exc:
            cloud.restore(before)
            raise DocumentError("", f"the document could not be loaded: {exc}") from exc


def check_json(value: Any, path: str = "") -> None:
    """Refuse what JSON cannot hold, naming where it is.

    Documents read from files or the admin API are JSON already; Python callers of
    ``cloud.seed`` can pass anything, and a date or a set that reached the state would break every
    snapshot, state file and ``GET /_iotfake/state`` after it.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return
    if kind is float:
        if value != value or value in (math.inf, -math.inf):
            raise DocumentError(path, f"{value} is not a JSON number (NaN and Infinity are not JSON)")
        return
    if kind is dict:
        for key, item in value.items():
            if not isinstance(key, str):
                raise DocumentError(path, f"JSON object keys are strings, not {type(key).__name__} ({key!r})")
            check_json(item, f"{path}.{key}" if path else key)
        return
    if kind is list:
        for index, item in enumerate(value):
            check_json(item, f"{path}[{index}]")
        return
    raise DocumentError(path, f"expected a JSON value, got {kind.__name__} ({value!r})")


def no_unknown(obj: dict[str, Any], known: Collection[str], path: str) -> None:
    """Refuse a key the section does not know: the first in the document's order, by its path,
    with the keys that would have been understood (a typo is then found at a glance)."""
    for key in obj:
        if key not in known:
            raise DocumentError(
                f"{path}.{key}" if path else str(key),
                f"unknown field (expected one of {', '.join(sorted(known))})",
            )


def expect(value: Any, kind: type | tuple[type, ...], path: str, what: str) -> Any:
    """Type-check one value of a document (bools are not ints here)."""
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise DocumentError(path, f"expected {what}, got a boolean")
    if not isinstance(value, kind):
        raise DocumentError(path, f"expected {what}, got {type(value).__name__}")
    return value
