"""DescribeEndpoint: AWS-shaped, account-specific host names."""

from __future__ import annotations

import re

import pytest


def test_endpoints_per_type(iot, aws_clients) -> None:
    ats = iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
    match = re.fullmatch(r"([a-z0-9]{14})-ats\.iot\.us-east-1\.amazonaws\.com", ats)
    assert match
    prefix = match.group(1)
    assert iot.describe_endpoint()["endpointAddress"] == f"{prefix}.iot.us-east-1.amazonaws.com"
    assert iot.describe_endpoint(endpointType="iot:CredentialProvider")["endpointAddress"] == (
        f"{prefix}.credentials.iot.us-east-1.amazonaws.com"
    )
    assert aws_clients(region="eu-west-1").describe_endpoint(endpointType="iot:Jobs")["endpointAddress"] == (
        f"{prefix}.jobs.iot.eu-west-1.amazonaws.com"
    )


def test_unknown_endpoint_type(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.describe_endpoint(endpointType="iot:Shadow")


def test_the_data_endpoints_can_name_a_host_that_reaches_the_fake(iot, aws_cloud) -> None:
    aws_cloud.aws.endpoint_host = "localhost"
    try:
        assert iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"] == "localhost"
        assert iot.describe_endpoint()["endpointAddress"] == "localhost"
        jobs = iot.describe_endpoint(endpointType="iot:Jobs")["endpointAddress"]
        assert jobs.endswith(".jobs.iot.us-east-1.amazonaws.com")  # HTTPS-only endpoints keep AWS's name
        aws_cloud.reset()
        assert iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"] == "localhost"
    finally:
        aws_cloud.aws.endpoint_host = None
