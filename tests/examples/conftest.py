"""The README's code blocks, by section, so that the examples users paste are the ones tested."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

# imported here, outside pytester's in-process runs: those forget the modules an inner run
# imported, and cryptography's Rust bindings refuse classes from a second import of its modules
import iotfake.authority
import iotfake.environ
import iotfake.mqtt.broker
import iotfake.transports  # noqa: F401  (their classes are compared by identity: one copy each)
from iotfake.providers.aws_iot import keypool  # noqa: F401

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks(heading: str) -> list[str]:
    """The ```python blocks between ``heading`` and the next heading of any level."""
    blocks: list[str] = []
    inside = fence = capture = False
    for line in README.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("```"):
            fence = not fence
            capture = fence and inside and line.strip() == "```python"
            if capture:
                blocks.append("")
        elif capture:
            blocks[-1] += line
        elif not fence and line.startswith("#"):
            if inside:
                break
            inside = line.lstrip("#").strip() == heading
    assert inside, f"README.md has no section {heading!r}"
    return blocks


@pytest.fixture
def readme() -> Callable[[str], list[str]]:
    return python_blocks
