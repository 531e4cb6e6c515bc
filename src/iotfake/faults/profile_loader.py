"""Throttle profiles: named sets of fault rules shipped as JSON data (``faults/profiles/<name>.json``).

A profile is ``{"description": "...", "source": "...", "rules": [rule, ...]}``; its rules take the
usual rule shape, so a user's own profile file works the same way as the built-in ones.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from .. import jsonio
from ..documents import DocumentError


def available() -> list[str]:
    """Names of the built-in profiles."""
    folder = resources.files(__package__) / "profiles"
    return sorted(entry.name[: -len(".json")] for entry in folder.iterdir() if entry.name.endswith(".json"))


def read(name_or_path: str | Path) -> list[Any]:
    """The rules of a built-in profile (by name) or of a profile file (by path)."""
    text, where = _source(str(name_or_path))
    try:
        document = jsonio.loads(text, what=f"profile {where}")
    except jsonio.JSONInputError as exc:
        raise DocumentError(exc.path, str(exc)) from exc
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise DocumentError("", f'profile {where} must be an object with a "rules" list')
    return document["rules"]


def _source(name: str) -> tuple[bytes, str]:
    if name in available():
        return (resources.files(__package__) / "profiles" / f"{name}.json").read_bytes(), name
    path = Path(name)
    if path.suffix != ".json" and not path.exists():
        raise DocumentError("", f"unknown throttle profile {name!r} (built in: {', '.join(available())})")
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise DocumentError("", f"cannot read profile {path}: {exc.strerror or exc}") from exc
