"""Fleet provisioning by claim over MQTT, end to end: with paho, and with the AWS IoT Device SDK
v2 (awsiotsdk: AWS CRT, mutual TLS): claim certificate -> new certificate -> RegisterThing by
template -> connect as the new thing -> a shadow update iot-data reads."""

from __future__ import annotations

import json
import tempfile
from concurrent.futures import Future
from pathlib import Path

import pytest
from aws_helpers import POLICY

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
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "device"}},
        },
    }
)
CLAIM_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["iot:Publish", "iot:Receive"],
                "Resource": [
                    "arn:aws:iot:*:*:topic/$aws/certificates/create/*",
                    "arn:aws:iot:*:*:topic/$aws/certificates/create-from-csr/*",
                    "arn:aws:iot:*:*:topic/$aws/provisioning-templates/widgets/provision/*",
                ],
            },
            {
                "Effect": "Allow",
                "Action": "iot:Subscribe",
                "Resource": [
                    "arn:aws:iot:*:*:topicfilter/$aws/certificates/create/*",
                    "arn:aws:iot:*:*:topicfilter/$aws/certificates/create-from-csr/*",
                    "arn:aws:iot:*:*:topicfilter/$aws/provisioning-templates/widgets/provision/*",
                ],
            },
        ],
    }
)


@pytest.fixture
def claim(iot):
    """A fleet template and a claim certificate allowed to use fleet provisioning's topics."""
    iot.create_policy(
        policyName="device",
        policyDocument=json.dumps(
            {**POLICY, "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
        ),
    )
    iot.create_provisioning_template(
        templateName="widgets", templateBody=TEMPLATE, provisioningRoleArn=ROLE, enabled=True
    )
    made = iot.create_provisioning_claim(templateName="widgets")
    arn = iot.describe_certificate(certificateId=made["certificateId"])["certificateDescription"][
        "certificateArn"
    ]
    iot.create_policy(policyName="claim", policyDocument=CLAIM_POLICY)
    iot.attach_policy(policyName="claim", target=arn)
    return {"certificatePem": made["certificatePem"], "keyPair": made["keyPair"]}


def test_fleet_provisioning_by_claim_with_paho(iot, iot_data, claim, devices) -> None:
    device = devices("factory-1", claim)
    device.subscribe("$aws/certificates/create/json/+")
    device.subscribe("$aws/provisioning-templates/widgets/provision/json/+")
    device.publish("$aws/certificates/create/json", {})
    created = device.receive("$aws/certificates/create/json/accepted")
    device.publish(
        "$aws/provisioning-templates/widgets/provision/json",
        {
            "certificateOwnershipToken": created["certificateOwnershipToken"],
            "parameters": {"SerialNumber": "W-1"},
        },
    )
    assert device.receive("$aws/provisioning-templates/widgets/provision/json/accepted")["thingName"] == "W-1"
    own = {"certificatePem": created["certificatePem"], "keyPair": {"PrivateKey": created["privateKey"]}}
    thing = devices("W-1", own)
    thing.publish("$aws/things/W-1/shadow/update", {"state": {"reported": {"firmware": "1.0"}}})
    assert json.loads(iot_data.get_thing_shadow(thingName="W-1")["payload"].read())["state"]["reported"] == {
        "firmware": "1.0"
    }


@pytest.mark.e2e  # a real SDK with its own threads and timeouts: the README command runs it
def test_fleet_provisioning_by_claim_with_the_aws_iot_device_sdk(served, iot, iot_data, claim) -> None:
    from awscrt import mqtt
    from awsiot import iotidentity, iotshadow, mqtt_connection_builder

    folder = Path(tempfile.mkdtemp(prefix="iotfake-sdk-"))
    (folder / "ca.pem").write_text(served.cloud.ca_pem)

    def connect(client_id: str, certificate_pem: str, key_pem: str) -> mqtt.Connection:
        (folder / f"{client_id}.crt").write_text(certificate_pem)
        (folder / f"{client_id}.key").write_text(key_pem)
        connection = mqtt_connection_builder.mtls_from_path(
            endpoint="localhost",
            port=served.mqtt.tls_port,
            cert_filepath=str(folder / f"{client_id}.crt"),
            pri_key_filepath=str(folder / f"{client_id}.key"),
            ca_filepath=str(folder / "ca.pem"),
            client_id=client_id,
            clean_session=True,
            keep_alive_secs=30,
        )
        connection.connect().result(10)
        return connection

    factory = connect("factory-2", claim["certificatePem"], claim["keyPair"]["PrivateKey"])
    identity = iotidentity.IotIdentityClient(factory)
    created: Future = Future()
    registered: Future = Future()
    subscribed, _ = identity.subscribe_to_create_keys_and_certificate_accepted(
        iotidentity.CreateKeysAndCertificateSubscriptionRequest(), mqtt.QoS.AT_LEAST_ONCE, created.set_result
    )
    subscribed.result(10)
    subscribed, _ = identity.subscribe_to_register_thing_accepted(
        iotidentity.RegisterThingSubscriptionRequest(template_name="widgets"),
        mqtt.QoS.AT_LEAST_ONCE,
        registered.set_result,
    )
    subscribed.result(10)
    identity.publish_create_keys_and_certificate(
        iotidentity.CreateKeysAndCertificateRequest(), mqtt.QoS.AT_LEAST_ONCE
    ).result(10)
    keys = created.result(10)
    identity.publish_register_thing(
        iotidentity.RegisterThingRequest(
            template_name="widgets",
            certificate_ownership_token=keys.certificate_ownership_token,
            parameters={"SerialNumber": "W-2"},
        ),
        mqtt.QoS.AT_LEAST_ONCE,
    ).result(10)
    assert registered.result(10).thing_name == "W-2"
    factory.disconnect().result(10)

    device = connect("W-2", keys.certificate_pem, keys.private_key)
    shadow = iotshadow.IotShadowClient(device)
    shadow.publish_update_shadow(
        iotshadow.UpdateShadowRequest(
            thing_name="W-2", state=iotshadow.ShadowState(reported={"firmware": "2.0"})
        ),
        mqtt.QoS.AT_LEAST_ONCE,
    ).result(10)
    device.disconnect().result(10)
    stored = json.loads(iot_data.get_thing_shadow(thingName="W-2")["payload"].read())
    assert stored["state"]["reported"] == {"firmware": "2.0"}
    described = iot.describe_certificate(
        certificateId=iot.list_thing_principals(thingName="W-2")["principals"][0].rsplit("/", 1)[1]
    )
    assert described["certificateDescription"]["status"] == "ACTIVE"


def _topics(fmt: str) -> tuple[str, str, str]:
    return (
        f"$aws/certificates/create/{fmt}",
        f"$aws/certificates/create-from-csr/{fmt}",
        f"$aws/provisioning-templates/widgets/provision/{fmt}",
    )


def test_answers_go_to_the_asking_connection_alone(claim, devices) -> None:
    """Two devices sharing a claim certificate: one never sees the other's keys or token."""
    from aws_helpers import csr_pem

    create, from_csr, provision = _topics("json")
    asker, other = devices("factory-a", claim), devices("factory-b", claim)
    for device in (asker, other):
        for topic in (create, from_csr, provision):
            device.subscribe(f"{topic}/+")
    asker.publish(create, {})
    created = asker.receive(f"{create}/accepted")
    assert set(created) == {"certificateId", "certificatePem", "privateKey", "certificateOwnershipToken"}
    asker.publish(from_csr, {"certificateSigningRequest": csr_pem("factory-a")[0]})
    assert set(asker.receive(f"{from_csr}/accepted")) == {
        "certificateId",
        "certificatePem",
        "certificateOwnershipToken",
    }
    asker.publish(provision, {"certificateOwnershipToken": "made-up", "parameters": {"SerialNumber": "W-9"}})
    assert asker.receive(f"{provision}/rejected")["errorCode"] == "InvalidCertificateOwnershipToken"
    token = created["certificateOwnershipToken"]
    asker.publish(provision, {"certificateOwnershipToken": token, "parameters": {"SerialNumber": "W-1"}})
    assert asker.receive(f"{provision}/accepted") == {"deviceConfiguration": {}, "thingName": "W-1"}
    assert other.topics() == []
    assert asker.topics() == []  # one answer per request


def test_cbor_refusals_go_to_the_asking_connection_alone(claim, devices) -> None:
    asker, other = devices("factory-a", claim), devices("factory-b", claim)
    for device in (asker, other):
        for topic in _topics("cbor"):
            device.subscribe(f"{topic}/+")
    for topic in _topics("cbor"):
        asker.publish(topic, b"\xa0")
        assert asker.receive(f"{topic}/rejected")["errorCode"] == "InvalidPayload"
    assert other.topics() == []


def test_an_asker_that_did_not_subscribe_gets_no_answer(iot, claim, devices) -> None:
    """The guide: "If you don't subscribe to the response topics before you publish a request,
    you might not receive the results": the fake answers only a subscribed asker, so a device
    that forgets to subscribe fails here as it may on AWS. The request is still carried out."""
    create, _, _ = _topics("json")
    asker = devices("factory-a", claim)
    before = len(iot.list_certificates()["certificates"])
    asker.publish(create, {})
    assert asker.topics() == []
    assert len(iot.list_certificates()["certificates"]) == before + 1


def test_a_certificate_from_a_csr_left_unused_is_deleted_after_an_hour(cloud, iot, claim, devices) -> None:
    """The guide: a certificate from CreateCertificateFromCsr that "hasn't been activated and
    hasn't been attached to a policy or a thing by the time the token expires" is deleted."""
    from aws_helpers import csr_pem
    from botocore.exceptions import ClientError

    device = devices("factory-1", claim)
    device.subscribe("$aws/certificates/create-from-csr/json/+")
    device.publish("$aws/certificates/create-from-csr/json", {"certificateSigningRequest": csr_pem("d")[0]})
    created = device.receive("$aws/certificates/create-from-csr/json/accepted")
    certificate_id = created["certificateId"]
    cloud.clock.advance(3599)
    assert iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]["status"] == (
        "PENDING_ACTIVATION"
    )
    cloud.clock.advance(1)
    with pytest.raises(ClientError) as raised:
        iot.describe_certificate(certificateId=certificate_id)
    assert raised.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": f"Certificate {certificate_id} cannot be found.",
    }
    listed = iot.list_certificates(pageSize=250)["certificates"]
    assert certificate_id not in {c["certificateId"] for c in listed}
