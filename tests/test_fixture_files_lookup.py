"""Fixtures files named by tests resolve beside the test, then among the bundled scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from iotfake import fixture_files

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bundled"
    folder.mkdir()
    monkeypatch.setattr(fixture_files, "bundled_dir", lambda: folder)
    return folder


def test_a_file_beside_the_test_wins_over_a_bundled_one(tmp_path: Path, bundled: Path) -> None:
    (bundled / "orgs.json").write_text("{}")
    (tmp_path / "orgs.json").write_text("{}")
    assert fixture_files.resolve("orgs.json", near=tmp_path) == tmp_path / "orgs.json"


def test_bundled_files_are_found_by_name_with_or_without_suffix(tmp_path: Path, bundled: Path) -> None:
    (bundled / "orgs.json").write_text("{}")
    assert fixture_files.resolve("orgs.json", near=tmp_path) == bundled / "orgs.json"
    assert fixture_files.resolve("orgs", near=tmp_path) == bundled / "orgs.json"


def test_subfolders_and_absolute_paths(tmp_path: Path, bundled: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.json").write_text("{}")
    assert fixture_files.resolve("data/a.json", near=tmp_path) == tmp_path / "data" / "a.json"
    assert fixture_files.resolve(tmp_path / "data" / "a.json") == tmp_path / "data" / "a.json"


def test_a_missing_file_names_every_place_looked(tmp_path: Path, bundled: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        fixture_files.resolve("nope", near=tmp_path)
    message = str(caught.value)
    assert "'nope' not found" in message
    for place in (tmp_path / "nope", tmp_path / "nope.json", bundled / "nope", bundled / "nope.json"):
        assert str(place) in message


def test_a_folder_is_not_a_fixtures_file(tmp_path: Path, bundled: Path) -> None:
    (tmp_path / "orgs.json").mkdir()
    with pytest.raises(FileNotFoundError):
        fixture_files.resolve("orgs.json", near=tmp_path)


def test_source_checkout_uses_the_repository_fixtures_folder() -> None:
    assert fixture_files.bundled_dir() == ROOT / "fixtures"
    assert fixture_files.resolve("README.md") == ROOT / "fixtures" / "README.md"


def test_an_installed_wheel_uses_the_package_fixtures_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "iotfake"
    (package / "fixtures").mkdir(parents=True)
    monkeypatch.setattr(fixture_files, "_PACKAGE", package)
    assert fixture_files.bundled_dir() == package / "fixtures"
