"""``cloud.load(path)`` names the file in its error, as ``iotfake serve --fixtures`` does.

With two fixtures files (``@pytest.mark.iotfake(fixtures=["site_a.json", "site_b.json"])``), the
error ``enos.orgs[0].products[0].quota: expected ...`` did not say which file held the bad field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iotfake import FakeCloud
from iotfake.documents import DocumentError

BAD_QUOTA = {"enos": {"orgs": [{"orgId": "o2", "products": [{"productKey": "p1", "quota": "ten"}]}]}}


def write(tmp_path: Path, name: str, document: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_a_bad_field_names_the_file_and_keeps_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, "site_b.json", BAD_QUOTA)
    with pytest.raises(DocumentError) as caught:
        FakeCloud().load(path)
    error = caught.value
    assert error.path == "enos.orgs[0].products[0].quota"
    assert error.file == str(path)
    assert str(error).startswith(f"{path}: enos.orgs[0].products[0].quota: ")


def test_the_name_is_the_one_the_caller_gave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "site_b.json", BAD_QUOTA)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DocumentError, match=r"^site_b\.json: enos\.orgs\[0\]"):
        FakeCloud().load("site_b.json")


def test_a_file_that_is_not_json_is_named_once(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{")
    with pytest.raises(DocumentError) as caught:
        FakeCloud().load(path)
    assert str(caught.value).count("broken.json") == 1
    assert caught.value.file == str(path)


def test_a_missing_file_is_not_named_again(tmp_path: Path) -> None:
    """The finder's message names it already, with every place it looked."""
    with pytest.raises(DocumentError) as caught:
        FakeCloud().load(tmp_path / "nowhere.json")
    assert str(caught.value).startswith(
        f"fixtures file '{tmp_path / 'nowhere.json'}' not found; looked for: "
    )
    assert caught.value.file == str(tmp_path / "nowhere.json")


def test_a_document_in_hand_has_no_file_to_name() -> None:
    with pytest.raises(DocumentError) as caught:
        FakeCloud().load(BAD_QUOTA)
    assert str(caught.value).startswith("enos.orgs[0].products[0].quota: ")
    assert getattr(caught.value, "file", None) is None


def test_a_refused_file_changes_nothing(tmp_path: Path) -> None:
    cloud = FakeCloud(seed=1)
    before = cloud.snapshot()["registry"]
    with pytest.raises(DocumentError):
        cloud.load(write(tmp_path, "site_b.json", BAD_QUOTA))
    assert cloud.snapshot()["registry"] == before
