"""Documents clients send inside a request (a shadow update, a job document, a fleet
provisioning request over MQTT): nested a thousand levels deep, holding NaN or Infinity, a lone
surrogate, an integer past Python's digit limit. Each is refused in the service's own terms (a
400, a ``rejected`` topic), never a 500 or a traceback, and nothing is stored: the standard
library's parser let NaN into a shadow, which then answered ``NaN`` (not JSON), and a deep
document exhausted Python's recursion (500)."""

from __future__ import annotations

import json

import pytest
from aws_helpers import in_process
from botocore.exceptions import ClientError

from iotfake import FakeCloud

DEEP = b'{"state": {"reported": ' + b'{"a": ' * 990 + b"1" + b"}" * 990 + b"}}"
HOSTILE = {
    "deep": DEEP,
    "NaN": b'{"state": {"reported": {"x": NaN}}}',
    "Infinity": b'{"state": {"desired": {"x": -Infinity}}}',
    "1e400": b'{"state": {"reported": {"x": 1e400}}}',
    "surrogate": b'{"state": {"reported": {"x": "\\ud800"}}}',
    "digits": b'{"state": {"reported": {"x": ' + b"9" * 5000 + b"}}}",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_shadow_update_is_a_400_and_stores_nothing(name: str) -> None:
    cloud = FakeCloud(seed=3)
    data = in_process(cloud, "iot-data", attempts=1)
    with pytest.raises(ClientError) as refused:
        data.update_thing_shadow(thingName="t1", payload=HOSTILE[name])
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidRequestException"
    expected = "JSON contains too many levels of nesting; maximum is 6" if name == "deep" else "Invalid JSON"
    assert error["Error"]["Message"] == expected
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        data.get_thing_shadow(thingName="t1")


def test_a_shadow_of_plain_numbers_and_text_answers_as_before() -> None:
    """The checks refuse only what is not JSON: big integers, small floats and non-ASCII text
    are stored and answered as the standard library writes them."""
    cloud = FakeCloud(seed=3)
    data = in_process(cloud, "iot-data", attempts=1)
    state = {"big": 2**70, "small": 1e-7, "text": "caf\u00e9 \u2603", "neg": -0.5}
    answer = data.update_thing_shadow(thingName="t1", payload=json.dumps({"state": {"reported": state}}))
    written = answer["payload"].read()
    assert b'"big":1180591620717411303424' in written and b'"small":1e-07' in written
    assert b'"text":"caf\\u00e9 \\u2603"' in written  # as json.dumps writes it
    only_ascii = data.update_thing_shadow(
        thingName="t2", payload=b'{"state": {"reported": {"d": "a\\u007fb"}}}'
    )
    assert b'"d":"a\\u007fb"' in only_ascii["payload"].read()  # DEL escaped too
    shown = json.loads(data.get_thing_shadow(thingName="t1")["payload"].read())
    assert shown["state"]["reported"] == state


@pytest.mark.parametrize(
    "document",
    ["[" * 5000 + "]" * 5000, '{"a": NaN}', '{"a": Infinity}', '{"a": "\\udc00"}'],
    ids=["deep", "NaN", "Infinity", "surrogate"],
)
def test_a_hostile_job_document_is_refused(document: str) -> None:
    cloud = FakeCloud(seed=3)
    iot = in_process(cloud, attempts=1)
    arn = iot.create_thing(thingName="t1")["thingArn"]
    with pytest.raises(ClientError) as refused:
        iot.create_job(jobId="j1", targets=[arn], document=document)
    assert refused.value.response["Error"] == {
        "Code": "InvalidRequestException",
        "Message": "The job document is not valid JSON.",
    }
    assert iot.list_jobs()["jobs"] == []


@pytest.mark.parametrize("name", ["deep", "NaN"])
def test_a_hostile_fleet_provisioning_request_is_rejected(name: str) -> None:
    from iotfake.providers.aws_iot.fleet_topics import respond

    cloud = FakeCloud(seed=3)
    aws = cloud.providers["aws"]
    tenant = aws.account("123456789012", "us-east-1")
    payload = b"[" * 5000 + b"]" * 5000 if name == "deep" else b'{"x": NaN}'
    ((topic, answer),) = respond(
        aws, tenant, "$aws/certificates/create/json", payload, certificate_id=None, client_id="c-1"
    )
    assert topic == "$aws/certificates/create/json/rejected"
    assert json.loads(answer) == {
        "statusCode": 400,
        "errorCode": "InvalidPayload",
        "errorMessage": "The payload is not valid JSON",
    }
    assert in_process(cloud).list_certificates()["certificates"] == []
