"""A cloud that serves "aws": the real provider when this build has it, else a stand-in.

The stand-in exists for engine-level tests written before the AWS provider was merged: it renders
errors as aws_iot.md says AWS does (``x-amzn-ErrorType`` header, ``{"message": ...}`` body,
ThrottlingException with HTTP 400) and nothing more. Tests that use it assert only that shape,
so they hold for the real provider too.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from iotfake import FakeCloud
from iotfake.providers.base import Call, Provider, ProviderError, json_response
from iotfake.registry.errors import DomainError, Throttled

CODES = {
    "ThrottlingException": 400,
    "InvalidRequestException": 400,
    "UnauthorizedException": 401,
    "ServiceUnavailableException": 503,
    "InternalFailureException": 500,
    "ResourceNotFoundException": 404,
    "ResourceAlreadyExistsException": 409,
}


class StandInAws(Provider):
    name = "aws"

    def from_domain(self, call: Call, error: DomainError) -> ProviderError:
        if isinstance(error, Throttled):
            return ProviderError("ThrottlingException", "Rate exceeded", 400)
        return ProviderError("InternalFailureException", error.message, 500)

    def from_code(self, call: Call, code: str) -> ProviderError:
        if code not in CODES:
            raise ValueError(f"unknown AWS IoT error {code!r}")
        return ProviderError(code, code, CODES[code])

    def render(self, call: Call, error: ProviderError) -> Response:
        call.code = str(error.code)
        return json_response({"message": error.message}, error.status, {"x-amzn-ErrorType": f"{error.code}:"})


def aws_cloud(**options: object) -> FakeCloud:
    cloud = FakeCloud(**options)  # type: ignore[arg-type]
    if "aws" not in cloud.providers:
        cloud.providers["aws"] = StandInAws(cloud)
    return cloud


def aws_call(operation: str, tenant: str = "123456789012/us-east-1") -> Call:
    from werkzeug.wrappers import Request

    account, region = tenant.split("/")
    return Call(
        "aws",
        operation,
        Request.from_values("/"),
        tenant=tenant,
        params={"account": account, "region": region},
    )
