"""Request ids come from a generator of their own: reads, retries and faults shift no later id.

With one generator for both, a DescribeThing between two CreateThings changed the second thing's
id, so a test that added a read (or met one more retry) saw every later id, key and secret move.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aws_helpers import in_process
from botocore.exceptions import ClientError
from enos_calls import create, get, make_product
from werkzeug.test import Client

from iotfake import FakeCloud


def iot(cloud: FakeCloud) -> Any:
    return in_process(cloud, "iot", attempts=1)


def aws_thing_ids(reads: bool) -> tuple[list[str], list[str]]:
    cloud = FakeCloud(seed=11)
    client = iot(cloud)
    ids, request_ids = [], []
    for name in ("t1", "t2", "t3"):
        answer = client.create_thing(thingName=name)
        ids.append(answer["thingId"])
        request_ids.append(answer["ResponseMetadata"]["RequestId"])
        if reads:
            client.describe_thing(thingName=name)
            client.list_things()
            with contextlib.suppress(ClientError):
                client.describe_thing(thingName="missing")
    return ids, request_ids


def test_aws_thing_ids_do_not_depend_on_reads_in_between() -> None:
    quiet, _ = aws_thing_ids(reads=False)
    busy, _ = aws_thing_ids(reads=True)
    assert busy == quiet


def test_request_ids_still_follow_the_seed() -> None:
    _, first = aws_thing_ids(reads=True)
    _, again = aws_thing_ids(reads=True)
    assert first == again
    assert len(set(first)) == len(first)


def enos_devices(reads: bool, fault: bool = False) -> list[tuple[str, str, str]]:
    cloud = FakeCloud(seed=11)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    if fault:
        cloud.faults.add(provider="enos", operation="GetDevice", error="Internal", times=2)
    made = []
    for _ in range(3):
        data = create(client, pk).json["data"]
        made.append((data["assetId"], data["deviceKey"], data["deviceSecret"]))
        if reads:
            get(client, assetId=data["assetId"])
            get(client, assetId="missing")
    return made


def test_enos_device_ids_keys_and_secrets_do_not_depend_on_reads_or_faults() -> None:
    quiet = enos_devices(reads=False)
    assert enos_devices(reads=True) == quiet
    assert enos_devices(reads=True, fault=True) == quiet


def test_scriptr_device_ids_do_not_depend_on_reads() -> None:
    def ids(reads: bool) -> list[str]:
        account = FakeCloud(seed=11).scriptr("acme")
        made = []
        for _ in range(3):
            made.append(account.device.create({"name": "d", "password": "pw"})["result"]["device"]["id"])
            if reads:
                account.device.query({})
        return made

    assert ids(reads=True) == ids(reads=False)
