"""Helpers for the AWS IoT tests: model conformance, CSRs, templates."""

from __future__ import annotations

import json
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iotfake.providers.aws_iot.model import OPERATIONS
from iotfake.providers.aws_iot.validation import Problems, validate

#: a well-formed SigV4 header (lenient auth checks the form, not the signature), region us-east-1
SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/iot/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123abcd",
    "X-Amz-Date": "20250101T000000Z",
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}],
}


def conforms(operation: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Assert that a boto3 answer matches the operation's output shape in the model; return it."""
    body = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    for key, value in body.items():
        if hasattr(value, "timestamp"):
            body[key] = value.timestamp()
    problems = Problems()
    validate(OPERATIONS[operation]["output"], _plain(body), "", problems)
    assert not problems, problems.message()
    return answer


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "timestamp"):
        return value.timestamp()
    return value


def csr_pem(common_name: str = "device-1") -> tuple[str, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode(), key


def template(resources: dict[str, Any], parameters: dict[str, Any] | None = None, **sections: Any) -> str:
    body: dict[str, Any] = {}
    if parameters is not None:
        body["Parameters"] = parameters
    body.update(sections)
    body["Resources"] = resources
    return json.dumps(body)


def thing_resource(name: Any = {"Ref": "ThingName"}, **properties: Any) -> dict[str, Any]:  # noqa: B006
    overrides = properties.pop("OverrideSettings", None)
    resource: dict[str, Any] = {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": name, **properties}}
    if overrides is not None:
        resource["OverrideSettings"] = overrides
    return resource


def string_params(*names: str, **defaults: str) -> dict[str, Any]:
    params: dict[str, Any] = {name: {"Type": "String"} for name in names}
    params.update({name: {"Type": "String", "Default": value} for name, value in defaults.items()})
    return params


def in_process(
    cloud: Any, service: str = "iot", region: str = "us-east-1", attempts: int | None = None
) -> Any:
    """A boto3 client answered by ``cloud`` in process (no server, no socket); ``attempts``
    bounds botocore's retries (1: none, so a throttled call fails at once)."""
    import boto3
    from botocore.config import Config

    from iotfake.transports import route_botocore

    client = boto3.client(
        service,
        endpoint_url="http://iotfake",
        region_name=region,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="x",
        config=None if attempts is None else Config(retries={"total_max_attempts": attempts}),
    )
    return route_botocore(client, cloud)


def lax(client: Any) -> Any:
    """A client of ``client``'s service and endpoint that sends what botocore would refuse (its
    parameter validation off), to see the fake's own answer."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        client.meta.service_model.service_name,
        endpoint_url=client.meta.endpoint_url,
        region_name=client.meta.region_name,
        aws_access_key_id="AKIAEXAMPLE000000000",
        aws_secret_access_key="x",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
