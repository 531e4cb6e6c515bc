"""Scenario files that iotfake ships can be named without a path, from Python and the CLI."""

from __future__ import annotations

import pytest

from iotfake import DocumentError, FakeCloud
from iotfake.fixture_files import bundled_dir


def test_every_bundled_file_loads_by_its_bare_name() -> None:
    names = sorted(p.stem for p in bundled_dir().glob("*.json"))
    assert "flaky_key_allocation" in names
    for name in names:
        FakeCloud(seed=1).load(name)


def test_a_local_file_wins_over_a_bundled_one(tmp_path, monkeypatch) -> None:
    (tmp_path / "flaky_key_allocation.json").write_text('{"faults": []}')
    monkeypatch.chdir(tmp_path)
    cloud = FakeCloud().load("flaky_key_allocation.json")
    assert cloud.faults.rules == []


def test_a_missing_file_names_where_it_looked() -> None:
    with pytest.raises(DocumentError, match="looked for"):
        FakeCloud().load("no_such_scenario")


def test_the_design_docs_example_path_works_from_anywhere(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no fixtures/ here: the bundled copy answers
    cloud = FakeCloud(seed=7).load("fixtures/two_orgs.json")
    assert cloud.registry.find_tenant("enos", "o15475450989191") is not None
