"""The README's two set-up commands, pyproject.toml and .ci/run must never drift apart."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)[:2]


def test_readme_opens_with_serve_then_test_command() -> None:
    serve, test = readme_commands()
    assert serve.rstrip().endswith("iotfake serve")
    assert "pip install" in serve
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    _, test = readme_commands()
    assert test.strip() in [line.strip() for line in ci]


def test_ci_runs_the_readme_slow_battery_with_schemathesis() -> None:
    """The schemathesis suite guards the OpenAPI documents only if something runs it: CI does."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [slow] = [block for block in re.findall(r"```bash\n(.+?)\n```", text, flags=re.S) if "-m slow" in block]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert slow.strip() in [line.strip() for line in ci]
    assert "'.[test,fuzz]'" in slow and slow.strip().endswith("tests/reliability")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(dep.startswith("schemathesis") for dep in project["optional-dependencies"]["fuzz"])
    module = (ROOT / "tests/reliability/test_reliability_schemathesis.py").read_text(encoding="utf-8")
    assert "pytestmark = pytest.mark.slow" in module


def test_pyproject_declares_what_the_commands_use() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["iotfake"] == "iotfake.cli:main"
    assert project["entry-points"]["pytest11"]["iotfake"] == "iotfake.pytest_plugin"
    runtime = " ".join(project["dependencies"]).lower()
    for dependency in ("werkzeug", "freezegun", "faker"):
        assert dependency in runtime
    assert any(dep.startswith("pytest") for dep in project["optional-dependencies"]["test"])
