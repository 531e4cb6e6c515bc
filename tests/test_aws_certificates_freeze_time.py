"""Certificates signed under freezegun, then after: cryptography keeps the ``datetime`` class it
saw first, so a process whose first signature was made inside ``freeze_time`` failed every
certificate after the freeze (InternalFailure). Each case runs in a fresh interpreter: the class
is kept per process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

FIRST_SIGNED_FROZEN = textwrap.dedent(
    """
    from freezegun import freeze_time
    from iotfake import FakeCloud
    from iotfake.transports import route_botocore
    import boto3

    def issue():
        client = boto3.client(
            "iot", endpoint_url="http://iotfake", region_name="us-east-1",
            aws_access_key_id="AKIAIOTFAKEEXAMPLE01", aws_secret_access_key="s",
        )
        iot = route_botocore(client, FakeCloud(seed=7))
        return iot.create_keys_and_certificate(setAsActive=True)["certificateId"]

    with freeze_time("2024-01-01"):
        issue()  # the first import of the fake's signing modules, and its first signature
    issue()
    print("ok")
    """
)


@pytest.mark.parametrize("script", [FIRST_SIGNED_FROZEN], ids=["first-signed-frozen"])
def test_certificates_are_issued_after_a_freeze_that_saw_the_first_one(script: str) -> None:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
