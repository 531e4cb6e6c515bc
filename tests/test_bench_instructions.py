"""bench instructions' replays, run without valgrind: each row's recorded pair must replay into a
fresh fake and succeed on every call (its names valid device keys), or valgrind counts nothing
but a traceback. The EnOS replay named devices ``i0``, ``i1`` …, shorter than EnOS's four
characters, and failed at its first call once percall's replay checked that calls succeed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import instructions


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("instructions") / "pairs.pickle"
    instructions.record(path)
    return path


@pytest.mark.parametrize("row", instructions.ROWS)
def test_each_row_replays_into_a_fresh_fake(recording: Path, row: str) -> None:
    instructions.replay(str(recording), row, 3)  # raises where a replayed call fails
