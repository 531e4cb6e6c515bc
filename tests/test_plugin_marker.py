"""``@pytest.mark.iotfake(fixtures=, faults=, throttle_profile=)`` set the test's cloud up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iotfake import FakeCloud, fixture_files

RULE = {"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}, "times": 1}


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every fixtures file the cloud is asked to load, in order (the inner run shares this process)."""
    seen: list[Path] = []
    real = FakeCloud.load

    def load(self: FakeCloud, path: Any) -> FakeCloud:
        seen.append(Path(path))
        return real(self, path)

    monkeypatch.setattr(FakeCloud, "load", load)
    return seen


def test_the_marker_is_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(seed=3)
def test_marked(iotfake):
    pass
"""
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)
    pytester.runpytest("--markers").stdout.fnmatch_lines(
        ["@pytest.mark.iotfake(fixtures=None, faults=None, seed=None, auth=None, throttle_profile=None):*"]
    )


def test_fixtures_files_resolve_beside_the_test_first(
    pytester: pytest.Pytester, loads: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "shared.json").write_text("{}")
    (bundled / "local.json").write_text("{}")
    monkeypatch.setattr(fixture_files, "bundled_dir", lambda: bundled)
    pytester.mkdir("sub")
    pytester.path.joinpath("sub", "local.json").write_text("{}")
    pytester.path.joinpath("sub", "test_x.py").write_text(
        """
import pytest

@pytest.mark.iotfake(fixtures=["local.json", "shared"])
def test_marked(iotfake):
    pass

@pytest.mark.iotfake(fixtures="local.json")
def test_one_name(iotfake):
    pass
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
    local = pytester.path / "sub" / "local.json"
    assert loads == [local, bundled / "shared.json", local]


def test_a_missing_fixtures_file_is_a_setup_error_naming_where_it_looked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(fixtures="missing.json")
def test_marked(iotfake):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [f"*@pytest.mark.iotfake: fixtures file 'missing.json' not found; looked for: {pytester.path}*"]
    )


def test_an_invalid_fixtures_document_is_a_setup_error(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("broken.json").write_text("{not json")
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(fixtures="broken.json")
def test_marked(iotfake):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.iotfake: *broken.json is not valid JSON*"])


def test_a_marker_fault_fires_through_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
import pytest

PRODUCT = {{"productName": {{"defaultValue": "Meter"}}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}}

@pytest.mark.iotfake(faults=[{RULE!r}])
def test_a_list(iotfake_enos, iotfake):
    products = "/connect-service/v2.1/products?action=create&orgId=o1"
    pk = iotfake_enos.post(products, json=PRODUCT).json()["data"]
    body = {{"productKey": pk, "timezone": "+08:00", "deviceName": {{"defaultValue": "m"}}}}
    url = "/connect-service/v2.1/devices?action=create&orgId=o1"
    assert iotfake_enos.post(url, json=body).json()["code"] == 11714
    assert iotfake_enos.post(url, json=body).json()["code"] == 0
    assert [e.outcome for e in iotfake.journal.calls(operation="CreateDevice")] == ["fault", "ok"]

@pytest.mark.iotfake(faults={RULE!r})
def test_one_rule(iotfake):
    assert len(iotfake.faults.rules) == 1
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_throttle_profile_file_is_found_beside_the_test(pytester: pytest.Pytester) -> None:
    rule = {"id": "slow", "provider": "enos", "action": {"throttle": {"rate": 1, "burst": 1}}}
    pytester.mkdir("sub")
    pytester.path.joinpath("sub", "slow_enos.json").write_text(json.dumps({"rules": [rule]}))
    pytester.path.joinpath("sub", "test_x.py").write_text(
        """
import pytest

@pytest.mark.iotfake(throttle_profile="slow_enos.json")
def test_file(iotfake):
    assert [rule.id for rule in iotfake.faults.rules] == ["slow"]
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_built_in_throttle_profile_by_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(throttle_profile="aws-defaults")
def test_built_in(iotfake):
    assert "aws-defaults:CreateThing" in [rule.id for rule in iotfake.faults.rules]
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('faults=[{"action": {"explode": True}}]', r"faults\[0\]\.action\.explode: unknown action \(.*\)"),
        ('faults=[RULE, "CreateDevice"]', r"faults\[1\]: .*"),
        ('throttle_profile="nope"', r"unknown throttle profile 'nope' \(built in: aws-defaults.*\)"),
    ],
)
def test_rules_the_engine_rejects_are_a_one_line_setup_error(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(
        f"""
import pytest

RULE = {RULE!r}

@pytest.mark.iotfake({marker})
def test_marked(iotfake):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.re_match_lines([rf"^@pytest\.mark\.iotfake: {message}$"])
    result.stdout.no_fnmatch_line("*During handling*")


def test_a_bundled_scenario_by_name_seeds_the_cloud(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(fixtures="two_orgs")
def test_marked(iotfake_enos):
    url = "/connect-service/v2.1/devices?action=get&orgId=o15475450989191&assetId=Inv00001"
    answer = iotfake_enos.get(url).json()
    assert answer["data"]["deviceKey"] == "inverter-001", answer
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)
