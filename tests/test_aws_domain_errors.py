"""Domain errors (what fault rules name) in AWS's words, through the request pipeline and boto3."""

from __future__ import annotations

import pytest
from botocore.retries.standard import ExponentialBackoff, RetryContext
from freezegun import freeze_time

from iotfake import DocumentError, FakeCloud
from iotfake.providers.aws_iot import from_domain
from iotfake.registry import errors as domain

EXPIRED = "The security token included in the request is expired"


def injected(rule: str, name: str) -> str:
    return f"{name} (injected by iotfake fault rule {rule!r})"


@pytest.mark.parametrize(
    ("name", "code", "status", "message"),
    [
        ("Throttled", "ThrottlingException", 400, "Rate exceeded"),
        ("Unavailable", "ServiceUnavailableException", 503, "Service Unavailable"),
        ("Internal", "InternalFailureException", 500, "Internal Failure"),
        ("KeyAllocationFailed", "InternalFailureException", 500, "Internal Failure"),
        ("QuotaExceeded", "LimitExceededException", 410, injected("r", "QuotaExceeded")),
        ("Unauthorized", "UnauthorizedException", 401, injected("r", "Unauthorized")),
        ("TokenExpired", "ExpiredTokenException", 403, EXPIRED),
        ("VersionConflict", "VersionConflictException", 409, injected("r", "VersionConflict")),
        ("InvalidArgument", "InvalidRequestException", 400, injected("r", "InvalidArgument")),
        # the rule names the thing of the request, as the registry would
        ("KeyCollision", "ResourceAlreadyExistsException", 409, "t1 already exists"),
        ("NotFound", "ResourceNotFoundException", 404, "Thing t1 cannot be found."),
    ],
)
def test_domain_errors_map_to_aws_errors(
    aws_cloud: FakeCloud, iot, name: str, code: str, status: int, message: str
) -> None:
    aws_cloud.faults.add(id="r", provider="aws", operation="CreateThing", error=name)
    modeled = {s.name: s.metadata["error"]["httpStatusCode"] for s in iot.meta.service_model.error_shapes}
    # botocore raises the model's exception class; ExpiredToken is the front door's, not the model's
    expected = getattr(iot.exceptions, code) if code in modeled else iot.exceptions.ClientError
    with pytest.raises(expected) as caught:
        iot.create_thing(thingName="t1")
    assert modeled.get(code, status) == status
    response = caught.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == f"{code}:"
    assert aws_cloud.registry.tenant("aws", "123456789012/us-east-1").devices == {}


def test_registry_errors_carry_their_details_into_the_message() -> None:
    assert from_domain("CreateThing", domain.QuotaExceeded(limit=5)).message == "quota of 5 exceeded"
    assert from_domain("CreateThing", domain.Unauthorized("no")).message == "no"
    collision = from_domain("CreateThing", domain.KeyCollision(key="t1"))
    assert (collision.message, collision.extra) == ("t1 already exists", {"resourceId": "t1"})


def test_in_use_picks_the_error_the_operation_models() -> None:
    assert from_domain("DeletePolicy", domain.InUse("busy")).code == "DeleteConflictException"
    assert from_domain("DeleteThing", domain.InUse("busy")).code == "InvalidRequestException"
    assert from_domain("DeleteCertificate", domain.InvalidState("active")).code == "CertificateStateException"
    assert from_domain("UpdateThing", domain.InvalidState("x")).code == "InvalidRequestException"


def test_throttling_asks_clients_to_wait_in_a_header_botocore_reads(aws_cloud: FakeCloud, iot) -> None:
    seen: list = []

    def capture(response, **_) -> None:
        seen.append(response[0])  # botocore's own AWSResponse for the attempt

    iot.meta.events.register("needs-retry.iot.ListThings", capture)
    try:
        with freeze_time("2030-01-01 00:00:00"):
            aws_cloud.faults.add(provider="aws", operation="ListThings", throttle={"rate": 0.4, "burst": 1})
            iot.list_things()
            with pytest.raises(iot.exceptions.ThrottlingException) as caught:
                iot.list_things()
    finally:
        iot.meta.events.unregister("needs-retry.iot.ListThings", capture)
    # a token every 2.5 s: the header says so in milliseconds
    assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-retry-after"] == "2500"
    # botocore's standard-mode backoff, its jitter at zero, waits exactly what the header asks
    backoff = ExponentialBackoff(random=lambda: 0.0)
    assert backoff.delay_amount(RetryContext(attempt_number=1, http_response=seen[-1])) == 2.5


def test_provider_codes_named_by_fault_rules() -> None:
    provider = FakeCloud().providers["aws"]
    error = provider.from_code(None, "ThrottlingException")  # type: ignore[arg-type]
    assert (error.code, error.status, error.message) == ("ThrottlingException", 400, "Rate exceeded")
    assert provider.from_code(None, "ResourceNotFoundException").status == 404  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["ThrottledException", "11714", "INVALID_TOKEN"])
def test_a_rule_naming_an_error_aws_does_not_have_is_refused(aws_cloud: FakeCloud, code: str) -> None:
    aws_cloud.reset()
    with pytest.raises(DocumentError) as caught:
        aws_cloud.faults.add(provider="aws", operation="CreateThing", error=code)
    assert caught.value.path == "action.error"
    assert "nor a code aws knows" in caught.value.message and "ThrottlingException" in caught.value.message
    assert aws_cloud.faults.rules == []
