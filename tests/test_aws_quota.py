"""maxThings: a per-account thing limit, answered with AWS's LimitExceededException."""

from __future__ import annotations

import pytest
from aws_helpers import template, thing_resource

from iotfake import FakeCloud


def test_create_thing_past_the_limit(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"maxThings": 2}]}})
    iot.create_thing(thingName="t1")
    iot.create_thing(thingName="t2")
    iot.create_thing(thingName="t2")  # idempotent: no new thing, no quota used
    with pytest.raises(iot.exceptions.LimitExceededException) as caught:
        iot.create_thing(thingName="t3")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    iot.delete_thing(thingName="t1")
    iot.create_thing(thingName="t3")


def test_register_thing_past_the_limit(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"maxThings": 1}]}})
    iot.create_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceRegistrationFailureException) as caught:
        iot.register_thing(templateBody=template({"thing": thing_resource("t2")}))
    assert caught.value.response["Error"]["Message"] == "The account already holds its limit of 1 things"
    iot.register_thing(templateBody=template({"thing": thing_resource("t1")}))


def test_the_limit_is_per_account_and_region(aws_cloud: FakeCloud, iot, aws_clients) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"maxThings": 0}]}})
    with pytest.raises(iot.exceptions.LimitExceededException):
        iot.create_thing(thingName="t1")
    aws_clients(region="eu-west-1").create_thing(thingName="t1")
