"""Domain errors (what fault rules name) in AWS's words, through the request pipeline."""

from __future__ import annotations

import pytest

from iotfake import FakeCloud
from iotfake.providers.aws_iot import from_domain
from iotfake.registry import errors as domain


@pytest.mark.parametrize(
    ("error", "code", "status", "message"),
    [
        (domain.Throttled(), "ThrottlingException", 400, "Rate exceeded"),
        (domain.Unavailable(), "ServiceUnavailableException", 503, "Service Unavailable"),
        (domain.Internal(), "InternalFailureException", 500, "Internal Failure"),
        (domain.QuotaExceeded(limit=5), "LimitExceededException", 410, "quota of 5 exceeded"),
        (domain.Unauthorized("no"), "UnauthorizedException", 401, "no"),
        (
            domain.TokenExpired(),
            "ExpiredTokenException",
            403,
            "The security token included in the request is expired",
        ),
        (domain.KeyCollision(key="t1"), "ResourceAlreadyExistsException", 409, "t1 already exists"),
        (
            domain.NotFound(kind="device", key="t1"),
            "ResourceNotFoundException",
            404,
            "Thing t1 cannot be found.",
        ),
    ],
)
def test_domain_errors_map_to_aws_errors(
    aws_cloud: FakeCloud, iot, monkeypatch: pytest.MonkeyPatch, error, code: str, status: int, message: str
) -> None:
    def fail(provider, call):
        raise error

    monkeypatch.setattr(aws_cloud.faults, "before", fail)
    with pytest.raises(iot.exceptions.ClientError) as caught:
        iot.create_thing(thingName="t1")
    response = caught.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    assert response["Error"]["Message"] == message


def test_in_use_picks_the_error_the_operation_models() -> None:
    assert from_domain("DeletePolicy", domain.InUse("busy")).code == "DeleteConflictException"
    assert from_domain("DeleteThing", domain.InUse("busy")).code == "InvalidRequestException"
    assert from_domain("DeleteCertificate", domain.InvalidState("active")).code == "CertificateStateException"
    assert from_domain("UpdateThing", domain.InvalidState("x")).code == "InvalidRequestException"


def test_throttling_can_ask_clients_to_wait(
    aws_cloud: FakeCloud, iot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(provider, call):
        raise domain.Throttled(retry_after=1.5)

    monkeypatch.setattr(aws_cloud.faults, "before", fail)
    with pytest.raises(iot.exceptions.ThrottlingException) as caught:
        iot.list_things()
    assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-retry-after"] == "1500"


def test_provider_codes_named_by_fault_rules() -> None:
    provider = FakeCloud().providers["aws"]
    error = provider.from_code(None, "ThrottlingException")  # type: ignore[arg-type]
    assert (error.code, error.status, error.message) == ("ThrottlingException", 400, "Rate exceeded")
    assert provider.from_code(None, "ResourceNotFoundException").status == 404  # type: ignore[arg-type]
