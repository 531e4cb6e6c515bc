"""Throttle profiles: named sets of fault rules shipped as JSON data (``faults/profiles/<name>.json``).

A profile is ``{"description": "...", "source": "...", "rules": [rule, ...]}``; its rules take the
usual rule shape, so a user's own profile file works the same way as the built-in ones.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from ..documents import DocumentError


def available() -> list[str]:
    """Names of the built-in profiles."""
    folder = resources.files(__package__) / "profiles"
    return sorted(entry.name[: -len(".json")] for entry in folder.iterdir() if entry.name.endswith(".json"))


def read(name_or_path: str | Path) -> list[Any]:
    """The rules of a built-in profile (by name) or of a profile file (by path)."""
    text, where = _source(str(name_or_path))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError("", f"profile {where} is not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise DocumentError("", f'profile {where} must be an object with a "rules" list')
    return document["rules"]


def _source(name: str) -> tuple[str, str]:
    if name in available():
        return (resources.files(__package__) / "profiles" / f"{name}.json").read_text(encoding="utf-8"), name
    path = Path(name)
    if path.suffix != ".json" and not path.exists():
        raise DocumentError("", f"unknown throttle profile {name!r} (built in: {', '.join(available())})")
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise DocumentError("", f"cannot read profile {path}: {exc.strerror or exc}") from exc
