"""Fixtures documents: one JSON document seeds any provider (and fault rules).

Loading is all-or-nothing: an invalid document changes nothing and the error names the bad path
(``enos.orgs[0].products[1].quota``), because a half-loaded fixture makes for baffling tests.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import jsonio

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
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError("", f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        document = jsonio.loads(raw, what=str(path))
    except jsonio.JSONInputError as exc:
        raise DocumentError(exc.path, str(exc)) from exc
    return document


def apply(cloud: FakeCloud, document: Any) -> None:
    """Load ``document`` into ``cloud``, entirely or not at all."""
    if not isinstance(document, dict):
        raise DocumentError("", "a fixtures document is a JSON object")
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise DocumentError(unknown[0], f"unknown section (expected one of {', '.join(SECTIONS)})")
    check_json(document)
    # The registry's writes roll back through its change log, in time proportional to the
    # document; what lives beside the registry (id streams, fault rules) is small and saved whole.
    with cloud.registry.lock:
        ids, faults = cloud.ids.snapshot(), cloud.faults.snapshot()
        try:
            with cloud.registry.transaction():
                for name, provider in cloud.providers.items():
                    if name in document:
                        provider.seed(document[name], name)
                if "faults" in document:
                    cloud.faults.load(document["faults"], "faults")
        except BaseException as exc:
            cloud.ids.restore(ids)
            cloud.faults.restore(faults)
            if isinstance(exc, DocumentError) or not isinstance(exc, Exception):
                raise
            raise DocumentError("", f"the document could not be loaded: {exc}") from exc
        cloud.mark_dirty()  # a loaded document is a change, even one of fault rules alone


def check_json(value: Any, path: str = "") -> None:
    """Refuse what JSON cannot hold, naming where it is.

    Documents read from files or the admin API are JSON already; Python callers of
    ``cloud.seed`` can pass anything, and a date or a set that reached the state would break every
    snapshot, state file and ``GET /_iotfake/state`` after it. Nesting is held to the depth the
    wire allows (``jsonio.MAX_DEPTH``). Walks without recursion.
    """
    stack: list[tuple[Any, int, str]] = [(value, 0, path)]
    while stack:
        node, depth, where = stack.pop()
        kind = type(node)
        if kind is bool or node is None:
            continue
        if kind is str or kind is int:
            # what JSON holds but a state file cannot give back (``jsonio.unwritable``)
            problem = jsonio.unwritable(node)
            if problem is not None:
                raise DocumentError(where, f"the value {problem}")
            continue
        if kind is float:
            if not math.isfinite(node):
                raise DocumentError(where, f"{node} is not a JSON number (NaN and Infinity are not JSON)")
            continue
        if kind is not dict and kind is not list:
            raise DocumentError(where, f"expected a JSON value, got {kind.__name__} ({node!r})")
        if depth >= jsonio.MAX_DEPTH:
            raise DocumentError(where, f"nested more than {jsonio.MAX_DEPTH} levels deep")
        # pushed in reverse, so that the first bad value in the document's order is the one named
        if kind is list:
            stack.extend((node[i], depth + 1, f"{where}[{i}]") for i in reversed(range(len(node))))
            continue
        for key, item in reversed(list(node.items())):
            if not isinstance(key, str):
                raise DocumentError(
                    where, f"JSON object keys are strings, not {type(key).__name__} ({key!r})"
                )
            if jsonio.unwritable(key) is not None:
                raise DocumentError(where, f"a key {jsonio.unwritable(key)}")
            stack.append((item, depth + 1, f"{where}.{key}" if where else key))


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
