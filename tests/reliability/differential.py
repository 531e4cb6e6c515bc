"""Calls as data for the differential fuzzing of the express lane, the odd inputs they are made
of, and how one is sent.

A :class:`Call` holds what a Python caller of the in-process transports can hand over: a URL of
any form, header pairs (text, bytes or neither, repeated, in any case) passed in one of the shapes
the transports accept, and a body of any buffer type. Signatures are computed when the call is
sent, over the final bytes, so a drawn call prints as something to replay.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st
from werkzeug.wrappers import Request

from iotfake import FakeCloud
from iotfake.environ import HeaderFields, SessionHeaders, add_headers, environ_key, wsgi_environ
from iotfake.providers.aws_iot import auth as aws_auth
from iotfake.transports import call_wsgi

#: the fake's clock, pinned (freezegun's patching would cost as much as the calls): 2026-12-05 12:00Z
NOW = 1796472000.0
AMZ_DATE = "20261205T120000Z"
ACCESS_KEY, SECRET, REGION = "AKIASEEDEDKEY0000001", "seeded-secret", "eu-west-1"
APP_KEY, APP_SECRET = "app1", "sec1"
#: small quotas and seeded names, so that drawn calls run into "exceeded" and "already exists"
FIXTURE: dict[str, Any] = {
    "aws": {
        "accounts": [
            {
                "accountId": "111122223333",
                "region": REGION,
                "accessKeys": [{"accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET}],
                "thingTypes": [{"thingTypeName": "sensor"}],
                "billingGroups": [{"billingGroupName": "b1"}],
                "things": [{"thingName": "seeded", "thingTypeName": "sensor", "attributes": {"a": "1"}}],
                "thingGroups": [{"thingGroupName": "g1", "things": ["seeded"]}],
                "maxThings": 4,
            }
        ]
    },
    "enos": {
        "orgs": [
            {
                "orgId": "o1",
                "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}],
                "products": [
                    {
                        "productKey": "p1",
                        "productName": "Meter",
                        "productType": "Device",
                        "dataFormat": "Json",
                        "quota": 3,
                    }
                ],
                "devices": [{"productKey": "p1", "deviceKey": "dev0"}],
            }
        ]
    },
    "scriptr": {
        "accounts": [
            {
                "name": "acme",
                "token": "acme-owner-token",
                "maxDevices": 3,
                "devices": [{"id": "sd0", "name": "sd0", "password": "pw-123456"}],
            }
        ]
    },
}


@functools.cache
def _root() -> FakeCloud:
    """One root CA for every cloud, so that two runs issue the same certificates."""
    return FakeCloud(seed=1)


def issue_token(cloud: FakeCloud) -> str:
    """An EnOS access token from the token service, the way an app gets one."""
    timestamp = str(int(NOW * 1000))
    encryption = hashlib.sha256(f"{APP_KEY}{timestamp}{APP_SECRET}".encode()).hexdigest()
    body = {"appKey": APP_KEY, "timestamp": timestamp, "encryption": encryption}
    _, _, content = call_wsgi(
        cloud.wsgi_app, "POST", "http://iotfake/apim-token-service/v2.0/token/get", {}, json.dumps(body)
    )
    return json.loads(content)["data"]["accessToken"]


def fixture_cloud(auth: str) -> FakeCloud:
    """A seed-7 cloud with a pinned clock, the shared root CA, the fixture and an issued token."""
    cloud = FakeCloud(seed=7, auth=auth)
    cloud.share_authority(_root())
    cloud.clock.time = lambda: NOW  # type: ignore[method-assign]
    cloud.clock.ms = lambda: int(NOW * 1000)  # type: ignore[method-assign]
    cloud.seed(FIXTURE)
    issue_token(cloud)
    return cloud


@contextmanager
def fixture_clouds(auth: str) -> Iterator[FakeCloud]:
    """``fixture_cloud`` as ``test_express_lane.both`` takes its clouds."""
    yield fixture_cloud(auth)


#: the token every fixture cloud issued (the same: same seed, same clock)
TOKEN = issue_token(fixture_cloud("off"))


# -- a call and how it is sent ----------------------------------------------------------------------
@dataclasses.dataclass
class Call:
    """One in-process call. ``sign``: "enos" (strict mode's apim-signature) or the AWS service to
    sign for with SigV4 ("iot", "iotdata"), added to ``headers`` when sent; ``headers_as`` and
    ``body_as`` name the Python shapes they go in."""

    method: str
    url: str
    headers: list[tuple[str, Any]]
    body: bytes | None
    headers_as: str = "list"
    body_as: str = "bytes"
    sign: str | None = None


def send(cloud: FakeCloud, call: Call) -> tuple[Any, ...]:
    """The answer to ``call``; an exception raised is an answer too, alike on both paths (the
    signers raise what the general path's reading of the call raises)."""
    try:
        headers = call.headers if call.sign is None else _signed(call)
        status, answer_headers, content = call_wsgi(
            cloud.wsgi_app, call.method, call.url, _shaped(headers, call.headers_as), _buffer(call)
        )
    except Exception as exc:
        return "raised", type(exc).__name__, str(exc)
    return status, list(answer_headers.items()), content


def _signed(call: Call) -> list[tuple[str, Any]]:
    return enos_signed(call) if call.sign == "enos" else aws_signed(call)


def _shaped(headers: list[tuple[str, Any]], shape: str) -> Any:
    """The header pairs in the Python shape named ``shape``."""
    if shape == "tuple":
        return tuple(headers)
    if shape == "dict":
        return dict(headers)
    if shape == "iterator":
        return iter(headers)
    # the transports' own shapes never carry a Content-Length: add_headers takes it from the body
    pairs = [(name, value) for name, value in headers if environ_key(name) != "CONTENT_LENGTH"]
    if shape == "session":
        return SessionHeaders(pairs)
    if shape == "fields":  # as a transport reads them: add_headers' keys and values
        fields: dict[str, str] = {}
        add_headers(fields, pairs, None)
        return HeaderFields(fields)
    if shape == "raw fields":  # values as given, against the contract: still answered alike
        return HeaderFields({environ_key(name): value for name, value in pairs})
    return headers


def _buffer(call: Call) -> Any:
    """The body in the buffer type named ``call.body_as``."""
    body = call.body
    if body is None or call.body_as == "bytes":
        return body
    if call.body_as == "bytearray":
        return bytearray(body)
    if call.body_as == "memoryview":
        return memoryview(body)
    try:
        return body.decode()  # "str": text where the bytes are UTF-8
    except UnicodeDecodeError:
        return body


def _general_reading(call: Call, headers: list[tuple[str, Any]]) -> Request:
    """The call as the general path reads it: the reference a signature is made against, so that
    the lane reading a signed call otherwise shows as a difference."""
    return Request(wsgi_environ(call.method, call.url, headers, call.body))


def aws_signed(call: Call) -> list[tuple[str, Any]]:
    """``call.headers`` with an X-Amz-Date and a SigV4 Authorization over host, date and type."""
    unsigned = {"authorization", "x-amz-date"}
    headers = [(n, v) for n, v in call.headers if n.lower() not in unsigned] + [("X-Amz-Date", AMZ_DATE)]
    request = _general_reading(call, headers)
    names = (
        ("content-type", "host", "x-amz-date")
        if "content-type" in request.headers
        else ("host", "x-amz-date")
    )
    scope = f"{AMZ_DATE[:8]}/{REGION}/{call.sign}/aws4_request"
    canonical = aws_auth.canonical_request(request, names)
    text = "\n".join(["AWS4-HMAC-SHA256", AMZ_DATE, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = aws_auth.signing_key(SECRET, AMZ_DATE[:8], REGION, str(call.sign))
    signature = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    credential = f"Credential={ACCESS_KEY}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    return [*headers, ("Authorization", f"AWS4-HMAC-SHA256 {credential}")]


def enos_signed(call: Call) -> list[tuple[str, Any]]:
    """``call.headers`` with the issued token and strict mode's apim-signature:
    sha256(token + query pairs sorted by name + body + timestamp + app secret)."""
    apim = {"apim-accesstoken", "apim-signature", "apim-timestamp"}
    headers = [(n, v) for n, v in call.headers if n.lower() not in apim]
    request = _general_reading(call, headers)
    pairs = sorted(request.args.items(multi=True), key=lambda pair: pair[0])
    data = "".join(k + v for k, v in pairs) + (call.body or b"").decode("utf-8", "replace")
    timestamp = str(int(NOW * 1000))
    signature = hashlib.sha256(f"{TOKEN}{data}{timestamp}{APP_SECRET}".encode()).hexdigest()
    return [
        *headers,
        ("apim-accesstoken", TOKEN),
        ("apim-signature", signature),
        ("apim-timestamp", timestamp),
    ]


# -- the odd inputs -----------------------------------------------------------------------------------
def one_in(n: int) -> st.SearchStrategy[bool]:
    """True once in ``n`` draws; it shrinks to False, so a failing example keeps only the rare
    branches it needs."""
    return st.integers(0, n - 1).map(lambda drawn: drawn == n - 1)


#: the base URL of a call made by a well-behaved client
CLEAN = "http://iotfake"
#: ports of every form: none, empty, padded, and of non-ASCII digits ("\u00b2" passes str.isdigit
#: and fails int; Arabic-Indic digits pass both)
PORTS = ["", "", ":8080", ":", ":0080", ":\u00b2", ":\u0668\u0660"]
HOSTS = ["iotfake", "iotfake", "IOTFAKE", "user@iotfake", "127.0.0.1", "[::1]", ""]
#: the scheme, host and port of a call's URL, or none: a path alone
BASES = st.one_of(
    st.builds(
        "{}://{}{}".format,
        st.sampled_from(["http", "http", "https", "HTTP"]),
        st.sampled_from(HOSTS),
        st.sampled_from(PORTS),
    ),
    st.sampled_from(["", CLEAN]),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        " application/json ",
        "application/json;",
        ";application/json",
        "application/x-amz-json-1.1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "application/x-www-form-urlencoded\t",
        "multipart/form-data; boundary=xyz",
        "application/octet-stream",
        "",
    ]
)
#: bodies no client means to send: empty, not JSON, JSON of the wrong type, numbers JSON cannot
#: hold, surrogates, byte-order marks, nesting past the parsers' limits, and too big a body
ODD_BODIES = st.sampled_from(
    [
        None,
        b"",
        b" \n\t",
        b"{",
        b"[]",
        b'"text"',
        b"null",
        b"0",
        b"1e400",
        b"NaN",
        b'{"a": Infinity}',
        b"1" * 5000,
        b'{"n": ' + b"9" * 5000 + b"}",
        b'{"n": 123456789012345678901234567890}',
        b'{"n": -1.5e300}',
        b'"\\ud800"',
        b'{"s": "\\udfff\\ud800"}',
        b'{"s": "\xed\xa0\x80"}',
        b"\xef\xbb\xbf{}",
        b"\xff\xfe{\x00}\x00",
        b'{"a":1,"a":2}',
        b"{} trailing",
        b"[" * 101 + b"]" * 101,
        b'{"a":' * 101 + b"1" + b"}" * 101,
        b"[" * 2000 + b"]" * 2000,
        b"id=x&name=y",
        b"\x00",
        "caf\u00e9".encode(),
        b'{"\\u0000": 1}',
        b"x" * (1024 * 1024 + 1),
    ]
)
QUERY_NOISE = st.lists(
    st.sampled_from(
        [
            "x=1",
            "x",
            "x=",
            "=v",
            "&",
            "y=a+b",
            "y=%",
            "y=%zz",
            "y=%41",
            "z=%C3%A9",
            "z=\u00e9",
            "k=v;w",
            "maxResults=1",
            "maxResults=zero",
            "nextToken=",
            "a=b=c",
            "%61=1",
        ]
    ),
    max_size=3,
).map("&".join)
PATH_CHANGES: list[Callable[[str], str]] = [
    lambda p: p + "/",
    lambda p: p.replace("/", "//", 2),
    lambda p: p[:-1] + quote(p[-1], safe="") if p[-1:].isalnum() else p + "%31",
    lambda p: p + "%2Fx",
    lambda p: p + "\u00e9",
    lambda p: p.replace("/", "/./", 2),
    lambda p: p + "/../x",
    lambda p: p + ";p=1",
    lambda p: p.upper(),
    lambda p: p + "%c3%a9",
    lambda p: p + " x",
    lambda p: p + "~!$&'()*,=:@",
    lambda p: "/" + p,
]


def odd_path(path: str) -> st.SearchStrategy[str]:
    """``path`` mostly as it is, sometimes with something to decode, normalise or refuse."""
    return st.one_of(st.just(path), st.sampled_from(PATH_CHANGES).map(lambda change: change(path)))


def query_with_noise(query: str) -> st.SearchStrategy[str]:
    return QUERY_NOISE.map(lambda noise: "&".join(filter(None, [query, noise])))


def header_name(name: str) -> st.SearchStrategy[str]:
    """A header's name as some client spells it (an underscore is another header to a server)."""
    spellings = [name.lower(), name.upper(), name.replace("-", "_"), name.title()]
    return st.one_of(st.just(name), st.sampled_from(spellings))


#: headers that change how a call is read, repeat one a call has, or hold neither text nor bytes
EXTRA_HEADERS = st.sampled_from(
    [
        ("Transfer-Encoding", "chunked"),
        ("Upgrade", "websocket"),
        ("Content-Length", "5"),
        ("Content-Length", "abc"),
        ("X-Custom", b"\xe9bytes"),
        ("User-Agent", "fuzz"),
        ("x-amzn-principal", "cert123"),
        ("X-Amz-Date", AMZ_DATE),
        ("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
        ("Host", "other.example:81"),
        ("Host", ""),
        ("Expect", "100-continue"),
        ("Content-Encoding", "gzip"),
        ("content-type", "text/plain"),
        ("HTTP_X", "1"),
        ("Authorization", 5),
        ("Authorization", None),
        ("Content-Type", None),
        ("Content-Type", 7),
        ("apim-accesstoken", 5),
        ("X-Custom", 1.5),
        ("Host", None),
        ("X-Amz-Date", None),
        ("apim-signature", None),
    ]
)
METHODS = ["HEAD", "OPTIONS", "PUT", "GET", "POST", "DELETE", "PATCH", "TRACE", "FOO"]


@st.composite
def odd_headers(draw: st.DrawFn, headers: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """``headers`` with extras, sometimes reversed, sometimes as bytes."""
    headers = headers + draw(st.lists(EXTRA_HEADERS, max_size=3))
    if draw(one_in(10)):
        headers.reverse()
    if draw(one_in(8)):
        headers = [(n, v.encode() if isinstance(v, str) and v.isascii() else v) for n, v in headers]
    return headers


def method(usual: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(usual), st.sampled_from([usual.lower(), usual.capitalize(), *METHODS]))


@st.composite
def shaped(
    draw: st.DrawFn,
    clean: bool,
    method_: str,
    url: str,
    headers: list[tuple[str, Any]],
    body: bytes | None,
    sign: str | None = None,
) -> Call:
    """The call, as sent by a well-behaved client (``clean``) or with odd method, headers and
    shapes."""
    if not clean:
        method_ = draw(method(method_))
        headers = draw(odd_headers(headers))
    shapes = ["list", "tuple", "dict", "iterator", "session", "fields", "raw fields"]
    return Call(
        method_,
        url,
        headers,
        body,
        draw(st.one_of(st.just("list"), st.sampled_from(shapes))),
        draw(st.one_of(st.just("bytes"), st.sampled_from(["str", "bytearray", "memoryview"]))),
        sign,
    )


def some(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with any of these fields: missing ones are as telling as wrong ones."""
    return st.fixed_dictionaries({}, optional=fields)


def encoded(value: Any) -> bytes:
    """JSON as a client writes it, lone surrogates kept (a client's bug, sent as bytes)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
