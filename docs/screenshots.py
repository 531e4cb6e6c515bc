"""Remake the console screenshots in docs/ (shown in the README):

    python docs/screenshots.py

A seeded cloud with the bundled EnOS and AWS scenarios, a fault rule that has fired and a few
calls in the journal, photographed by the same headless Chromium the browser tests drive.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import boto3
import requests

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests" / "console"))
sys.path.insert(0, str(HERE.parent / "tests"))

from browser import chrome  # noqa: E402
from enos_calls import live_create  # noqa: E402

from iotfake import FakeCloud  # noqa: E402

ORG = "o15475450989191"


def main() -> None:
    cloud = FakeCloud(seed=7)
    for scenario in ("two_orgs", "aws_account", "scriptr_acme"):
        cloud.load(scenario)
    cloud.faults.add_rule(
        {
            "description": "the next create finds no free key",
            "provider": "enos",
            "operation": "CreateDevice",
            "action": {"error": "11714"},
            "times": 1,
        }
    )
    with cloud.serve(mqtt=False) as server:
        url = server.url
        for _ in range(3):
            live_create(requests, url, "InvPrd01", org=ORG)
        keys = {
            "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "region_name": "us-east-1",
            "endpoint_url": url,
        }
        iot = boto3.client("iot", **keys)
        iot.create_keys_and_certificate(setAsActive=True)
        boto3.client("iot-data", **keys).update_thing_shadow(
            thingName="meter-001", payload=json.dumps({"state": {"reported": {"kwh": 7.5}}})
        )
        shots = {
            "console-home.png": f"{url}/_iotfake/console",
            "console-tenant.png": f"{url}/_iotfake/console/tenant?provider=enos&tenant={ORG}",
            "console-aws.png": f"{url}/_iotfake/console/tenant?provider=aws&tenant=123456789012/us-east-1",
        }
        for browser in chrome():
            for name, page in shots.items():
                browser.get(page)
                time.sleep(1.5)  # the journal's first poll
                height = browser.execute_script("return document.body.scrollHeight")
                browser.set_window_size(1280, min(max(height + 40, 600), 1800))
                browser.save_screenshot(str(HERE / name))
                print("wrote", HERE / name)


if __name__ == "__main__":
    main()
