"""``PartsRequest`` (the express lane's request, made from a call's parts) reads every attribute
exactly as the general path's ``Request`` over the environ ``wsgi_environ`` builds."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from iotfake.environ import split_url, wsgi_environ
from iotfake.request import PartsRequest, Request

NAMES = st.sampled_from(
    [
        "Host",
        "host",
        "Content-Type",
        "content-type",
        "Content-Length",
        "Authorization",
        "X-Amz-Date",
        "apim-accesstoken",
        "X-Custom",
        "x-custom",
        "Accept",
    ]
)
VALUES = st.text(alphabet=st.sampled_from("ab1 ;=/-:\t"), max_size=12)
QUERIES = st.lists(st.sampled_from(["a=1", "a=2", "b", "c=", "=x", "d=%41", "e=+", "&"]), max_size=4).map(
    "&".join
)
HOSTS = st.sampled_from(["iotfake", "iotfake:8080", "localhost:443", "", "h:x"])
PATHS = st.sampled_from(["/things/t1", "/scriptr/device/get", "/connect-service/v2.1/devices", "/"])


def general(method: str, url: str, headers: list[tuple[str, Any]], body: bytes) -> Request:
    request = Request(wsgi_environ(method, url, headers, body), populate_request=False)
    request.max_content_length = 1 << 20
    return request


def parts(method: str, url: str, headers: list[tuple[str, Any]], body: bytes) -> PartsRequest:
    request = PartsRequest(method, url, split_url(url), headers, body, {"extra.key": 1})
    request.max_content_length = 1 << 20
    return request


@given(
    method=st.sampled_from(["GET", "POST", "DELETE"]),
    scheme=st.sampled_from(["http", "https"]),
    host=HOSTS,
    path=PATHS,
    query=QUERIES,
    headers=st.lists(st.tuples(NAMES, VALUES | VALUES.map(str.encode)), max_size=6),
    body=st.binary(max_size=20) | st.sampled_from([b"", b'{"a": 1}', b"a=1&b=2"]),
    asked=st.lists(NAMES | st.sampled_from(["missing", "content_type"]), max_size=4),
)
def test_parts_request_reads_what_the_environs_request_reads(
    method: str, scheme: str, host: str, path: str, query: str, headers: list, body: bytes, asked: list
) -> None:
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    ours, theirs = parts(method, url, headers, body), general(method, url, headers, body)
    for name in (
        "method",
        "scheme",
        "root_path",
        "path",
        "query_string",
        "server",
        "remote_addr",
        "content_length",
        "mimetype",
        "mimetype_params",
        "content_type",
    ):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert list(ours.args.items(multi=True)) == list(theirs.args.items(multi=True))
    assert list(ours.headers.items()) == list(theirs.headers.items())
    for name in asked:
        assert ours.headers.get(name) == theirs.headers.get(name)
        assert ours.headers.getlist(name) == theirs.headers.getlist(name)
        assert (name in ours.headers) == (name in theirs.headers)
    assert ours.get_data() == theirs.get_data()
    assert ours.server_value("extra.key") == 1 and ours.server_value("SERVER_NAME") is None
    # the environ, built on demand, is the general path's own, plus what the transport adds
    environ = dict(ours.environ)
    assert environ.pop("extra.key") == 1
    built = dict(theirs.environ)
    for key in ("wsgi.input",):
        environ.pop(key), built.pop(key)
    assert environ == built
    assert ours.server_value("extra.key") == 1 and ours.server_value("SERVER_NAME") == built["SERVER_NAME"]
    assert ours.url == theirs.url and ours.host == theirs.host


def test_a_form_is_read_through_the_built_environ() -> None:
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    url, body = "http://iotfake/scriptr/device/create", b"id=a&name=b"
    for first_data in (True, False):
        ours, theirs = parts("POST", url, headers, body), general("POST", url, headers, body)
        if first_data:
            assert ours.get_data() == theirs.get_data() == body
        assert ours.form.to_dict() == theirs.form.to_dict() == {"id": "a", "name": "b"}
        assert ours.get_data() == theirs.get_data()


def outcome(read: Any, request: Request) -> Any:
    try:
        return read(request)
    except Exception as exc:  # the general path's own refusals are part of what must match
        return type(exc)


READS = {
    "data": lambda r: r.get_data(cache=False),
    "cached": lambda r: r.get_data(),
    "form": lambda r: r.form.to_dict(),
    "stream": lambda r: r.stream.read(),
    "input": lambda r: r.input_stream.read(),
    "wsgi.input": lambda r: r.environ["wsgi.input"].read(),
    "property": lambda r: r.data,
}


@given(
    reads=st.lists(st.sampled_from(sorted(READS)), min_size=1, max_size=4),
    body=st.sampled_from([b"", b"id=a&name=b", b'{"a": 1}']),
    form=st.booleans(),
)
def test_reading_the_body_twice_goes_as_on_the_general_path(
    reads: list[str], body: bytes, form: bool
) -> None:
    headers = [("Content-Type", "application/x-www-form-urlencoded" if form else "application/json")]
    url = "http://iotfake/scriptr/device/create"
    ours, theirs = parts("POST", url, headers, body), general("POST", url, headers, body)
    for name in reads:
        assert outcome(READS[name], ours) == outcome(READS[name], theirs), name
