"""Fleet provisioning's MQTT API without the broker (fleet_topics.respond): create keys or sign a
CSR for an ownership token, then RegisterThing by template with it."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, csr_pem
from botocore.exceptions import ClientError
from freezegun import freeze_time

from iotfake import FakeCloud
from iotfake.providers.aws_iot.fleet_topics import respond

ROLE = "arn:aws:iam::123456789012:role/Provisioning"
TEMPLATE = json.dumps(
    {
        "Parameters": {"SerialNumber": {"Type": "String"}},
        "Resources": {
            "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "SerialNumber"}}},
            "certificate": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"},
            },
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": json.dumps(POLICY)}},
        },
        "DeviceConfiguration": {"fallbackUrl": "https://example.com"},
    }
)


@pytest.fixture
def fleet(iot, aws_cloud: FakeCloud):
    iot.create_provisioning_template(
        templateName="widgets", templateBody=TEMPLATE, provisioningRoleArn=ROLE, enabled=True
    )
    claim = iot.create_provisioning_claim(templateName="widgets")
    return _publisher(aws_cloud, claim["certificateId"])


@pytest.fixture
def factory(iot, aws_cloud: FakeCloud):
    """As ``fleet``, claiming with an ordinary ACTIVE certificate: no claim's five minutes."""
    iot.create_provisioning_template(
        templateName="widgets", templateBody=TEMPLATE, provisioningRoleArn=ROLE, enabled=True
    )
    return _publisher(aws_cloud, iot.create_keys_and_certificate(setAsActive=True)["certificateId"])


def _publisher(cloud: FakeCloud, claim_id: str):
    """``publish(topic, document)``: the one answer, as (topic, decoded payload)."""
    aws = cloud.providers["aws"]
    tenant = aws.account("123456789012", "us-east-1")

    def publish(topic: str, document) -> tuple[str, dict]:
        payload = document if isinstance(document, bytes) else json.dumps(document).encode()
        ((answer_topic, answer),) = respond(
            aws, tenant, topic, payload, certificate_id=claim_id, client_id="w-1"
        )
        return answer_topic, json.loads(answer)

    return publish


def test_create_keys_then_provision_by_claim(iot, aws_cloud, fleet) -> None:
    topic, created = fleet("$aws/certificates/create/json", {})
    assert topic == "$aws/certificates/create/json/accepted"
    assert set(created) == {"certificateId", "certificatePem", "privateKey", "certificateOwnershipToken"}
    described = iot.describe_certificate(certificateId=created["certificateId"])["certificateDescription"]
    assert described["status"] == "PENDING_ACTIVATION"
    topic, accepted = fleet(
        "$aws/provisioning-templates/widgets/provision/json",
        {
            "certificateOwnershipToken": created["certificateOwnershipToken"],
            "parameters": {"SerialNumber": "W-1"},
        },
    )
    assert topic == "$aws/provisioning-templates/widgets/provision/json/accepted"
    assert accepted == {"deviceConfiguration": {"fallbackUrl": "https://example.com"}, "thingName": "W-1"}
    described = iot.describe_certificate(certificateId=created["certificateId"])["certificateDescription"]
    assert described["status"] == "ACTIVE"
    assert iot.list_thing_principals(thingName="W-1")["principals"] == [described["certificateArn"]]
    entry = aws_cloud.journal.last(operation="CreateKeysAndCertificate")
    assert (entry.method, entry.path) == ("MQTT", "$aws/certificates/create/json")


def test_create_from_csr(iot, fleet) -> None:
    csr, _key = csr_pem("device-csr")
    topic, created = fleet("$aws/certificates/create-from-csr/json", {"certificateSigningRequest": csr})
    assert topic.endswith("/accepted") and "privateKey" not in created
    topic, refused = fleet("$aws/certificates/create-from-csr/json", {"certificateSigningRequest": "nope"})
    assert topic == "$aws/certificates/create-from-csr/json/rejected"
    assert (refused["statusCode"], refused["errorCode"]) == (400, "InvalidRequest")


def test_tokens_expire_after_an_hour(aws_cloud, fleet) -> None:
    _, created = fleet("$aws/certificates/create/json", {})
    aws_cloud.clock.advance(3601)
    topic, refused = fleet(
        "$aws/provisioning-templates/widgets/provision/json",
        {
            "certificateOwnershipToken": created["certificateOwnershipToken"],
            "parameters": {"SerialNumber": "W-2"},
        },
    )
    assert topic.endswith("/rejected")
    # the claim (five minutes) has expired too by now: AWS checks the claim first
    assert refused["errorCode"] in ("AccessDenied", "InvalidCertificateOwnershipToken")


def test_bad_requests_are_rejected(fleet) -> None:
    topic, refused = fleet(
        "$aws/provisioning-templates/widgets/provision/json",
        {"certificateOwnershipToken": "made-up", "parameters": {"SerialNumber": "W-3"}},
    )
    assert (refused["statusCode"], refused["errorCode"]) == (400, "InvalidCertificateOwnershipToken")
    assert "not one this account issued" in refused["errorMessage"]
    topic, refused = fleet("$aws/certificates/create/json", b"{not json")
    assert topic == "$aws/certificates/create/json/rejected" and refused["errorCode"] == "InvalidPayload"
    topic, refused = fleet("$aws/certificates/create/cbor", b"\xa0")
    assert topic == "$aws/certificates/create/cbor/rejected" and "CBOR" in refused["errorMessage"]


def test_fault_rules_reach_the_mqtt_api(aws_cloud, fleet) -> None:
    aws_cloud.faults.add(
        provider="aws", operation="CreateKeysAndCertificate", error="ThrottlingException", times=1
    )
    topic, refused = fleet("$aws/certificates/create/json", {})
    assert topic.endswith("/rejected") and refused["errorCode"] == "Throttling"
    topic, _ = fleet("$aws/certificates/create/json", {})
    assert topic.endswith("/accepted")


# -- certificates whose ownership token expired unused ----------------------------------------------
# The guide ("Device provisioning MQTT API", CreateCertificateFromCsr and CreateKeysAndCertificate):
# "If the certificate created by CreateCertificateFromCsr hasn't been activated and hasn't been
# attached to a policy or a thing by the time the token expires, the certificate is deleted."
CREATES = {
    "create": ("$aws/certificates/create/json", lambda: {}),
    "create-from-csr": (
        "$aws/certificates/create-from-csr/json",
        lambda: {"certificateSigningRequest": csr_pem("device-csr")[0]},
    ),
}


def _listed(iot) -> set[str]:
    return {c["certificateId"] for c in iot.list_certificates(pageSize=250)["certificates"]}


def _gone(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    answer = raised.value.response
    return answer["Error"]["Code"], answer["Error"]["Message"], answer["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("how", sorted(CREATES))
def test_an_unused_certificate_is_deleted_when_its_token_expires(iot, factory, how) -> None:
    topic, request = CREATES[how]
    with freeze_time() as frozen:  # the fake's clock reads time.time: freezegun moves it
        _, created = factory(topic, request())
        certificate_id = created["certificateId"]
        frozen.tick(3599)
        described = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]
        assert described["status"] == "PENDING_ACTIVATION" and certificate_id in _listed(iot)
        frozen.tick(1)  # the token's hour is up
        missing = ("ResourceNotFoundException", f"Certificate {certificate_id} cannot be found.", 404)
        assert _gone(iot.describe_certificate, certificateId=certificate_id) == missing
        assert certificate_id not in _listed(iot)
        assert _gone(iot.update_certificate, certificateId=certificate_id, newStatus="ACTIVE") == missing
        topic, refused = factory(
            "$aws/provisioning-templates/widgets/provision/json",
            {"certificateOwnershipToken": created["certificateOwnershipToken"], "parameters": {}},
        )
    assert topic.endswith("/rejected")
    assert (refused["statusCode"], refused["errorCode"]) == (400, "InvalidCertificateOwnershipToken")


def _activate(iot, arn: str) -> None:
    iot.update_certificate(certificateId=arn.rsplit("/", 1)[1], newStatus="ACTIVE")


def _attach_policy(iot, arn: str) -> None:
    iot.create_policy(policyName="kept", policyDocument=json.dumps(POLICY))
    iot.attach_policy(policyName="kept", target=arn)


def _attach_thing(iot, arn: str) -> None:
    iot.create_thing(thingName="kept")
    iot.attach_thing_principal(thingName="kept", principal=arn)


def _attach_principal_policy(iot, arn: str) -> None:
    iot.create_policy(policyName="kept", policyDocument=json.dumps(POLICY))
    iot.attach_principal_policy(policyName="kept", principal=arn)


@pytest.mark.parametrize(
    "late",
    [_attach_policy, _attach_thing, _attach_principal_policy],
    ids=["policy", "thing", "principal-policy"],
)
def test_an_attach_after_the_hour_finds_the_certificate_gone(iot, factory, late) -> None:
    """The attach is the first call to look after the token's hour: it must not find (and so
    keep) a certificate AWS deleted at that instant."""
    with freeze_time() as frozen:
        _, created = factory("$aws/certificates/create/json", {})
        certificate_id = created["certificateId"]
        arn = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"][
            "certificateArn"
        ]
        frozen.tick(3600)
        with pytest.raises(ClientError) as raised:
            late(iot, arn)
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert certificate_id not in _listed(iot)


@pytest.mark.parametrize(
    "keep", [_activate, _attach_policy, _attach_thing], ids=["activated", "policy", "thing"]
)
def test_a_certificate_activated_or_attached_in_time_stays(iot, factory, keep) -> None:
    with freeze_time() as frozen:
        _, created = factory("$aws/certificates/create/json", {})
        certificate_id = created["certificateId"]
        arn = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"][
            "certificateArn"
        ]
        frozen.tick(3599)
        keep(iot, arn)
        frozen.tick(3600)
        assert iot.describe_certificate(certificateId=certificate_id)["certificateDescription"][
            "certificateId"
        ]
        assert certificate_id in _listed(iot)
        _, refused = factory(
            "$aws/provisioning-templates/widgets/provision/json",
            {"certificateOwnershipToken": created["certificateOwnershipToken"], "parameters": {}},
        )
    assert refused["errorMessage"] == "The certificateOwnershipToken has expired"


def test_a_provisioned_certificate_stays(iot, factory) -> None:
    with freeze_time() as frozen:
        _, created = factory("$aws/certificates/create/json", {})
        factory(
            "$aws/provisioning-templates/widgets/provision/json",
            {
                "certificateOwnershipToken": created["certificateOwnershipToken"],
                "parameters": {"SerialNumber": "W-1"},
            },
        )
        frozen.tick(7200)
        described = iot.describe_certificate(certificateId=created["certificateId"])["certificateDescription"]
    assert described["status"] == "ACTIVE"
    assert iot.list_thing_principals(thingName="W-1")["principals"] == [described["certificateArn"]]


def test_other_certificates_never_expire_so(iot, fleet) -> None:
    """Only fleet provisioning's certificates carry a token: CreateKeysAndCertificate over HTTP,
    INACTIVE and unattached, stays."""
    with freeze_time() as frozen:
        made = iot.create_keys_and_certificate(setAsActive=False)
        frozen.tick(7200)
        assert made["certificateId"] in _listed(iot)
