"""``iotfake serve`` as a subprocess: the ready line, EnOS calls, fixtures, clean signal exits."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parent.parent / "fixtures"
READY = re.compile(r"iotfake listening on (http://127\.0\.0\.1:\d+)\n")


@contextmanager
def serve(*args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "iotfake", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline()
        match = READY.fullmatch(line)
        stderr = process.stderr.read() if process.poll() is not None else ""
        assert match, f"unexpected first line {line!r}; stderr: {stderr}"
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_one_line_answers_enos_and_exits_cleanly(signum: int) -> None:
    with serve("--seed", "7", "--quiet") as (process, url):
        headers = {"apim-accesstoken": "t"}
        product = {
            "productName": {"defaultValue": "Meter"},
            "productType": "Device",
            "dataFormat": "Json",
            "modelId": "meter",
            "biDirectionalAuth": False,
        }
        pk = requests.post(
            f"{url}/connect-service/v2.1/products?action=create&orgId=o1",
            json=product,
            headers=headers,
            timeout=10,
        ).json()["data"]
        answer = requests.post(
            f"{url}/connect-service/v2.1/devices?action=create&orgId=o1",
            json={"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": "m"}},
            headers=headers,
            timeout=10,
        ).json()
        assert answer["code"] == 0
        big = requests.post(
            f"{url}/connect-service/v2.1/devices?action=create&orgId=o1",
            data=b"x" * (1024 * 1024 + 10),
            headers=headers,
            timeout=30,
        )
        assert big.status_code == 413
        # after the ready line, only the broker's (the mqtt extra is installed for the tests)
        broker = process.stdout.readline()
        assert re.fullmatch(r"iotfake mqtt on mqtt://\S+ and mqtts://\S+ \(trust \S+\)\n", broker), broker
        process.send_signal(signum)
        out, _ = process.communicate(timeout=15)
        assert process.returncode == 0
        assert out == ""  # nothing after those lines


def test_serve_loads_fixtures() -> None:
    args = [
        "--fixtures",
        str(FIXTURES / "two_orgs.json"),
        "--fixtures",
        str(FIXTURES / "enos_meter_fleet.json"),
    ]
    with serve(*args, "--quiet") as (process, url):
        answer = requests.get(
            f"{url}/connect-service/v2.1/devices?action=get&orgId=o15475450989191&assetId=Inv00001",
            headers={"apim-accesstoken": "t"},
            timeout=10,
        ).json()
        assert answer["data"]["deviceKey"] == "inverter-001"
        fleet = requests.post(
            f"{url}/connect-service/v2.1/devices?action=search&orgId=o_meter_fleet",
            json={"expression": "status = 'disable'"},
            headers={"apim-accesstoken": "t"},
            timeout=10,
        ).json()
        assert fleet["pagination"]["totalSize"] == 5
        process.terminate()
        assert process.wait(timeout=15) == 0


def test_serve_refuses_a_bad_fixtures_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"enos": {"orgs": [{"orgId": "o1", "products": [{"productKey": "p", "quota": "x"}]}]}}')
    process = subprocess.run(
        [sys.executable, "-m", "iotfake", "serve", "--port", "0", "--fixtures", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert process.returncode == 2 and process.stdout == ""
    assert "enos.orgs[0].products[0].quota" in process.stderr
