"""``iotfake serve --state FILE`` keeps named namespaces too (issue 13): each in
``FILE.namespaces/NAME.json``, back after a restart with its registry, rules and clock; a deleted
namespace's file goes; a corrupt one is refused at start like the state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from serve_process import run, serving

pytestmark = pytest.mark.e2e

H = {"Authorization": "bearer t"}


def create(url: str, device_id: str) -> dict:
    body = {"id": device_id, "name": "M", "password": "pw-123456"}
    return requests.post(f"{url}/scriptr/device/create", json=body, headers=H, timeout=10).json()


def device_ids(url: str) -> list[str]:
    answer = requests.post(f"{url}/scriptr/device/query", json={"query": 'name = "M"'}, headers=H, timeout=10)
    return sorted(d["id"] for d in answer.json()["response"]["result"]["result"]["devices"])


def test_named_namespaces_come_back_after_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    rule = {"id": "slow", "provider": "scriptr", "operation": "device.get", "action": {"latency_ms": 1}}
    with serving("--state", str(state)) as served:
        create(served.url, "in-default")
        create(f"{served.url}/_ns/shard-1", "in-shard-1")
        create(f"{served.url}/_ns/gone", "in-gone")
        requests.post(f"{served.url}/_ns/shard-1/_iotfake/faults", json=rule, timeout=10)
        requests.post(f"{served.url}/_ns/shard-1/_iotfake/clock", json={"advance": 60}, timeout=10)
        assert requests.delete(f"{served.url}/_iotfake/namespaces/gone", timeout=10).status_code == 200
    assert sorted(p.name for p in (tmp_path / "state.json.namespaces").iterdir()) == ["shard-1.json"]
    with serving("--state", str(state)) as served:
        listed = requests.get(f"{served.url}/_iotfake/namespaces", timeout=10).json()["namespaces"]
        assert [n["name"] for n in listed] == ["default", "shard-1"]
        assert device_ids(served.url) == ["in-default"]
        shard = f"{served.url}/_ns/shard-1"
        assert device_ids(shard) == ["in-shard-1"]
        rules = requests.get(f"{shard}/_iotfake/faults", timeout=10).json()["rules"]
        assert [r["id"] for r in rules] == ["slow"]
        assert requests.get(f"{shard}/_iotfake/clock", timeout=10).json()["offset"] == 60
        assert device_ids(f"{served.url}/_ns/gone") == []  # made afresh


def test_a_corrupt_namespace_file_is_refused_at_start(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    folder = tmp_path / "state.json.namespaces"
    folder.mkdir()
    (folder / "shard-1.json").write_text('{"hello": "world"}')
    result = run("--state", str(state))
    assert result.returncode == 2
    assert "shard-1.json is not a usable iotfake state snapshot" in result.stderr
    assert json.loads((folder / "shard-1.json").read_text()) == {"hello": "world"}
