"""README code blocks run as written (issue 13): the ones a newcomer copies first.

Each block is taken from README.md itself, so a README edit that breaks one fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from iotfake import FakeCloud

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def block_with(text: str) -> str:
    found = [block for block in python_blocks() if text in block]
    assert len(found) == 1, f"{len(found)} README python blocks contain {text!r}"
    return found[0]


def run_block(marker: str) -> dict:
    namespace = {"cloud": FakeCloud(seed=7)}
    exec(compile(block_with(marker), f"README.md block {marker!r}", "exec"), namespace)
    return namespace


def test_the_populate_block_runs_as_written() -> None:
    cloud = run_block("cloud.populate(")["cloud"]
    assert cloud.scriptr("acme").device.query({"count": True})["result"]["count"] >= 200


def test_the_scriptr_block_uses_the_id_its_create_returned() -> None:
    namespace = run_block('acme = cloud.scriptr("acme")')
    # the block's own generateToken worked on that id: asking again meets the token it made
    answer = namespace["acme"].device.generateToken(namespace["device_id"])
    assert answer["metadata"]["errorDetail"].endswith("already has a token."), answer


def test_readme_shows_an_install_that_works_before_the_package_is_published() -> None:
    text = README.read_text(encoding="utf-8")
    assert "`pip install iotfake pytest requests`" not in text
    assert "python -m pytest -p conftest_plugin" in text
    assert "`pytest -p conftest_plugin`" not in text
