"""Every ```python block of the README runs as written (issue 13: "every README code block is
executed by the suite"). Blocks that talk to ``iotfake serve`` on http://127.0.0.1:4510 run against a
live fake on a free port (the one substitution made); blocks that define pytest tests or fixtures
are also run as tests by ``tests/examples`` (here they must at least execute: imports, names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iotfake import FakeCloud

README = Path(__file__).resolve().parent.parent / "README.md"
SERVE_URL = "http://127.0.0.1:4510"


def blocks() -> list[tuple[str, str]]:
    """(section heading, code) of each python block, in README order."""
    found, heading, inside, kind, lines = [], "", False, "", []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if not inside:
                inside, kind, lines = True, line[3:].strip(), []
            else:
                inside = False
                if kind == "python":
                    found.append((heading, "\n".join(lines) + "\n"))
            continue
        if inside:
            lines.append(line)
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
    return found


BLOCKS = blocks()


def test_the_readme_has_the_blocks_this_test_expects() -> None:
    assert len(BLOCKS) >= 16  # a README that loses its examples should say so here


@pytest.mark.parametrize(
    ("heading", "code"), BLOCKS, ids=[f"{i}-{h[:30]}" for i, (h, _) in enumerate(BLOCKS)]
)
def test_every_python_block_runs_as_written(
    heading: str, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud = FakeCloud(seed=7)
    with FakeCloud(seed=7).serve(mqtt=False) as server:
        source = code.replace(SERVE_URL, server.url)
        # the one name a block may use without making it: ``cloud``, as the prose before the
        # scriptr and Python API blocks says
        namespace = {"__name__": "readme_block_" + re.sub(r"\W+", "_", heading), "cloud": cloud}
        exec(compile(source, f"README.md ({heading})", "exec"), namespace)
    capsys.readouterr()


def fenced(kind: str) -> list[tuple[str, str]]:
    found, heading, inside, current, lines = [], "", False, "", []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if not inside:
                inside, current, lines = True, line[3:].strip(), []
            else:
                inside = False
                if current == kind:
                    found.append((heading, "\n".join(lines)))
            continue
        if inside:
            lines.append(line)
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
    return found


@pytest.mark.parametrize(("heading", "text"), fenced("json"), ids=[h[:30] for h, _ in fenced("json")])
def test_every_json_block_is_a_document_the_fake_takes(heading: str, text: str) -> None:
    import json

    document = json.loads(text.replace('"..."', '"secret-1"'))
    cloud = FakeCloud(seed=7)
    if "action" in document:  # a fault rule
        cloud.faults.add_rule(document)
    else:  # a fixtures document
        cloud.seed(document)


def test_the_curl_block_runs_against_a_live_fake() -> None:
    import subprocess

    [(_, script)] = [(h, t) for h, t in fenced("bash") if "curl" in t]
    with FakeCloud(seed=7).serve(mqtt=False) as server:
        port = server.url.rsplit(":", 1)[1]
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.replace("localhost:4510", f"localhost:{port}")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert '"ids"' in done.stdout and '"entries"' in done.stdout and '"removed"' in done.stdout
