"""boto3 as it comes (standard retry mode, 3 attempts) gets through transient faults on its own.

botocore's backoff really sleeps (up to 1 s, then 2 s, after a throttle; up to 50 ms, then 100 ms,
after other transient errors), so these tests keep to a couple of retries.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from aws_helpers import template, thing_resource

from iotfake import FakeCloud

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACCOUNT = "123456789012/us-east-1"


@pytest.fixture(scope="module")
def default_client(aws_server):
    """A boto3 client with botocore's default retry configuration, whatever the environment says."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        env.setenv("AWS_CONFIG_FILE", "/nonexistent/iotfake-aws-config")
        client = boto3.session.Session().client(
            "iot",
            endpoint_url=aws_server.url,
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="x",
        )
    assert client.meta.config.retries == {"mode": "standard"}
    return client


@pytest.fixture
def retrying(aws_cloud: FakeCloud, default_client):
    aws_cloud.reset()
    return default_client


def attempts(answer: dict) -> int:
    return answer["ResponseMetadata"]["RetryAttempts"] + 1


def test_two_throttled_register_things_then_success(aws_cloud: FakeCloud, retrying) -> None:
    aws_cloud.load(FIXTURES / "aws_throttled.json")
    answer = retrying.register_thing(templateBody=template({"thing": thing_resource("dev-1")}))
    assert attempts(answer) == 3
    assert answer["resourceArns"] == {"thing": "arn:aws:iot:us-east-1:123456789012:thing/dev-1"}
    aws_cloud.journal.assert_fault_fired("aws-throttled-register-thing", times=2)
    calls = aws_cloud.journal.calls(operation="RegisterThing")
    assert [(e.status, e.code) for e in calls] == [
        (400, "ThrottlingException"),
        (400, "ThrottlingException"),
        (200, None),
    ]


def test_one_service_unavailable_then_success(aws_cloud: FakeCloud, retrying) -> None:
    rule = aws_cloud.faults.add(
        provider="aws", operation="CreateThing", error="ServiceUnavailableException", times=1
    )
    answer = retrying.create_thing(thingName="t1")
    assert (attempts(answer), answer["thingName"]) == (2, "t1")
    assert (rule.matched, rule.fired) == (2, 1)
    assert [e.status for e in aws_cloud.journal.calls(operation="CreateThing")] == [503, 200]


def test_a_fault_outlasting_the_attempts_reaches_the_caller(aws_cloud: FakeCloud, retrying) -> None:
    aws_cloud.faults.add(provider="aws", operation="CreateThing", error="Unavailable", times=3)
    with pytest.raises(retrying.exceptions.ServiceUnavailableException) as caught:
        retrying.create_thing(thingName="t1")
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert aws_cloud.registry.tenant("aws", ACCOUNT).devices == {}
    assert retrying.create_thing(thingName="t1")["thingName"] == "t1"  # the rule is spent


def test_a_lost_create_thing_is_retried_into_the_same_thing(aws_cloud: FakeCloud, retrying) -> None:
    """botocore retries a connection closed mid-call; CreateThing being idempotent, all is well."""
    aws_cloud.faults.add(id="lost", provider="aws", operation="CreateThing", lost_response=True, times=1)
    answer = retrying.create_thing(thingName="t1", attributePayload={"attributes": {"serial": "A"}})
    assert attempts(answer) == 2
    (device,) = aws_cloud.registry.tenant("aws", ACCOUNT).devices.values()
    assert answer["thingId"] == device.id
    assert [(e.status, e.rule) for e in aws_cloud.journal.calls(operation="CreateThing")] == [
        (None, "lost"),
        (200, None),
    ]


def test_a_token_bucket_throttle_is_waited_out_with_the_retry_hint(aws_cloud: FakeCloud, retrying) -> None:
    """5 calls per second: the throttled call says "come back in 200 ms", botocore waits at least
    that long, and the bucket has a token again when it does."""
    aws_cloud.faults.add(
        id="tps", provider="aws", operation="DescribeThing", throttle={"rate": 5, "burst": 1}
    )
    retrying.create_thing(thingName="t1")
    retrying.describe_thing(thingName="t1")
    answer = retrying.describe_thing(thingName="t1")
    assert (attempts(answer), answer["thingName"]) == (2, "t1")
    throttled = aws_cloud.journal.assert_fault_fired("tps", times=1)
    assert throttled[0].code == "ThrottlingException"
