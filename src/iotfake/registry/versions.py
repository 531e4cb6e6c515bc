"""Optimistic concurrency, one rule for every versioned record (devices, thing groups, users).

A writer that names the version it read (AWS ``expectedVersion``) conflicts when the record has
moved on since; one that names none always writes.
"""

from __future__ import annotations

from .errors import VersionConflict


def check_version(current: int, expected: int | None) -> None:
    """Raise :class:`VersionConflict` if ``expected`` is given and is not ``current``."""
    if expected is not None and expected != current:
        raise VersionConflict(f"expected version {expected} but the current version is {current}")
