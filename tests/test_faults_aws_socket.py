"""``drop`` and ``lost_response`` over a real socket, as boto3 meets them."""

from __future__ import annotations

import pytest
from aws_helpers import csr_pem, string_params, template, thing_resource
from botocore.exceptions import ConnectionClosedError, HTTPClientError

from iotfake import FakeCloud

ACCOUNT = "123456789012/us-east-1"


def things(cloud: FakeCloud) -> list[str]:
    return sorted(d.key for d in cloud.registry.tenant("aws", ACCOUNT).devices.values())


def test_drop_closes_the_connection_before_the_handler(
    aws_cloud: FakeCloud, iot, capfd: pytest.CaptureFixture[str]
) -> None:
    aws_cloud.faults.add(id="cut", provider="aws", operation="CreateThing", drop=True, times=1)
    with pytest.raises(ConnectionClosedError) as caught:
        iot.create_thing(thingName="t1")
    assert isinstance(caught.value, HTTPClientError)  # the family botocore's retries treat as transient
    assert things(aws_cloud) == []
    assert iot.create_thing(thingName="t1")["thingName"] == "t1"
    dropped, created = aws_cloud.journal.calls(operation="CreateThing")
    assert (dropped.status, dropped.code, dropped.rule, dropped.action, dropped.outcome) == (
        None,
        None,
        "cut",
        "drop",
        "fault",
    )
    assert (created.status, created.rule, created.outcome) == (200, None, "ok")
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error on request" not in err


def test_drop_works_for_reads_and_the_server_stays_up(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(provider="aws", operation="DescribeThing", drop=True, times=3)
    for _ in range(3):
        with pytest.raises(ConnectionClosedError):
            iot.describe_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing(thingName="t1")


def test_a_lost_create_thing_then_a_retry_with_other_attributes_collides(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(id="lost", provider="aws", operation="CreateThing", lost_response=True, times=1)
    with pytest.raises(ConnectionClosedError):
        iot.create_thing(thingName="t1", attributePayload={"attributes": {"serial": "A"}})
    assert things(aws_cloud) == ["t1"]  # committed before the reply was lost
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as caught:
        iot.create_thing(thingName="t1", attributePayload={"attributes": {"serial": "B"}})
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Error"]["Message"] == "Thing t1 already exists in account with different attributes"
    assert iot.describe_thing(thingName="t1")["attributes"] == {"serial": "A"}
    lost, collided = aws_cloud.journal.calls(operation="CreateThing")
    # the journal keeps what the lost reply would have said (AWS success carries no code)
    assert (lost.status, lost.code, lost.rule, lost.action, lost.outcome) == (
        None,
        None,
        "lost",
        "lost_response",
        "fault",
    )
    assert (collided.status, collided.code, collided.rule) == (409, "ResourceAlreadyExistsException", None)


def test_a_lost_create_thing_retried_as_it_was_is_idempotent(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(provider="aws", operation="CreateThing", lost_response=True, times=1)
    payload = {"attributes": {"serial": "A"}}
    with pytest.raises(ConnectionClosedError):
        iot.create_thing(thingName="t1", attributePayload=payload)
    committed = aws_cloud.registry.tenant("aws", ACCOUNT).keys["t1"]
    retried = iot.create_thing(thingName="t1", attributePayload=payload)
    assert retried["thingId"] == committed.id  # the same thing: AWS answers an identical create with it
    assert things(aws_cloud) == ["t1"]


def test_a_lost_register_thing_leaves_its_certificate_behind(aws_cloud: FakeCloud, iot) -> None:
    """The thing is idempotent, the certificate is not: the retry makes a second one, and the
    first - whose PEM the device never received - stays attached and active."""
    pem, _ = csr_pem()
    body = template(
        {
            "thing": thing_resource("dev-1"),
            "certificate": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {"CertificateSigningRequest": {"Ref": "CSR"}, "Status": "ACTIVE"},
            },
        },
        string_params("CSR"),
    )
    aws_cloud.faults.add(id="lost", provider="aws", operation="RegisterThing", lost_response=True, times=1)
    with pytest.raises(ConnectionClosedError):
        iot.register_thing(templateBody=body, parameters={"CSR": pem})
    (orphan,) = iot.list_thing_principals(thingName="dev-1")["principals"]
    answer = iot.register_thing(templateBody=body, parameters={"CSR": pem})
    assert answer["resourceArns"]["thing"].endswith(":thing/dev-1")
    assert answer["resourceArns"]["certificate"] != orphan
    assert sorted(iot.list_thing_principals(thingName="dev-1")["principals"]) == sorted(
        [orphan, answer["resourceArns"]["certificate"]]
    )
    orphan_id = orphan.rsplit("/", 1)[1]
    assert iot.describe_certificate(certificateId=orphan_id)["certificateDescription"]["status"] == "ACTIVE"
    assert things(aws_cloud) == ["dev-1"]
    aws_cloud.journal.assert_fault_fired("lost", times=1, operation="RegisterThing")


def test_a_lost_register_thing_of_a_thing_alone_is_safe_to_retry(aws_cloud: FakeCloud, iot) -> None:
    body = template(
        {"thing": thing_resource(AttributePayload={"serial": {"Ref": "Serial"}})},
        string_params("ThingName", "Serial"),
    )
    parameters = {"ThingName": "dev-1", "Serial": "A"}
    aws_cloud.faults.add(provider="aws", operation="RegisterThing", lost_response=True, times=1)
    with pytest.raises(ConnectionClosedError):
        iot.register_thing(templateBody=body, parameters=parameters)
    first = aws_cloud.registry.tenant("aws", ACCOUNT).keys["dev-1"]
    iot.register_thing(templateBody=body, parameters=parameters)
    assert iot.describe_thing(thingName="dev-1")["thingId"] == first.id
    assert iot.describe_thing(thingName="dev-1")["attributes"] == {"serial": "A"}
