"""``iotfake serve --state FILE``: nothing acknowledged is lost on a clean stop, at most the last
save interval on SIGKILL, and a corrupt file is refused and left untouched."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
from enos_calls import H, live_create, live_product
from serve_process import run, serving, start

from iotfake import FakeCloud

pytestmark = pytest.mark.e2e


def saved_keys(path: Path) -> set[str]:
    cloud = FakeCloud.from_snapshot(json.loads(path.read_text()))
    return set(cloud.registry.tenant("enos", "o1").keys)


class Load:
    """Client threads creating devices until told to stop; remembers what was acknowledged."""

    def __init__(self, url: str, product_key: str, threads: int = 4) -> None:
        self.acknowledged: set[str] = set()
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(url, product_key, n), daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def _run(self, url: str, product_key: str, n: int) -> None:
        i = 0
        with requests.Session() as session:
            while not self.stop.is_set():
                i += 1
                key = f"dev-{n}-{i}"
                try:
                    answer = live_create(session, url, product_key, deviceKey=key)
                except requests.RequestException:
                    continue
                if answer.status_code == 200 and answer.json()["code"] == 0:
                    with self._lock:
                        self.acknowledged.add(key)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, "the load never got going"
            time.sleep(0.01)

    def finish(self) -> set[str]:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return set(self.acknowledged)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_clean_stop_under_load_keeps_every_acknowledged_change(tmp_path: Path, signum: int) -> None:
    state = tmp_path / "state.json"
    served = start("--state", str(state))
    pk = live_product(served.url)
    load = Load(served.url, pk)
    load.wait_for(40)
    served.process.send_signal(signum)
    _, err = served.process.communicate(timeout=60)
    acknowledged = load.finish()
    assert served.process.returncode == 0, err
    assert "Traceback" not in err
    kept = saved_keys(state)
    assert acknowledged <= kept, f"acknowledged but lost: {sorted(acknowledged - kept)[:10]}"
    assert len(acknowledged) >= 40


def test_sigkill_loses_nothing_older_than_the_save_interval(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    served = start("--state", str(state), "--save-interval", "0.2")
    pk = live_product(served.url)
    keys = {f"meter-{i}" for i in range(20)}
    for key in keys:
        assert live_create(requests, served.url, pk, deviceKey=key).json()["code"] == 0
    time.sleep(1.5)  # well past 200 ms: README promises at most the last interval (+ one write) is lost
    served.process.kill()
    served.process.communicate(timeout=30)
    assert saved_keys(state) == keys


def test_a_restart_resumes_from_the_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    rule = {
        "id": "flaky",
        "provider": "enos",
        "operation": "CreateDevice",
        "action": {"error": "11714"},
        "times": 2,
    }
    with serving("--state", str(state), "--seed", "5") as served:
        pk = live_product(served.url)
        device = live_create(requests, served.url, pk, deviceKey="meter-1").json()["data"]
        requests.post(f"{served.url}/_iotfake/faults", json=rule, timeout=10)
        assert live_create(requests, served.url, pk).json()["code"] == 11714
        requests.post(f"{served.url}/_iotfake/clock", json={"advance": 3600}, timeout=10)
    fixtures = tmp_path / "more.json"
    fixtures.write_text(json.dumps({"faults": [{"id": "other", "action": {"error": "Internal"}}]}))
    with serving("--state", str(state), "--seed", "5", "--fixtures", str(fixtures)) as served:
        url = f"{served.url}/connect-service/v2.1/devices?action=get&orgId=o1&assetId={device['assetId']}"
        assert requests.get(url, headers=H, timeout=10).json()["data"]["deviceKey"] == "meter-1"
        rules = requests.get(f"{served.url}/_iotfake/faults", timeout=10).json()["rules"]
        assert [(r["id"], r["fired"]) for r in rules] == [("flaky", 1)]  # counters kept, fixtures skipped
        assert live_create(requests, served.url, pk).json()["code"] == 11714  # the second and last
        assert live_create(requests, served.url, pk).json()["code"] == 0
        assert requests.get(f"{served.url}/_iotfake/clock", timeout=10).json()["offset"] == 3600
    assert "resumed" in served.stderr and "--fixtures and --throttle-profile skipped" in served.stderr


def real_snapshot_text() -> str:
    cloud = FakeCloud(seed=1)
    cloud.faults.add(id="x", error="Internal")
    return cloud.state_json()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty (truncated?)"),
        (b"{", "is not valid JSON (corrupt or truncated?)"),
        (real_snapshot_text().encode()[:200], "is not valid JSON (corrupt or truncated?)"),
        (b"\xff\xfe garbage", "is not valid JSON"),
        (b"[1, 2]", "does not hold an iotfake state snapshot"),
        (b'{"hello": "world"}', "not a usable iotfake state snapshot: not an iotfake state snapshot"),
        (
            real_snapshot_text().replace('"Internal"', '"Nope"').encode(),
            "not a usable iotfake state snapshot",
        ),
    ],
)
def test_a_corrupt_state_file_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(content)
    os.utime(state, (1_000_000_000, 1_000_000_000))
    result = run("--state", str(state))
    assert result.returncode == 2
    assert "refusing to start" in result.stderr and reason in result.stderr
    assert "left as it is" in result.stderr
    assert result.stdout == ""
    assert state.read_bytes() == content
    assert state.stat().st_mtime == 1_000_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_clean_stop_writes_the_file_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with serving("--state", str(state)) as served:
        live_product(served.url)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    snapshot = json.loads(state.read_text())
    assert snapshot["format"] == "iotfake-state"
    assert len(snapshot["registry"]["tenants"][0]["products"]) == 1
