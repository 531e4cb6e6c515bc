"""``--state`` on a path that cannot be written fails at start (exit 2), instead of starting and
logging an error every interval (each time with a new temp-file name)."""

from __future__ import annotations

from pathlib import Path

from serve_process import run


def test_a_state_path_in_a_missing_directory_is_refused_at_start(tmp_path: Path) -> None:
    done = run("--state", str(tmp_path / "no" / "such" / "dir" / "state.json"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("iotfake: cannot write state to ")
    assert "listening" not in done.stdout


def test_a_state_path_that_is_a_directory_is_refused_at_start(tmp_path: Path) -> None:
    (tmp_path / "state.json").mkdir()
    done = run("--state", str(tmp_path / "state.json"))
    assert done.returncode == 2, done.stderr
    assert "iotfake:" in done.stderr and "Traceback" not in done.stderr
