"""Operations without HTTP (operations.py): what the MQTT side and Python callers drive. The same
handler, validation, faults and journal as over HTTP; the answer a dict or the provider's error."""

from __future__ import annotations

import json

import pytest
from aws_helpers import in_process

from iotfake import FakeCloud
from iotfake.operations import AnswerLost, Invocation
from iotfake.providers.aws_iot.wire import AwsError

TOPIC = "$aws/things/lamp/shadow/update"


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=3)


def client(cloud: FakeCloud, service: str):
    return in_process(cloud, service)


def shadow_update(cloud: FakeCloud, state: dict, **options) -> dict:
    payload = json.dumps({"state": state}).encode()
    return cloud.invoke(
        "aws",
        "UpdateThingShadow",
        {"thingName": "lamp", "payload": payload},
        transport="MQTT",
        path=TOPIC,
        **options,
    )


def test_a_shadow_update_without_http_is_the_same_operation(cloud: FakeCloud) -> None:
    answer = shadow_update(cloud, {"reported": {"on": True}})
    document = json.loads(answer["payload"])
    assert document["state"] == {"reported": {"on": True}} and document["version"] == 1
    read = json.loads(client(cloud, "iot-data").get_thing_shadow(thingName="lamp")["payload"].read())
    assert read["state"]["reported"] == {"on": True}  # the same store boto3 reads
    entry = cloud.journal.last(operation="UpdateThingShadow")
    assert (entry.method, entry.path, entry.status, entry.code) == ("MQTT", TOPIC, 200, "OK")
    assert entry.params["thingName"] == "lamp" and entry.params["account"] == "123456789012"


def test_input_is_validated_against_the_model(cloud: FakeCloud) -> None:
    with pytest.raises(AwsError) as caught:
        cloud.invoke("aws", "UpdateThingShadow", {"thingName": "bad name!", "payload": b"{}"})
    assert caught.value.code == "InvalidRequestException"
    assert "thingName" in caught.value.message
    assert cloud.journal.last(operation="UpdateThingShadow").code == "InvalidRequestException"
    with pytest.raises(AwsError, match="InvalidRequestException"):
        shadow_update(cloud, {"reported": "not an object"})


def test_fault_rules_apply_and_are_journaled(cloud: FakeCloud) -> None:
    rule = cloud.faults.add(
        provider="aws",
        operation="UpdateThingShadow",
        match={"thingName": "lamp"},
        error="ThrottlingException",
    )
    with pytest.raises(AwsError) as caught:
        shadow_update(cloud, {"reported": {"on": True}})
    assert (caught.value.code, caught.value.status) == ("ThrottlingException", 429)  # iot-data's status
    assert cloud.journal.last(operation="UpdateThingShadow").rule == rule.id
    assert "lamp" not in cloud.aws.account("123456789012", "us-east-1").table("shadows")


def test_a_lost_answer_still_commits(cloud: FakeCloud) -> None:
    cloud.faults.add(provider="aws", operation="UpdateThingShadow", lost_response=True, times=1)
    with pytest.raises(AnswerLost) as caught:
        shadow_update(cloud, {"reported": {"on": False}})
    assert json.loads(caught.value.output["payload"])["version"] == 1
    assert json.loads(shadow_update(cloud, {"reported": {"on": True}})["payload"])["version"] == 2


def test_an_async_transport_waits_the_delay_itself(cloud: FakeCloud) -> None:
    cloud.faults.add(provider="aws", operation="UpdateThingShadow", latency_ms=5000)
    invocation = Invocation(
        cloud,
        "aws",
        "UpdateThingShadow",
        {"thingName": "lamp", "payload": b'{"state":{"desired":{"a":1}}}'},
    )
    decision = invocation.decide()
    assert decision is not None and decision.delay == 5.0  # the broker sleeps on its loop, not here
    assert json.loads(invocation.complete(decision)["payload"])["state"]["desired"] == {"a": 1}


def test_operations_are_declared(cloud: FakeCloud) -> None:
    aws = cloud.providers["aws"]
    shadow = aws.declared("UpdateThingShadow")
    assert shadow.service == "iotdata"
    assert "thingName" in shadow.match_fields and "payload" not in shadow.match_fields
    thing = aws.declared("DescribeThing")
    assert thing.service == "iot" and thing.subject == ("thingName", "device") and not thing.self_locking
    assert aws.declared("CreateKeysAndCertificate").self_locking
    assert aws.declared("jobsdata:DescribeJobExecution").service == "iot-jobs-data"
    assert aws.declared("StartAuditMitigationActionsTask") is None  # modelled, not served
    assert cloud.providers["enos"].declared("CreateDevice") is None
    with pytest.raises(LookupError, match="cannot run"):
        cloud.invoke("enos", "CreateDevice", {})


def test_the_device_side_job_operations_run_too(cloud: FakeCloud) -> None:
    iot = client(cloud, "iot")
    iot.create_thing(thingName="lamp")
    arn = iot.describe_thing(thingName="lamp")["thingArn"]
    iot.create_job(jobId="j1", targets=[arn], document='{"op": "reboot"}')
    pending = cloud.invoke("aws", "jobsdata:GetPendingJobExecutions", {"thingName": "lamp"}, transport="MQTT")
    assert [j["jobId"] for j in pending["queuedJobs"]] == ["j1"]
    entry = cloud.journal.last(operation="GetPendingJobExecutions")
    assert entry.params["service"] == "iot-jobs-data"
