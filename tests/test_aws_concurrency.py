"""Concurrent clients against one account: the registry lock keeps names unique and quotas exact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from aws_helpers import template, thing_resource
from botocore.exceptions import ClientError

from iotfake import FakeCloud


def attempt(call) -> str:
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return "ok"


def test_parallel_creates_respect_max_things(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"maxThings": 5}]}})
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(
            pool.map(
                lambda i: attempt(
                    lambda: (
                        iot.register_thing(templateBody=template({"thing": thing_resource(f"t{i}")}))
                        if i % 2
                        else iot.create_thing(thingName=f"t{i}")
                    )
                ),
                range(16),
            )
        )
    assert outcomes.count("ok") == 5
    assert set(outcomes) - {"ok"} <= {"LimitExceededException", "ResourceRegistrationFailureException"}
    assert len(iot.list_things()["things"]) == 5


def test_parallel_creates_of_one_name_make_one_thing(iot) -> None:
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: iot.create_thing(thingName="same")["thingId"], range(12)))
    assert len(ids) == 1
