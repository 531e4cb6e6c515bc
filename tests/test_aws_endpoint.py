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
