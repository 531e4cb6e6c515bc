"""SIGTERM while all three providers take writes: every create that was acknowledged, EnOS device,
scriptr device or AWS thing, is in the state file afterwards.

tests/test_state_file.py covers the rest (EnOS under SIGTERM and SIGINT, SIGKILL and the save
interval, corrupt and truncated files refused and left untouched, atomic writes); not repeated here.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from serve_process import start, stop

from iotfake import FakeCloud

pytestmark = pytest.mark.e2e

ENOS = {"apim-accesstoken": "t"}
FIXTURES = {
    "enos": {
        "orgs": [{"orgId": "o1", "products": [{"productKey": "PK1", "productName": "M", "modelId": "m"}]}]
    },
    "scriptr": {"accounts": [{"name": "acme", "token": "acme-owner-token"}]},
}
AT_LEAST = 15


def keep_creating(create: Callable[[int], str | None], stop: threading.Event, acknowledged: set[str]) -> None:
    """Create until told to stop; remember what the server acknowledged. Errors after the signal
    (refused, connection closed) are expected: only acknowledged writes must survive."""
    n = 0
    while not stop.is_set():
        n += 1
        try:
            key = create(n)
        except Exception:  # the server is going away
            continue
        if key is not None:
            acknowledged.add(key)


def creators(url: str, tag: str) -> dict[str, Callable[[int], str | None]]:
    """A create per provider, each answering the key it made when the server acknowledged it;
    ``tag`` keeps the keys of different runs apart."""
    enos, scriptr = requests.Session(), requests.Session()
    scriptr.headers["Authorization"] = "bearer acme-owner-token"
    aws = boto3.client(
        "iot",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDDURABLE",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10),
    )

    def enos_create(n: int) -> str | None:
        key = f"m-{tag}{n}"
        body = {"productKey": "PK1", "timezone": "+08:00", "deviceName": {"defaultValue": "m"}}
        body["deviceKey"] = key
        answer = enos.post(
            f"{url}/connect-service/v2.1/devices?action=create&orgId=o1", json=body, headers=ENOS, timeout=10
        )
        return key if answer.status_code == 200 and answer.json()["code"] == 0 else None

    def scriptr_create(n: int) -> str | None:
        device = {"id": f"d-{tag}{n}", "name": "d", "password": "pw"}
        answer = scriptr.post(f"{url}/scriptr/device/create", json=device, timeout=10)
        result = answer.json()["response"]["result"] if answer.status_code == 200 else {}
        return device["id"] if result.get("metadata", {}).get("status") == "success" else None

    def aws_create(n: int) -> str | None:
        return aws.create_thing(thingName=f"t-{tag}{n}")["thingName"]

    return {"enos": enos_create, "scriptr": scriptr_create, "aws": aws_create}


def under_load(url: str, tag: str, until: Callable[[dict[str, set[str]]], None]) -> dict[str, set[str]]:
    """Every provider's creates running while ``until`` waits and then stops the server; what
    was acknowledged, per provider."""
    stop = threading.Event()
    acknowledged: dict[str, set[str]] = {name: set() for name in ("enos", "scriptr", "aws")}
    workers = [
        threading.Thread(target=keep_creating, args=(create, stop, acknowledged[name]), daemon=True)
        for name, create in creators(url, tag).items()
    ]
    for worker in workers:
        worker.start()
    until(acknowledged)
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    return acknowledged


def kept_keys(state: Path) -> dict[str, set[str]]:
    cloud = FakeCloud.from_snapshot(json.loads(state.read_text()))
    return {
        "enos": set(cloud.registry.tenant("enos", "o1").keys),
        "scriptr": set(cloud.registry.tenant("scriptr", "acme").keys),
        "aws": {key for tenant in cloud.registry.tenants("aws") for key in tenant.keys},
    }


def test_sigterm_under_load_keeps_every_acknowledged_create_of_every_provider(tmp_path: Path) -> None:
    state, fixtures = tmp_path / "state.json", tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(FIXTURES))
    served = start("--state", str(state), "--fixtures", str(fixtures))
    errors: list[str] = []

    def terminate_when_busy(acknowledged: dict[str, set[str]]) -> None:
        deadline = time.monotonic() + 60
        while min(len(keys) for keys in acknowledged.values()) < AT_LEAST:
            assert time.monotonic() < deadline, {name: len(keys) for name, keys in acknowledged.items()}
            time.sleep(0.01)
        errors.append(stop(served))

    acknowledged = under_load(served.url, "", terminate_when_busy)
    assert served.process.returncode == 0, errors[0]
    assert "Traceback" not in errors[0]
    kept = kept_keys(state)
    for name, keys in acknowledged.items():
        assert keys <= kept[name], f"{name}: acknowledged but lost: {sorted(keys - kept[name])[:10]}"


RUNS = 20


def test_sigkill_at_random_moments_under_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """The write-ahead log's promise, 20 times: three providers' creates in flight, SIGKILL at a
    random moment (before or between whole-file saves), a restart from the same files; every
    acknowledged create is there."""
    state, fixtures = tmp_path / "state.json", tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(FIXTURES))
    chance = random.Random(20261205)
    totals = {"enos": 0, "scriptr": 0, "aws": 0}
    for run in range(RUNS):
        served = start("--state", str(state), "--fixtures", str(fixtures), "--save-interval", "0.3")
        seconds = chance.uniform(0.05, 0.6)

        def kill_later(
            acknowledged: dict[str, set[str]], served: Any = served, seconds: float = seconds
        ) -> None:
            # the random moment is counted from the first write of every provider: a client's
            # first call (boto3 loads its model) could otherwise outlast the whole window on a
            # slow machine, and that provider's run would test nothing
            deadline = time.monotonic() + 30
            while min(len(keys) for keys in acknowledged.values()) < 1 and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(seconds)
            served.process.kill()
            served.process.communicate(timeout=30)

        acknowledged = under_load(served.url, f"{run}-", kill_later)
        # the restart replays the log; a clean stop then writes the whole file to read back
        again = start("--state", str(state))
        err = stop(again)
        assert again.process.returncode == 0, err
        kept = kept_keys(state)
        for name, keys in acknowledged.items():
            lost = keys - kept[name]
            assert not lost, f"run {run}: {name} acknowledged but lost {len(lost)}: {sorted(lost)[:5]}"
            totals[name] += len(keys)
    assert min(totals.values()) >= RUNS, totals  # the runs did write, on every provider
