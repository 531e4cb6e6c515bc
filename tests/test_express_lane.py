"""The express lane (in-process calls served without building an environ first) answers exactly
as the general path does: the same bytes, the same journal, the same state, for well-formed calls
and for every kind of bad one, on every provider. Each scenario runs twice, on two clouds with the
same seed and a frozen clock: once as the transports send it (the lane takes what it can) and
once with the lane closed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from unittest import mock

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_transports_environ import ContentType

from iotfake import FakeCloud
from iotfake.app import App
from iotfake.environ import HeaderFields, SessionHeaders
from iotfake.transports import call_wsgi, requests_session, route_botocore

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261205/us-east-1/iot/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123abcd"
)
HEADERS = [("Host", "iotfake"), ("X-Amz-Date", "20261205T000000Z"), ("Authorization", SIGNED)]


@contextmanager
def lane(open_: bool) -> Iterator[list[Any]]:
    """Count the calls the lane answered; with ``open_`` False, close it."""
    taken: list[Any] = []
    real = App.express

    def spy(self: App, *args: Any) -> Any:
        reply = real(self, *args) if open_ else None
        if reply is not None:
            taken.append(args[:2])
        return reply

    with mock.patch.object(App, "express", spy):
        yield taken


def journal(cloud: FakeCloud) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in dataclasses.asdict(e).items() if k != "duration_ms"} | {"outcome": e.outcome}
        for e in cloud.journal.calls()
    ]


@contextmanager
def frozen_cloud(auth: str) -> Iterator[FakeCloud]:
    """A seed-7 cloud under freezegun, which also freezes the time boto3 signs with."""
    with freeze_time("2026-12-05 12:00:00"):
        yield FakeCloud(seed=7, auth=auth)


def both(
    scenario: Callable[[FakeCloud], list[Any]],
    auth: str = "lenient",
    clouds: Callable[[str], AbstractContextManager[FakeCloud]] = frozen_cloud,
) -> tuple[list[Any], int]:
    """Run ``scenario`` with the lane open and closed, each time on a cloud ``clouds(auth)``
    makes; assert everything observable is equal. Returns the answers and how many calls the
    lane took (the differential fuzzing in tests/reliability runs its drawn calls through here)."""
    runs = []
    for open_ in (True, False):
        with clouds(auth) as cloud, lane(open_) as taken:
            seen = {
                "answers": scenario(cloud),
                "journal": journal(cloud),
                "state": cloud.snapshot(),
                "generation": cloud.generation,
            }
            runs.append((seen, len(taken)))
    (fast, count), (slow, closed) = runs
    assert closed == 0
    for what, value in fast.items():
        assert value == slow[what], what
    return fast["answers"], count


def raw(
    cloud: FakeCloud, method: str, path: str, body: bytes | str | None = None, headers: Any = None
) -> Any:
    status, answer_headers, content = call_wsgi(
        cloud.wsgi_app, method, "http://iotfake" + path, HEADERS if headers is None else headers, body
    )
    return status, sorted(answer_headers.items()), content


def boto3_calls(cloud: FakeCloud) -> list[Any]:
    import boto3
    from botocore.exceptions import ClientError

    client = route_botocore(
        boto3.client(
            "iot",
            endpoint_url="http://iotfake",
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="x",
        ),
        cloud,
    )
    out: list[Any] = []

    def call(name: str, **kwargs: Any) -> None:
        try:
            answer = getattr(client, name)(**kwargs)
            answer.pop("ResponseMetadata")["HTTPHeaders"]
            out.append((name, answer))
        except ClientError as exc:
            out.append((name, exc.response["Error"], exc.response["ResponseMetadata"]["HTTPStatusCode"]))

    call("create_thing_type", thingTypeName="meter", thingTypeProperties={"searchableAttributes": ["a"]})
    call("create_thing", thingName="t1", thingTypeName="meter", attributePayload={"attributes": {"a": "1"}})
    call("create_thing", thingName="t1")  # exists with other attributes
    call("create_thing", thingName="t1", thingTypeName="meter", attributePayload={"attributes": {"a": "1"}})
    call("create_thing", thingName="t2", thingTypeName="missing")
    call("create_thing", thingName="bad name!")
    call("describe_thing", thingName="t1")
    call("describe_thing", thingName="nope")
    call("update_thing", thingName="t1", attributePayload={"attributes": {"b": "2"}, "merge": True})
    call("update_thing", thingName="t1", expectedVersion=1, attributePayload={"attributes": {}})
    call("create_thing_group", thingGroupName="g1")
    call("add_thing_to_thing_group", thingGroupName="g1", thingName="t1")
    call("describe_thing_group", thingGroupName="g1")
    call(
        "create_policy",
        policyName="p1",
        policyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    call("get_policy", policyName="p1")
    call("create_billing_group", billingGroupName="b1")
    call("create_thing", thingName="t3", billingGroupName="b1")
    call("create_thing", thingName="t4", billingGroupName="no-such-group")
    call("describe_thing", thingName="t3")
    call("list_things")
    call("delete_thing", thingName="t3")
    call("delete_thing_type", thingTypeName="meter")
    call("describe_endpoint", endpointType="iot:Data-ATS")
    return out


def test_boto3_calls_answer_the_same_on_both_paths() -> None:
    answers, taken = both(boto3_calls)
    assert taken >= 15, "the lane should take most of these calls"
    assert ("describe_thing", {"Code": "ResourceNotFoundException"}) not in answers  # shapes are full


def query_and_payload_calls(cloud: FakeCloud) -> list[Any]:
    """Operations read from the query string and a raw payload (the shadows, listings), through
    boto3's ``iot`` and ``iot-data`` clients, well formed and not."""
    import boto3
    from botocore.exceptions import ClientError

    def client(service: str) -> Any:
        made = boto3.client(
            service,
            endpoint_url="http://iotfake",
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="x",
        )
        return route_botocore(made, cloud)

    iot, data = client("iot"), client("iot-data")
    out: list[Any] = []

    def call(on: Any, name: str, **kwargs: Any) -> None:
        try:
            answer = getattr(on, name)(**kwargs)
            answer.pop("ResponseMetadata")
            if "payload" in answer:
                answer["payload"] = answer["payload"].read()
            out.append((name, answer))
        except ClientError as exc:
            out.append((name, exc.response["Error"], exc.response["ResponseMetadata"]["HTTPStatusCode"]))

    for name in ("s1", "s2", "s3"):
        call(iot, "create_thing", thingName=name, attributePayload={"attributes": {"k": name}})
    call(iot, "list_things", maxResults=2)
    call(iot, "list_things", attributeName="k", attributeValue="s2")
    call(iot, "list_things", maxResults=250)
    call(iot, "list_things", nextToken="not-a-token")
    call(iot, "list_thing_principals", thingName="s1", maxResults=5)
    call(iot, "delete_thing", thingName="s3", expectedVersion=7)
    call(iot, "delete_thing", thingName="s3", expectedVersion=1)
    call(data, "update_thing_shadow", thingName="s1", payload=b'{"state": {"reported": {"t": 1}}}')
    call(
        data,
        "update_thing_shadow",
        thingName="s1",
        shadowName="cfg",
        payload=b'{"state": {"desired": {"m": 2}}}',
    )
    call(
        data,
        "update_thing_shadow",
        thingName="s1",
        payload=b'{"state": {"reported": {"t": 2}}, "version": 9}',
    )
    call(data, "update_thing_shadow", thingName="s1", payload=b"not json")
    call(data, "update_thing_shadow", thingName="s1", payload=b"[]")
    call(data, "update_thing_shadow", thingName="s1", shadowName="bad name!", payload=b"{}")
    call(data, "update_thing_shadow", thingName="s1", shadowName="a+b", payload=b'{"state": {}}')
    call(data, "get_thing_shadow", thingName="s1")
    call(data, "get_thing_shadow", thingName="s1", shadowName="cfg")
    call(data, "get_thing_shadow", thingName="s1", shadowName="none")
    call(data, "get_thing_shadow", thingName="nobody")
    call(data, "list_named_shadows_for_thing", thingName="s1", pageSize=1)
    call(data, "delete_thing_shadow", thingName="s1", shadowName="cfg")
    call(data, "delete_thing_shadow", thingName="s1", shadowName="cfg")
    return out


@pytest.mark.parametrize("auth", ["off", "lenient", "strict"])
def test_query_and_payload_operations_answer_the_same(auth: str) -> None:
    answers, taken = both(query_and_payload_calls, auth=auth)
    assert len(answers) == 24
    if auth != "strict":
        assert taken >= 20, "the lane should take most of these calls"


@pytest.mark.parametrize("auth", ["off", "lenient", "strict"])
def test_auth_modes_answer_the_same(auth: str) -> None:
    def scenario(cloud: FakeCloud) -> list[Any]:
        return [
            raw(cloud, "POST", "/things/a1", b"{}"),
            raw(cloud, "GET", "/things/a1"),
            raw(cloud, "POST", "/things/a2", b"{}", headers=[("Host", "iotfake")]),  # unsigned
            raw(cloud, "POST", "/things/a3", b"{}", headers=[("Authorization", "AWS4-HMAC-SHA256 junk")]),
        ]

    _, taken = both(scenario, auth=auth)
    assert taken == 4


BAD_BODIES = [
    b"",
    b"   ",
    b"{",
    b"[]",
    b'"text"',
    b"null",
    b'{"thingTypeName": null}',
    b'{"thingTypeName": 5}',
    b'{"attributePayload": {"attributes": {"k": 1}}}',
    b'{"attributePayload": {"attributes": {"k": "v"}, "merge": "yes"}}',
    b'{"billingGroupName": ""}',
    b"\xff\xfe",
    '{"thingTypeName": "caf\u00e9"}'.encode(),
    b'{"unknown": {"deep": [1, 2, 3]}}',
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_odd_bodies_answer_the_same(body: bytes) -> None:
    def scenario(cloud: FakeCloud) -> list[Any]:
        return [raw(cloud, "POST", "/things/odd", body), raw(cloud, "GET", "/things/odd")]

    both(scenario)


def test_odd_requests_answer_the_same() -> None:
    def scenario(cloud: FakeCloud) -> list[Any]:
        twice = [*HEADERS, ("authorization", SIGNED)]
        return [
            raw(cloud, "POST", "/things/q1?x=1&x=2&y", b"{}"),  # a query
            raw(cloud, "POST", "/things/q%31", b"{}"),  # an escape to decode (general path)
            raw(cloud, "POST", "/things/q\u00e9", b"{}"),  # an IRI (general path)
            raw(cloud, "GET", "/things?thingTypeName=%41"),  # an escaped query
            raw(cloud, "GET", "/things?attributeName=a+b&attributeValue=%ff%2"),  # + and bad escapes
            raw(cloud, "GET", "/things?maxResults=%32&maxResults=1&&=x"),
            raw(cloud, "GET", "/endpoint?endpointType=iot%3AData-ATS"),
            raw(cloud, "POST", "/things/q2/", b"{}"),  # werkzeug's slash rules (general path)
            raw(cloud, "POST", "/things/q3", b"{}", headers=twice),  # a repeated header
            raw(cloud, "POST", "/things/q4", b"{}", headers=[*HEADERS, ("x-amzn-principal", "cert")]),
            raw(cloud, "POST", "/things/q5", b"{}", headers=[*HEADERS, ("Transfer-Encoding", "chunked")]),
            raw(cloud, "POST", "/things/q6", b"x" * (cloud.max_body + 1)),
            raw(cloud, "GET", "/things?maxResults=1"),
            raw(cloud, "GET", "/things?maxResults=zero"),
            raw(cloud, "DELETE", "/no/such/route"),
            raw(cloud, "PUT", "/things/q7", b"{}"),  # a method the route does not take
            raw(cloud, "GET", "/_iotfake/health"),  # the admin API (general path)
            raw(cloud, "HEAD", "/things/q1"),
            raw(cloud, "GET", "/things/q1/shadow?name=x"),  # iot-data, signed for iot
            raw(cloud, "POST", "/topics/a%2Fb?qos=1", b"raw bytes"),  # a raw payload
            # headers as an iterator, which the lane reads before it hands the call back
            raw(
                cloud, "POST", "/things/q8", b"{}", headers=iter([*HEADERS, ("Transfer-Encoding", "chunked")])
            ),
            raw(cloud, "POST", "/things/q9", b"{}", headers=iter(HEADERS)),
            raw(cloud, "POST", "/things/q10", memoryview(b'{"thingTypeName": null}')),
            raw(cloud, "POST", "/things/q11", bytearray(b"{}")),
        ]

    both(scenario)


def test_header_values_that_are_not_text_answer_the_same() -> None:
    """A value that is neither text nor bytes (Python callers can pass one; botocore's fallback
    passes it on) on a compiled route: both paths read it as werkzeug's Headers writes it
    (``str(value)``), so it is answered as that text would be, not by an internal error (found by
    a differential fuzzer: the lane raised, the general path answered 500)."""

    def scenario(cloud: FakeCloud) -> list[Any]:
        token = cloud.scriptr("acme").token
        return [
            raw(cloud, "POST", "/things/n1", b"{}", headers={"Authorization": 5}),
            raw(cloud, "POST", "/things/n2", b"{}", headers=[("Authorization", None)]),
            raw(
                cloud,
                "POST",
                "/scriptr/device/get",
                b'{"id": "a"}',
                headers=[("Authorization", f"bearer {token}"), ("Content-Type", None)],
            ),
            # the transports' own pre-read fields, given bytes (botocore's reader decodes them):
            # a compiled bind that raises hands the call to the general path, which answers it
            raw(cloud, "POST", "/things/n3", b"{}", headers=HeaderFields({"HTTP_AUTHORIZATION": b"AWS4"})),
        ]

    answers, _ = both(scenario)
    # "5" and "None" are no signature; bytes where text must be are the fake's own error
    assert [status for status, _, _ in answers] == [400, 400, 200, 500]


def test_a_str_enum_header_reads_as_its_text_whatever_came_before() -> None:
    """A str Enum value is text: read as it is, not through str() (which gives "ContentType.FORM"),
    so a session that sent the equal plain text first, remembered by equality, reads the same."""

    def scenario(cloud: FakeCloud) -> list[Any]:
        token = cloud.scriptr("acme").token
        out = []
        for kind in ("application/x-www-form-urlencoded", ContentType.FORM, ContentType.FORM):
            headers = SessionHeaders([("Authorization", f"bearer {token}"), ("Content-Type", kind)])
            out.append(raw(cloud, "POST", "/scriptr/device/save", b"id=d1&name=x", headers=headers))
        return out

    answers, _ = both(scenario)
    assert [status for status, _, _ in answers] == [200, 200, 200]


def test_a_port_int_cannot_read_answers_the_same() -> None:
    """``http://iotfake:\u00b2/...``: ``str.isdigit`` says yes and ``int`` no. Both paths take
    the scheme's port, as werkzeug's ``server_port`` does for a port it cannot read."""

    def scenario(cloud: FakeCloud) -> list[Any]:
        out = []
        for url in ("http://iotfake:\u00b2/things/p1", "http://iotfake:\u00b2/things"):
            status, headers, content = call_wsgi(
                cloud.wsgi_app, "POST" if url.endswith("p1") else "GET", url, HEADERS, b"{}"
            )
            out.append((status, sorted(headers.items()), content))
        return out

    answers, taken = both(scenario)
    assert [status for status, _, _ in answers] == [200, 200]
    assert taken == 2


ENOS = "/connect-service/v2.1"
ENOS_TOKEN = [("apim-accesstoken", "t1"), ("Content-Type", "application/json")]
PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json"}


def enos_calls(cloud: FakeCloud) -> list[Any]:
    http = requests_session(cloud)
    out: list[Any] = []

    def call(method: str, path: str, body: Any = None, headers: Any = None) -> None:
        answer = http.request(
            method, path, json=body, headers=dict(ENOS_TOKEN if headers is None else headers)
        )
        out.append((answer.status_code, sorted(answer.headers.items()), answer.content))

    call("POST", f"{ENOS}/products?action=create&orgId=o1", {**PRODUCT, "modelId": "m"})
    product = json.loads(out[-1][2])["data"]
    device = {
        "productKey": product,
        "deviceKey": "d1",
        "timezone": "+08:00",
        "deviceName": {"defaultValue": "d"},
    }
    call("POST", f"{ENOS}/devices?action=create&orgId=o1", device)
    call("POST", f"{ENOS}/devices?action=create&orgId=o1", device)  # 11702
    call("GET", f"{ENOS}/devices?action=get&orgId=o1&productKey={product}&deviceKey=d1")
    call("GET", f"{ENOS}/devices?action=get&orgId=o1&productKey={product}&deviceKey=nope")
    call("GET", f"{ENOS}/devices?action=get&orgId=o1&assetId=")
    call("POST", f"{ENOS}/devices?action=create", device)  # no orgId
    call("POST", f"{ENOS}/devices?action=frobnicate&orgId=o1", device)
    call("POST", f"{ENOS}/devices?orgId=o1", device)  # no action
    call("POST", f"{ENOS}/devices?action=create&orgId=o1", device, headers=[])  # no token
    call(
        "POST", f"{ENOS}/devices?action=update&orgId=o1&productKey={product}&deviceKey=d1", {"deviceName": 5}
    )
    call("POST", f"{ENOS}/devices?action=delete&orgId=o1&productKey={product}&deviceKey=d1")
    call("GET", f"{ENOS}/products?action=get&orgId=o1&productKey={product}")
    call("POST", "/apim-token-service/v2.0/token/get", {"appKey": "nope", "encryption": "x", "timestamp": 1})
    return out


def test_enos_calls_answer_the_same() -> None:
    _, taken = both(enos_calls)
    assert taken >= 12


def scriptr_calls(cloud: FakeCloud) -> list[Any]:
    http = requests_session(cloud)
    token = cloud.scriptr("acme").token
    bearer = {"Authorization": f"bearer {token}"}
    out: list[Any] = []

    def call(path: str, headers: Any = None, **kwargs: Any) -> None:
        answer = http.post(f"/scriptr/{path}", headers=bearer if headers is None else headers, **kwargs)
        out.append((answer.status_code, sorted(answer.headers.items()), answer.content))

    call("device/create", json={"id": "s1", "name": "s1", "password": "pw-123456"})
    call("device/create", json={"id": "s1", "name": "s1", "password": "pw-123456"})  # exists
    call("device/create", data={"id": "s2", "name": "s2", "password": "pw-123456"})  # a form
    call("device/get", json={"id": "s1"})
    call("device/get", json={"id": "nope"})
    call("device/get", data=b"{not json", headers={**bearer, "Content-Type": "application/json"})
    call("device/update", json={"id": "s1", "name": "renamed"})
    call("device/query", json={"query": 'name="renamed"'})
    call("device/generateToken", json={"id": "s1"})
    call("device/delete", json={"id": "s2"})
    call("device/get", json={"id": "s1"}, headers={})  # no token
    call("device/get", json={"id": "s1"}, headers={"Authorization": "bearer wrong"})
    return out


def test_scriptr_calls_answer_the_same() -> None:
    _, taken = both(scriptr_calls)
    assert taken >= 10


def test_fault_rules_send_calls_to_the_general_path() -> None:
    def scenario(cloud: FakeCloud) -> list[Any]:
        cloud.faults.add(
            {"provider": "aws", "operation": "DescribeThing", "action": {"error": "ThrottlingException"}}
        )
        return [raw(cloud, "POST", "/things/f1", b"{}"), raw(cloud, "GET", "/things/f1")]

    answers, taken = both(scenario)
    assert taken == 0
    assert b"ThrottlingException" in answers[1][2]


def test_a_handler_crash_is_answered_and_journaled_the_same() -> None:
    def scenario(cloud: FakeCloud) -> list[Any]:
        with mock.patch("iotfake.providers.aws_iot.things.wire", side_effect=RuntimeError("boom")):
            return [raw(cloud, "POST", "/things/c1", b"{}"), raw(cloud, "GET", "/things/c1")]

    answers, taken = both(scenario)
    assert taken == 2
    assert answers[1][0] == 500


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(alphabet=st.sampled_from("ab:_-9é!"), min_size=0, max_size=5),
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=4),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["thingTypeName", "attributePayload", "attributes", "merge", "x"]),
                inner,
                max_size=3,
            )
        ),
        max_leaves=6,
    ),
)
def test_any_create_answers_the_same(name: str, body: Any) -> None:
    encoded = json.dumps(body).encode()

    def scenario(cloud: FakeCloud) -> list[Any]:
        return [raw(cloud, "POST", f"/things/{name}", encoded), raw(cloud, "GET", f"/things/{name}")]

    both(scenario)


def test_the_app_still_answers_a_plain_werkzeug_request() -> None:
    """``App.dispatch`` is handed werkzeug's own Request by some callers: providers must not need
    iotfake's (scriptr reads its in-process account through ``request.server_value``)."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request as WerkzeugRequest

    from iotfake.providers.scriptr.auth import ENVIRON_ACCOUNT

    cloud = FakeCloud(seed=7)
    cloud.scriptr("acme")
    builder = EnvironBuilder(
        path="/scriptr/device/create",
        method="POST",
        json={"id": "w1", "name": "w1", "password": "pw-123456"},
        environ_overrides={ENVIRON_ACCOUNT: "acme"},
    )
    answer = cloud.wsgi_app.dispatch(WerkzeugRequest(builder.get_environ()))
    assert answer.status_code == 200, answer.get_data()
    assert json.loads(answer.get_data())["response"]["metadata"]["status"] == "success"


ENOS_ODD = [
    ("POST", "/devices?action=create&orgId=o1", b""),
    ("POST", "/devices?action=create&orgId=o1", b"{"),
    ("POST", "/devices?action=create&orgId=o1", b"[]"),
    ("POST", "/devices?action=create&orgId=o1", b'{"productKey": 5, "deviceKey": ["x"]}'),
    ("POST", "/devices?action=create&orgId=o1", b"\xff\xfe"),
    ("POST", "/devices?action=create&orgId=o1&deviceKey=q", b'{"deviceKey": "b"}'),  # the query wins
    ("POST", "/devices?action=create&action=get&orgId=o1&orgId=o2", b"{}"),  # the first of each
    ("POST", "/devices?action=create&orgId=", b"{}"),
    ("POST", "/devices?action=&orgId=o1", b"{}"),
    ("POST", "/devices?action=get&orgId=o%31&assetId=a%2Bb", b""),  # escapes: werkzeug's parsing
    ("POST", "/devices?action=get&orgId=o1&assetId=a+b", b""),
    ("GET", "/devices?action=get&orgId=o1&assetId=x", b'{"deviceKey": "in-a-get-body"}'),
    ("GET", "/devices?action=search&orgId=o1", b""),
    ("POST", "/products?action=get&orgId=o1&productKey=", b""),
    ("POST", "/products?action=delete&orgId=o1&productKey=nope", b""),
    ("POST", "/products?action=search&orgId=o1", b"{}"),
]


@pytest.mark.parametrize("auth", ["off", "lenient", "strict"])
def test_odd_enos_calls_answer_the_same(auth: str) -> None:
    """EnOS's compiled routes answer as its bind -> authenticate -> handle would, odd calls and
    refused tokens included (``test_enos_compiled`` says which ones they take)."""

    def scenario(cloud: FakeCloud) -> list[Any]:
        out = [
            raw(cloud, method, f"{ENOS}{path}", body, headers=ENOS_TOKEN) for method, path, body in ENOS_ODD
        ]
        out += [raw(cloud, method, f"{ENOS}{path}", body, headers=[]) for method, path, body in ENOS_ODD[:3]]
        return out

    both(scenario, auth=auth)


SCRIPTR_ODD = [
    ("POST", "device/create", b'{"id": "o1", "name": "o1", "password": "pw-123456"}', "application/json"),
    ("POST", "device/get", b'{"id": "o1"}', "text/plain"),  # not a form: read as JSON
    ("POST", "device/get", b"{", "application/json"),
    ("POST", "device/get", b"[1]", "application/json"),
    ("POST", "device/get", b"", "application/json"),
    ("POST", "device/get", b"id=o1", "application/x-www-form-urlencoded"),
    ("POST", "device/create", b'{"id": "o2"}', "application/x-www-form-urlencoded"),  # JSON as a form
    ("POST", "device/get?id=o1", b"", None),
    ("POST", "device/get?id=o1&id=o2", b"", None),  # a repeated name: a list
    ("POST", "device/get?id=q", b'{"id": "o1"}', "application/json"),  # the body wins
    ("GET", "device/get?id=o%31", b"", None),  # an escape: werkzeug's parsing
    ("GET", "device/get?id=o1&auth_token=nope", b"", None),
    ("POST", "device/frobnicate", b"{}", "application/json"),
    ("POST", "device/get", b'{"id": 5}', "application/json"),
    ("POST", "device/query", b'{"query": "name=\\"o1\\""}', "application/json"),
]


@pytest.mark.parametrize("auth", ["off", "lenient", "strict"])
def test_odd_scriptr_calls_answer_the_same(auth: str) -> None:
    """scriptr's compiled route answers as its bind -> authenticate -> handle would."""

    def scenario(cloud: FakeCloud) -> list[Any]:
        token = cloud.scriptr("acme").token
        out = []
        for method, path, body, content_type in SCRIPTR_ODD:
            for headers in ([("Authorization", f"bearer {token}")], [], [("Authorization", "Bearer nope")]):
                typed = headers + ([("Content-Type", content_type)] if content_type else [])
                out.append(raw(cloud, method, f"/scriptr/{path}", body, headers=typed))
        return out

    both(scenario, auth=auth)
