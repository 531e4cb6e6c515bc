"""A boto3 client reaches the WSGI app in process (no socket) exactly as it does over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.transports import BASE_URL, route_botocore, wsgi_environ


def iot_client(endpoint_url: str) -> Any:
    return boto3.client(
        "iot",
        endpoint_url=endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id="AKIAIOTFAKE",
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}),
    )


class Recorder:
    """A WSGI app that keeps what it was sent and answers like AWS IoT's CreateThing."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}
        self.body = b""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.environ = environ
        self.body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"thingName": "t1", "thingArn": "arn:aws:iot:eu-west-1:1:thing/t1"}).encode()]


def test_the_client_request_arrives_signed_and_whole_without_a_socket() -> None:
    app = Recorder()
    client = route_botocore(iot_client("http://unresolvable.invalid"), app)
    answer = client.create_thing(thingName="t1", attributePayload={"attributes": {"color": "blue"}})
    assert answer["thingName"] == "t1"
    assert answer["thingArn"] == "arn:aws:iot:eu-west-1:1:thing/t1"
    assert app.environ["REQUEST_METHOD"] == "POST"
    assert app.environ["PATH_INFO"] == "/things/t1"
    assert app.environ["HTTP_AUTHORIZATION"].startswith("AWS4-HMAC-SHA256 Credential=AKIAIOTFAKE/")
    assert "/eu-west-1/iot/aws4_request" in app.environ["HTTP_AUTHORIZATION"]
    assert json.loads(app.body) == {"attributePayload": {"attributes": {"color": "blue"}}}


def test_error_answers_are_parsed_by_botocore_as_over_http(cloud: FakeCloud) -> None:
    """An unknown thing: the same ClientError, parsed the same way, in process and over the socket."""

    def error_of(client: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as caught:
            client.describe_thing(thingName="nope")
        return {
            "status": caught.value.response["ResponseMetadata"]["HTTPStatusCode"],
            "error": caught.value.response["Error"],
        }

    in_process = error_of(route_botocore(iot_client(BASE_URL), cloud))
    with cloud.serve() as server:
        over_http = error_of(iot_client(server.url))
    assert in_process == over_http
    assert in_process["error"]["Code"] == "ResourceNotFoundException"
    assert in_process["status"] == 404


def test_only_the_routed_client_is_affected(cloud: FakeCloud) -> None:
    nowhere = "http://127.0.0.1:1"  # nothing listens: a client that uses the network fails to connect
    routed = route_botocore(iot_client(nowhere), cloud)
    other = iot_client(nowhere)
    with pytest.raises(ClientError):
        routed.describe_thing(thingName="nope")
    with pytest.raises(EndpointConnectionError):
        other.describe_thing(thingName="nope")


@pytest.fixture(params=["socket", "in-process"])
def iot(request: pytest.FixtureRequest, cloud: FakeCloud) -> Iterator[Any]:
    if request.param == "socket":
        with cloud.serve() as server:
            yield iot_client(server.url)
    else:
        yield route_botocore(iot_client(BASE_URL), cloud)


def test_create_and_describe_a_thing(iot: Any) -> None:
    created = iot.create_thing(thingName="meter-1", attributePayload={"attributes": {"site": "a"}})
    described = iot.describe_thing(thingName="meter-1")
    assert described["thingName"] == created["thingName"] == "meter-1"
    assert described["attributes"] == {"site": "a"}


def test_conflicting_thing_is_resource_already_exists(iot: Any) -> None:
    iot.create_thing(thingName="meter-1", attributePayload={"attributes": {"site": "a"}})
    with pytest.raises(ClientError) as caught:
        iot.create_thing(thingName="meter-1", attributePayload={"attributes": {"site": "b"}})
    assert caught.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"


def test_paging_query_strings_arrive_intact(iot: Any) -> None:
    for name in ("meter-1", "meter-2", "meter-3"):
        iot.create_thing(thingName=name)
    first = iot.list_things(maxResults=2)
    rest = iot.list_things(maxResults=2, nextToken=first["nextToken"])
    names = [t["thingName"] for t in first["things"] + rest["things"]]
    assert sorted(names) == ["meter-1", "meter-2", "meter-3"]
    assert "nextToken" not in rest


def test_an_injected_throttle_is_a_throttling_exception(iot: Any, cloud: FakeCloud) -> None:
    cloud.faults.add(provider="aws", operation="CreateThing", error="ThrottlingException", times=1)
    with pytest.raises(ClientError) as caught:
        iot.create_thing(thingName="meter-1")
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    assert iot.create_thing(thingName="meter-1")["thingName"] == "meter-1"


@pytest.mark.parametrize(("action", "committed"), [("drop", False), ("lost_response", True)])
def test_a_dropped_connection_is_connection_closed(
    iot: Any, cloud: FakeCloud, action: str, committed: bool
) -> None:
    cloud.faults.add(provider="aws", operation="CreateThing", action={action: True}, times=1)
    with pytest.raises(ConnectionClosedError):
        iot.create_thing(thingName="meter-1", attributePayload={"attributes": {"site": "a"}})
    if committed:  # the retry meets the thing it created, with other attributes: a conflict
        with pytest.raises(ClientError) as caught:
            iot.create_thing(thingName="meter-1", attributePayload={"attributes": {"site": "b"}})
        assert caught.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    else:
        iot.create_thing(thingName="meter-1", attributePayload={"attributes": {"site": "b"}})


def test_header_names_are_read_as_sent_from_botocores_headers_and_any_mapping() -> None:
    from botocore.awsrequest import HeadersDict

    from iotfake.transports import _header_items

    headers = HeadersDict({"X-Amz-Date": "20261206T000000Z", "Content-Type": "application/json"})
    assert _header_items(headers) == [
        ("X-Amz-Date", "20261206T000000Z"),
        ("Content-Type", "application/json"),
    ]

    class Key:  # a key type without botocore's ``_key``: read through str()
        def __init__(self, name: str) -> None:
            self.name = name

        def __str__(self) -> str:
            return self.name

    class Odd:
        _dict = {Key("X-One"): "1"}

        def items(self):  # pragma: no cover - not reached: _dict is read
            return []

    assert _header_items(Odd()) == [("X-One", "1")]
    assert _header_items({"A": "b"}) == [("A", "b")]


_NAMES = st.sampled_from(["Host", "Content-Type", "Content-Length", "X-A", "x_a", "X-Amz-Date", "caf\u00e9"])
_VALUES = st.one_of(st.text(max_size=3), st.binary(max_size=3))


@given(
    items=st.lists(st.tuples(_NAMES, _VALUES), max_size=6),
    body=st.sampled_from([None, b"", b"{}"]),
)
@settings(max_examples=300, deadline=None)
def test_botocore_headers_read_in_one_pass_give_the_pairs_environ(
    items: list[tuple[str, Any]], body: bytes | None
) -> None:
    """Read straight into environ keys or listed as pairs, a botocore header map gives the same
    fields and the same full environ (keys, values and order), whatever names and values it
    holds: where one pass could differ (two names with one key, a value that is not bytes or
    text), the pairs are read instead."""
    from botocore.awsrequest import HeadersDict

    from iotfake.environ import HeaderFields, header_fields
    from iotfake.transports import _header_fields, _header_items

    headers = HeadersDict()
    for name, value in items:
        headers[name] = value
    read, pairs = _header_fields(headers), _header_items(headers)
    names = [name.lower().replace("_", "-") for name, _ in pairs]
    plain = len(set(names)) == len(names) and all(type(v) in (str, bytes) for _, v in pairs)
    assert isinstance(read, HeaderFields) == plain
    ours = header_fields("iotfake", read, body)
    assert list(ours.items()) == list(header_fields("iotfake", pairs, body).items())
    url = "http://iotfake/things/t1"
    theirs = wsgi_environ("POST", url, pairs, body)
    built = wsgi_environ("POST", url, read, body)
    assert [(k, v) for k, v in built.items() if k != "wsgi.input"] == [
        (k, v) for k, v in theirs.items() if k != "wsgi.input"
    ]


def test_a_header_map_without_botocores_keys_is_read_as_pairs() -> None:
    from iotfake.transports import _header_fields

    class Odd:
        _dict = {"X-One": "1"}  # plain names: no ``_key``

        def items(self):  # pragma: no cover - not reached: _dict is read
            return []

    assert _header_fields(Odd()) == [("X-One", "1")]
    assert _header_fields({"A": "b"}) == [("A", "b")]


def test_a_value_neither_bytes_nor_text_is_read_as_pairs() -> None:
    from botocore.awsrequest import HeadersDict

    from iotfake.transports import _header_fields

    headers = HeadersDict({"X-Count": 5, "X-Text": "a"})
    assert _header_fields(headers) == [("X-Count", 5), ("X-Text", "a")]
