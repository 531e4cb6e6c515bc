"""The scenario files in fixtures/: each loads, and each EnOS one does what it says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from aws_stand_in import aws_cloud
from enos_calls import create, make_product
from serve_process import run, serving
from werkzeug.test import Client

from iotfake import FakeCloud

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCENARIOS = ["flaky_key_allocation", "product_nearly_full", "lost_create_response", "aws_throttled"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_file_loads(name: str) -> None:
    path = FIXTURES / f"{name}.json"
    cloud = aws_cloud(seed=1)
    cloud.load(path)
    expected = [rule["id"] for rule in json.loads(path.read_text())["faults"]]
    assert [r.id for r in cloud.faults] == expected
    assert all(r.description for r in cloud.faults)


def test_product_nearly_full() -> None:
    cloud = FakeCloud(seed=1).load(FIXTURES / "product_nearly_full.json")
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    other_org = make_product(client, org="o2")
    assert [create(client, pk).json["code"] for _ in range(5)] == [0, 0, 0, 11739, 11739]
    assert create(client, other_org, org="o2").json["code"] == 0
    assert len(cloud.registry.tenant("enos", "o1").devices) == 3
    cloud.journal.assert_fault_fired("product-nearly-full", times=2)


def test_lost_create_response_in_process() -> None:
    cloud = FakeCloud(seed=1).load(FIXTURES / "lost_create_response.json")
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    assert create(client, pk, deviceKey="meter-1").status_code == 503
    assert create(client, pk, deviceKey="meter-1").json["code"] == 11702
    assert len(cloud.registry.tenant("enos", "o1").devices) == 1


def test_serve_loads_scenario_files_and_throttle_profiles(tmp_path: Path) -> None:
    profile = tmp_path / "slow.json"
    rule = {"id": "slow", "provider": "enos", "action": {"throttle": {"rate": 1, "burst": 100}}}
    profile.write_text(json.dumps({"rules": [rule]}))
    fixtures = FIXTURES / "lost_create_response.json"
    with serving("--fixtures", str(fixtures), "--throttle-profile", str(profile)) as served:
        rules = requests.get(f"{served.url}/_iotfake/faults", timeout=10).json()["rules"]
    assert [r["id"] for r in rules] == ["lost-create-response", "slow"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--throttle-profile", "aws-default"],
            "unknown throttle profile 'aws-default' (built in: aws-defaults)",
        ),
        (["--fixtures", "no/such/file.json"], "cannot load fixtures no/such/file.json"),
    ],
)
def test_serve_refuses_bad_profiles_and_fixtures(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
