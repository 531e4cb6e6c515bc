"""AWS auth: the tenant from SigV4 (account from the key, region from the scope); lenient, strict, off."""

from __future__ import annotations

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.providers.aws_iot import auth

KEY, SECRET = "AKIAFAKESTRICT000001", "strict-secret"
ACCOUNT = {
    "accountId": "111122223333",
    "region": "eu-central-1",
    "accessKeys": [{"accessKeyId": KEY, "secretAccessKey": SECRET}],
}


def client(url: str, key: str = KEY, secret: str = SECRET, region: str = "eu-central-1"):
    return boto3.client(
        "iot",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def strict():
    cloud = FakeCloud(seed=3, auth="strict")
    with cloud.serve() as server:
        yield cloud, server


@pytest.fixture
def strict_cloud(strict):
    cloud, server = strict
    cloud.reset()
    cloud.seed({"aws": {"accounts": [ACCOUNT]}})
    return cloud, server.url


def test_lenient_needs_a_sigv4_authorization_header(aws_server, iot) -> None:
    answer = requests.get(f"{aws_server.url}/things", timeout=5)
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException:"
    assert answer.json()["message"] == "Missing Authentication Token"
    garbled = requests.get(f"{aws_server.url}/things", headers={"Authorization": "Bearer x"}, timeout=5)
    assert garbled.status_code == 400
    assert garbled.headers["x-amzn-ErrorType"] == "IncompleteSignatureException:"


def test_lenient_takes_any_key_and_the_region_from_the_scope(aws_cloud: FakeCloud, aws_server, iot) -> None:
    other = client(aws_server.url, key="AKIAANYTHING0000000", secret="whatever", region="ap-southeast-2")
    created = other.create_thing(thingName="t1")
    assert created["thingArn"] == "arn:aws:iot:ap-southeast-2:123456789012:thing/t1"
    assert aws_cloud.journal.calls(operation="CreateThing")[-1].tenant == "123456789012/ap-southeast-2"


def test_seeded_keys_name_their_account(aws_cloud: FakeCloud, aws_server, iot) -> None:
    aws_cloud.seed({"aws": {"accounts": [ACCOUNT]}})
    created = client(aws_server.url).create_thing(thingName="t1")
    assert created["thingArn"] == "arn:aws:iot:eu-central-1:111122223333:thing/t1"
    in_another_region = client(aws_server.url, region="us-west-2").create_thing(thingName="t1")
    assert in_another_region["thingArn"] == "arn:aws:iot:us-west-2:111122223333:thing/t1"


def test_strict_accepts_correct_signatures_on_every_request_shape(strict_cloud) -> None:
    _, url = strict_cloud
    iot = client(url)
    iot.create_thing(thingName="a:b_c-1", attributePayload={"attributes": {"k": "v/w:x#y=[z]"}})
    listed = iot.list_things(attributeName="k", attributeValue="v/w:x#y=[z]", maxResults=5)
    assert [t["thingName"] for t in listed["things"]] == ["a:b_c-1"]
    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.attach_thing_principal(thingName="a:b_c-1", principal=cert["certificateArn"])  # a header member
    iot.create_policy(
        policyName="p+=,.@-1", policyDocument='{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'
    )
    iot.attach_policy(policyName="p+=,.@-1", target=cert["certificateArn"])
    attached = iot.list_attached_policies(target=cert["certificateArn"])  # an ARN in the path
    assert [p["policyName"] for p in attached["policies"]] == ["p+=,.@-1"]
    assert iot.describe_thing(thingName="a:b_c-1")["thingArn"].startswith(
        "arn:aws:iot:eu-central-1:111122223333:"
    )


def test_strict_refuses_a_wrong_secret(strict_cloud) -> None:
    _, url = strict_cloud
    iot = client(url, secret="wrong")
    with pytest.raises(iot.exceptions.ClientError) as caught:
        iot.list_things()
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidSignatureException"
    assert error["Message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_strict_refuses_unknown_keys(strict_cloud) -> None:
    _, url = strict_cloud
    iot = client(url, key="AKIAUNKNOWN000000000")
    with pytest.raises(iot.exceptions.ClientError) as caught:
        iot.list_things()
    assert caught.value.response["Error"] == {
        "Code": "UnrecognizedClientException",
        "Message": "The security token included in the request is invalid.",
    }


def test_strict_refuses_a_tampered_body(strict_cloud) -> None:
    _, url = strict_cloud
    request = AWSRequest(
        method="POST", url=f"{url}/things/t1", data=b"{}", headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials(KEY, SECRET), "iot", "eu-central-1").add_auth(request)
    prepared = request.prepare()
    answer = requests.post(
        prepared.url, data=b'{"thingTypeName":"x"}', headers=dict(prepared.headers), timeout=5
    )
    assert answer.headers["x-amzn-ErrorType"] == "InvalidSignatureException:"
    ok = requests.post(prepared.url, data=b"{}", headers=dict(prepared.headers), timeout=5)
    assert ok.status_code == 200


def test_strict_verifies_in_process_requests_without_a_raw_uri(strict_cloud) -> None:
    cloud, _ = strict_cloud
    url = "http://localhost/things/a:b/principals"
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(KEY, SECRET), "iot", "eu-central-1").add_auth(request)
    prepared = request.prepare()
    answer = Client(cloud.wsgi_app).get(prepared.url, headers=dict(prepared.headers))
    assert answer.headers["x-amzn-ErrorType"] == "ResourceNotFoundException:"


def test_off_needs_no_credentials() -> None:
    cloud = FakeCloud(auth="off")
    answer = Client(cloud.wsgi_app).post("/things/t1", json={})
    assert answer.status_code == 200
    assert answer.json["thingArn"] == "arn:aws:iot:us-east-1:123456789012:thing/t1"


def test_strict_sorts_the_query_before_checking_the_signature(strict_cloud) -> None:
    """SigV4 signs the query sorted by name whatever order the URL has: boto3 always sends it
    sorted, so only a hand-built request shows whether the fake sorts before it verifies."""
    cloud, url = strict_cloud
    thing = {"thingName": "t1", "attributes": {"k": "v"}}
    cloud.seed({"aws": {"accounts": [{**ACCOUNT, "things": [thing]}]}})
    unsorted = f"{url}/things?maxResults=5&attributeValue=v&attributeName=k"
    request = AWSRequest(method="GET", url=unsorted)
    SigV4Auth(Credentials(KEY, SECRET), "iot", "eu-central-1").add_auth(request)
    prepared = request.prepare()
    assert prepared.url == unsorted  # sent in this order; signed sorted
    answer = requests.get(prepared.url, headers=dict(prepared.headers), timeout=5)
    assert answer.status_code == 200, answer.text
    assert [t["thingName"] for t in answer.json()["things"]] == ["t1"]


class ScopeDatedSigner(SigV4Auth):
    """Signs honestly over a credential scope dated ``scope_date`` while ``X-Amz-Date`` keeps the
    real timestamp: only the rule that the two dates agree can refuse the request."""

    def __init__(self, scope_date: str) -> None:
        super().__init__(Credentials(KEY, SECRET), "iot", "eu-central-1")
        self.scope_date = scope_date

    def _dated(self, request: AWSRequest, sign):
        real = request.context["timestamp"]
        request.context["timestamp"] = self.scope_date + real[8:]
        try:
            return sign(request)
        finally:
            request.context["timestamp"] = real

    def scope(self, request):
        return self._dated(request, super().scope)

    def credential_scope(self, request):
        return self._dated(request, super().credential_scope)

    def signature(self, string_to_sign, request):
        return self._dated(request, lambda r: super(ScopeDatedSigner, self).signature(string_to_sign, r))


def test_strict_refuses_a_scope_dated_another_day_than_x_amz_date(strict_cloud) -> None:
    """AWS's own example: X-Amz-Date 20151014T235959Z with a scope dated 20151015 is refused,
    even though it is a second away (docs: "Handling dates in Signature Version 4")."""
    _, url = strict_cloud
    request = AWSRequest(method="GET", url=f"{url}/things")
    with freeze_time("2015-10-14 23:59:59"):
        ScopeDatedSigner("20151015").add_auth(request)
    prepared = request.prepare()
    assert prepared.headers["X-Amz-Date"] == "20151014T235959Z"
    assert f"Credential={KEY}/20151015/eu-central-1/iot/aws4_request" in prepared.headers["Authorization"]
    answer = requests.get(prepared.url, headers=dict(prepared.headers), timeout=5)
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"] == "InvalidSignatureException:"
    # the wording of AWS's "Troubleshoot signed requests for AWS APIs" page
    assert answer.json()["message"].startswith(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP"
    )


def test_strict_refuses_a_signature_scoped_to_another_service(strict_cloud) -> None:
    _, url = strict_cloud
    request = AWSRequest(method="GET", url=f"{url}/things")
    SigV4Auth(Credentials(KEY, SECRET), "s3", "eu-central-1").add_auth(request)
    prepared = request.prepare()
    answer = requests.get(prepared.url, headers=dict(prepared.headers), timeout=5)
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"] == "InvalidSignatureException:"
    # AWS's wording ("Troubleshoot signed requests for AWS APIs"), naming the service it expects
    assert answer.json()["message"] == "Credential should be scoped to correct service: 'iot'."


def test_the_data_plane_takes_requests_signed_for_iotdevicegateway(strict_cloud) -> None:
    """curl --aws-sigv4 "aws:amz:<region>:iotdevicegateway" and the WebSocket endpoint sign for the
    device gateway's name: the data plane routes and verifies them as iot-data's."""
    _, url = strict_cloud
    body = b'{"state":{"reported":{"on":true}}}'
    request = AWSRequest(method="POST", url=f"{url}/things/lamp/shadow", data=body)
    SigV4Auth(Credentials(KEY, SECRET), "iotdevicegateway", "eu-central-1").add_auth(request)
    prepared = request.prepare()
    answer = requests.post(prepared.url, data=body, headers=dict(prepared.headers), timeout=5)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == {"reported": {"on": True}}
    request = AWSRequest(method="GET", url=f"{url}/things/lamp/shadow")
    SigV4Auth(Credentials(KEY, SECRET), "iotdevicegateway", "eu-central-1").add_auth(request)
    prepared = request.prepare()
    read = requests.get(prepared.url, headers=dict(prepared.headers), timeout=5)
    assert read.status_code == 200 and read.json()["version"] == 1


@given(
    st.lists(
        st.sampled_from(["AKID", "/", ",", " ", "=", ";", "aws4_request", "iot", "x", "\t", "Signature"]),
        max_size=8,
    ).map("".join),
    st.sampled_from(
        [
            "AWS4-HMAC-SHA256 Credential={}/20261205/us-east-1/iot/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc{}",
            "AWS4-HMAC-SHA256 Credential=AKID/{}/us-east-1/iot/aws4_request, SignedHeaders={}, Signature=ff",
            "AWS4-HMAC-SHA256 Credential=AKID/20261205/{}/iot/aws4_request,SignedHeaders=h, Signature={}",
            "AWS4-HMAC-SHA256 {}Credential=A/d/r/s/aws4_request, SignedHeaders=h, Signature=s{}",
        ]
    ),
)
def test_the_canonical_fast_path_reads_what_the_general_parse_reads(part: str, template: str) -> None:
    header = template.format(part, part)
    general = auth._parse_fields(header)
    assert auth.parse(header) == general


def test_a_remembered_scope_still_reads_each_calls_own_signature() -> None:
    head = "AWS4-HMAC-SHA256 Credential=AKID/20261205/eu-west-1/iot/aws4_request, SignedHeaders=host"
    first, second = auth.parse(head + ", Signature=aa11"), auth.parse(head + ", Signature=bb22")
    assert first is not None and second is not None
    assert (first.signature, second.signature) == ("aa11", "bb22")
    assert first[:5] == second[:5] == ("AKID", "20261205", "eu-west-1", "iot", ("host",))
    odd = head + ", Signature=a+b"  # not hex: read by the regex, as before the scope was remembered
    assert auth.parse(odd) == auth._parse_fields(odd)
