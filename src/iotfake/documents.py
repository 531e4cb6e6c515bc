"""Fixtures documents: one JSON document seeds any provider (and fault rules).

Loading is all-or-nothing: an invalid document changes nothing and the error names the bad path
(``enos.orgs[0].products[1].quota``), because a half-loaded fixture makes for baffling tests.
"""

from __future__ import annotations

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
    with cloud.registry.lock:
        before = cloud.snapshot()
        try:
            for name, provider in cloud.providers.items():
                if name in document:
                    provider.seed(document[name], name)
            if "faults" in document:
                cloud.faults.load(document["faults"], "faults")
        except DocumentError:
            cloud.restore(before)
            raise
        except Exception as exc:
            cloud.restore(before)
            raise DocumentError("", f"the document could not be loaded: {exc}") from exc


def expect(value: Any, kind: type | tuple[type, ...], path: str, what: str) -> Any:
    """Type-check one value of a document (bools are not ints here)."""
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise DocumentError(path, f"expected {what}, got a boolean")
    if not isinstance(value, kind):
        raise DocumentError(path, f"expected {what}, got {type(value).__name__}")
    return value
