"""AWS errors on the wire as botocore parses them; bad bodies; operations the fake does not serve."""

from __future__ import annotations

import boto3
import pytest
import requests
from aws_helpers import SIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from iotfake import FakeCloud


def test_error_carries_type_header_request_id_and_message(aws_cloud: FakeCloud, aws_server, iot) -> None:
    answer = requests.get(f"{aws_server.url}/things/missing", headers=SIGNED, timeout=5)
    assert answer.status_code == 404
    assert answer.headers["x-amzn-ErrorType"] == "ResourceNotFoundException:"
    assert len(answer.headers["x-amzn-RequestId"]) == 36
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {
        "message": "Thing missing cannot be found.",
        "__type": "ResourceNotFoundException",
    }


def test_success_carries_a_request_id(iot) -> None:
    answer = iot.list_things()
    assert len(answer["ResponseMetadata"]["RequestId"]) == 36
    assert (
        answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        == answer["ResponseMetadata"]["RequestId"]
    )


def test_botocore_matches_modeled_exceptions_and_their_fields(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.describe_thing(thingName="nope")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    iot.create_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as caught:
        iot.create_thing(thingName="t1", attributePayload={"attributes": {"a": "b"}})
    thing = iot.describe_thing(thingName="t1")
    assert caught.value.response["resourceId"] == thing["thingId"]
    assert caught.value.response["resourceArn"] == thing["thingArn"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_malformed_json_body_is_an_invalid_request(aws_server, iot) -> None:
    answer = requests.post(f"{aws_server.url}/things/t1", data=b"{not json", headers=SIGNED, timeout=5)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "InvalidRequestException:"
    assert answer.json()["message"].startswith("Could not parse request body into json")
    assert iot.list_things()["things"] == []


def test_wrong_member_types_are_invalid_requests_naming_the_field(aws_server, iot) -> None:
    answer = requests.post(
        f"{aws_server.url}/things/t1",
        json={"attributePayload": {"attributes": {"a": 1}}, "thingTypeName": ["x"]},
        headers=SIGNED,
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        "2 validation errors detected: Value '[x]' at 'thingTypeName' failed to satisfy constraint: "
        "Member must be a string; Value '1' at 'attributePayload.attributes.a' failed to satisfy "
        "constraint: Member must be a string"
    )


def test_query_values_of_the_wrong_type_are_invalid_requests(aws_server, iot) -> None:
    answer = requests.get(f"{aws_server.url}/things?maxResults=ten", headers=SIGNED, timeout=5)
    assert answer.status_code == 400
    assert (
        "Value 'ten' at 'maxResults' failed to satisfy constraint: Member must be an integer" in answer.text
    )


def test_unserved_operation_of_the_model_answers_not_implemented(iot) -> None:
    with pytest.raises(ClientError) as caught:
        iot.list_fleet_metrics()
    error = caught.value.response["Error"]
    assert error["Code"] == "NotImplementedException"
    assert error["Message"] == "iotfake does not implement ListFleetMetrics (GET /fleet-metrics) yet"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_boto3_finds_the_fake_through_aws_endpoint_url_iot(
    aws_server, iot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_IOT", aws_server.url)
    client = boto3.client(
        "iot",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}),
    )
    client.create_thing(thingName="via-env")
    assert iot.describe_thing(thingName="via-env")["thingName"] == "via-env"


def test_journal_names_provider_operation_tenant_and_code(aws_cloud: FakeCloud, iot) -> None:
    iot.create_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing(thingName="t2")
    ok, failed = aws_cloud.journal.calls(provider="aws")
    assert (ok.operation, ok.outcome, ok.tenant, ok.params) == (
        "CreateThing",
        "ok",
        "123456789012/us-east-1",
        {"thingName": "t1", "account": "123456789012", "region": "us-east-1"},
    )
    assert (failed.operation, failed.outcome, failed.code, failed.status) == (
        "DescribeThing",
        "error",
        "ResourceNotFoundException",
        404,
    )


def test_a_json_null_member_is_an_absent_member() -> None:
    """Found by the AWS fuzzer: ``"serviceType": null`` was stored as None and DescribeDomainConfiguration
    then answered 500; AWS reads a null as the member not given (here: the default, DATA)."""
    from werkzeug.test import Client

    from iotfake import FakeCloud

    client = Client(FakeCloud(auth="off").wsgi_app)
    assert client.post("/domainConfigurations/d1", json={"serviceType": None}).status_code == 200
    described = client.get("/domainConfigurations/d1")
    assert described.status_code == 200 and described.json["serviceType"] == "DATA"
