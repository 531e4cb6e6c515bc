"""A rule's ``error`` through boto3: AWS's own error shapes, with the status botocore's model gives."""

from __future__ import annotations

import time

import pytest
from aws_helpers import template, thing_resource

from iotfake import FakeCloud
from iotfake.faults import FAULT_HEADER

ACCOUNT = "123456789012/us-east-1"


def modeled_status(iot, code: str) -> int:
    return iot.meta.service_model.shape_for(code).metadata["error"]["httpStatusCode"]


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("ThrottlingException", 400, "Rate exceeded"),
        ("InternalFailureException", 500, "Internal Failure"),
        ("ServiceUnavailableException", 503, "Service Unavailable"),
        ("InvalidRequestException", 400, "InvalidRequestException"),
        ("UnauthorizedException", 401, "You are not authorized to perform this operation"),
        ("ResourceAlreadyExistsException", 409, "The resource already exists"),
    ],
)
def test_an_aws_error_code_reaches_boto3_as_its_exception(
    aws_cloud: FakeCloud, iot, code: str, status: int, message: str
) -> None:
    aws_cloud.faults.add(id="r", provider="aws", operation="CreateThing", error=code)
    with pytest.raises(getattr(iot.exceptions, code)) as caught:
        iot.create_thing(thingName="t1")
    response = caught.value.response
    assert status == modeled_status(iot, code)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert (response["Error"]["Code"], response["Error"]["Message"]) == (code, message)
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-errortype"] == f"{code}:"
    assert headers[FAULT_HEADER.lower()] == "r"
    assert aws_cloud.registry.tenant("aws", ACCOUNT).devices == {}  # the handler never ran
    entry = aws_cloud.journal.last(operation="CreateThing")
    assert (entry.status, entry.code, entry.rule, entry.action, entry.outcome) == (
        status,
        code,
        "r",
        "error",
        "fault",
    )


def test_errors_on_register_thing_and_reads(aws_cloud: FakeCloud, iot) -> None:
    iot.create_thing(thingName="t1")
    aws_cloud.faults.add(provider="aws", operation="RegisterThing", error="ServiceUnavailableException")
    aws_cloud.faults.add(provider="aws", operation="DescribeThing", error="InternalFailureException")
    aws_cloud.faults.add(provider="aws", operation="List*", error="ThrottlingException")
    with pytest.raises(iot.exceptions.ServiceUnavailableException):
        iot.register_thing(templateBody=template({"thing": thing_resource("t2")}))
    with pytest.raises(iot.exceptions.InternalFailureException):
        iot.describe_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ThrottlingException):
        iot.list_things()
    with pytest.raises(iot.exceptions.ThrottlingException):
        iot.list_thing_types()
    assert [d.key for d in aws_cloud.registry.tenant("aws", ACCOUNT).devices.values()] == ["t1"]
    # operations no rule names are untouched
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing_type(thingTypeName="missing")


def test_a_domain_name_is_worded_for_the_resource_the_uri_names(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(provider="aws", operation="DescribeThingType", error="NotFound")
    aws_cloud.faults.add(provider="aws", operation="CreatePolicy", error="KeyCollision")
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as missing:
        iot.describe_thing_type(thingTypeName="meter")
    assert missing.value.response["Error"]["Message"] == "Thing type meter cannot be found."
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as taken:
        iot.create_policy(policyName="p1", policyDocument='{"Version": "2012-10-17", "Statement": []}')
    assert taken.value.response["Error"]["Message"] == "p1 already exists"
    assert taken.value.response["resourceId"] == "p1"


def test_latency_delays_the_answer_and_changes_nothing_else(aws_cloud: FakeCloud, iot) -> None:
    rule = aws_cloud.faults.add(provider="aws", operation="CreateThing", latency_ms=50, times=1)
    started = time.perf_counter()
    answer = iot.create_thing(thingName="t1")
    assert time.perf_counter() - started >= 0.05
    assert answer["thingName"] == "t1"
    entry = aws_cloud.journal.last(operation="CreateThing")
    assert (entry.rule, entry.action, entry.outcome, entry.status) == (rule.id, "latency", "ok", 200)
    assert entry.duration_ms is not None and entry.duration_ms >= 50


def test_latency_can_precede_an_aws_error(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(
        provider="aws", operation="CreateThing", action={"error": "ThrottlingException", "latency_ms": 30}
    )
    started = time.perf_counter()
    with pytest.raises(iot.exceptions.ThrottlingException):
        iot.create_thing(thingName="t1")
    assert time.perf_counter() - started >= 0.03
