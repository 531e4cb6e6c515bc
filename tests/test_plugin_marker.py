"""``@pytest.mark.iotfake(fixtures=, faults=, throttle_profile=)`` set the test's cloud up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iotfake import FakeCloud, fixture_files
from iotfake.documents import DocumentError
from iotfake.faults import FaultEngine

RULE = {"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}, "times": 1}


def _engine_takes_rules() -> bool:
    try:
        FakeCloud().faults.load([RULE], "faults")
    except DocumentError:
        return False
    return True


def _enos_takes_fixtures() -> bool:
    try:
        FakeCloud().seed({"enos": {"orgs": []}})
    except DocumentError:
        return False
    return True


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


def test_faults_and_throttle_profile_go_to_the_fault_engine(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(FaultEngine, "load", lambda self, rules, path: calls.append(("load", rules, path)))
    monkeypatch.setattr(
        FaultEngine, "apply_profile", lambda self, name: calls.append(("profile", name)), raising=False
    )
    pytester.makepyfile(
        f"""
import pytest

@pytest.mark.iotfake(faults=[{RULE!r}], throttle_profile="enos-gateway")
def test_both(iotfake):
    pass

@pytest.mark.iotfake(faults={RULE!r})
def test_one_rule(iotfake):
    pass

def test_none(iotfake):
    pass
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)
    assert calls == [("load", [RULE], "faults"), ("profile", "enos-gateway"), ("load", [RULE], "faults")]


def test_rules_the_engine_rejects_are_a_setup_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reject(self: FaultEngine, rules: Any, path: str) -> None:
        raise DocumentError(f"{path}[0].action", "unknown action 'explode'")

    monkeypatch.setattr(FaultEngine, "load", reject)
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(faults=[{"action": {"explode": True}}])
def test_marked(iotfake):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.re_match_lines([r"^@pytest\.mark\.iotfake: faults\[0\]\.action: unknown action 'explode'$"])
    result.stdout.no_fnmatch_line("*During handling*")


@pytest.mark.skipif(not _engine_takes_rules(), reason="the fault engine is built on another branch")
def test_a_marker_fault_fires_through_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
import pytest

PRODUCT = {{"productName": {{"defaultValue": "Meter"}}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}}

@pytest.mark.iotfake(faults=[{RULE!r}])
def test_marked(iotfake_enos):
    products = "/connect-service/v2.1/products?action=create&orgId=o1"
    pk = iotfake_enos.post(products, json=PRODUCT).json()["data"]
    body = {{"productKey": pk, "timezone": "+08:00", "deviceName": {{"defaultValue": "m"}}}}
    url = "/connect-service/v2.1/devices?action=create&orgId=o1"
    assert iotfake_enos.post(url, json=body).json()["code"] == 11714
    assert iotfake_enos.post(url, json=body).json()["code"] == 0
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.skipif(not _enos_takes_fixtures(), reason="EnOS fixtures documents arrive with the EnOS branch")
def test_a_marker_fixtures_document_seeds_the_cloud(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("org.json").write_text(
        '{"enos": {"orgs": [{"orgId": "o1", "products": [{"productKey": "p1", "productName": "Meter"}]}]}}'
    )
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(fixtures="org.json")
def test_marked(iotfake_enos):
    answer = iotfake_enos.get("/connect-service/v2.1/products?action=get&orgId=o1&productKey=p1").json()
    assert answer["code"] == 0, answer
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)
