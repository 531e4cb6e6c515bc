"""The ``enos`` section of a fixtures document (the EnOS issue completes it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...documents import DocumentError, expect

if TYPE_CHECKING:
    from . import EnosProvider


def seed(provider: EnosProvider, section: Any, path: str) -> None:
    expect(section, dict, path, "an object")
    raise DocumentError(path, "EnOS fixtures are not supported yet")
