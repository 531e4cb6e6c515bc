"""SigV4: who is calling (account from the access key, region from the credential scope) and, in
``strict`` mode, whether the signature is right.

Verification follows the published algorithm (canonical request -> string to sign -> HMAC chain)
with hashlib and hmac only. Request age is not checked: the fake's clock can be moved forward by
tests, and a signature made by a client on the wall clock must still verify.
"""

from __future__ import annotations

import hashlib
import hmac
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote, unquote

from werkzeug.wrappers import Request

from ...memo import keep
from ...signatures import matches
from .arns import DEFAULT_ACCOUNT, DEFAULT_REGION, REGION, split_tenant
from .wire import AwsError

if TYPE_CHECKING:
    from ...registry import Registry, Tenant

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "iot"
#: a SigV4 Authorization header is a few hundred bytes; one far longer is not one (and parsing it
#: must cost nothing: every other client waits while a request holds the GIL)
MAX_HEADER = 8192


def _fields(text: str) -> dict[str, str]:
    r"""``Credential=a, SignedHeaders=b, Signature=c`` -> its parts, in linear time (a regular
    expression with ``\w+=`` backtracks quadratically on a long run of word characters)."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.strip().partition("=")
        if sep and name.isidentifier():
            fields.setdefault(name, value.split()[0] if value.split() else "")
    return fields


class Signature(NamedTuple):
    """A SigV4 header's parts (a tuple: one is made per signed call, and a frozen dataclass's
    constructor cost a microsecond)."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


#: the header exactly as SigV4 signers write it (botocore, the CRT, the SDKs): one match instead
#: of the general parse below, which gives the same parts for it (a property test holds the two
#: together); every class stops at the next separator, so matching is linear
_CANONICAL = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/,\s]+)/([^/,\s]+)/([^/,\s]+)/([^/,\s]+)/aws4_request, "
    r"SignedHeaders=([^,\s]+), Signature=([^,\s]+)"
)


def parse(header: str | None) -> Signature | None:
    """The Authorization header's parts, or None if it is not a well-formed SigV4 header."""
    if not header or not header.startswith(ALGORITHM + " ") or len(header) > MAX_HEADER:
        return None
    # a client signs every call with the same credential scope and header list: only the
    # signature differs, so the scope's parts are read once per distinct scope
    head, sep, signature = header.rpartition(", Signature=")
    # bytes.isalnum reads a table; str.isalnum asks Unicode per character (4x the cost)
    if sep and signature.isascii() and signature.encode().isalnum():
        scope = _SCOPES.get(head)
        if scope is None:
            canonical = _CANONICAL.fullmatch(header)
            if canonical is None:
                return _parse_fields(header)
            key, date, region, service, signed, _ = canonical.groups()
            scope = (key, date, region, service, tuple(signed.split(";")))
            keep(_SCOPES, head, scope, 256)  # a day's new date, or many keys
        return Signature(*scope, signature)
    canonical = _CANONICAL.fullmatch(header)
    if canonical is not None:
        key, date, region, service, signed, signature = canonical.groups()
        return Signature(key, date, region, service, tuple(signed.split(";")), signature)
    return _parse_fields(header)


#: the part of a canonical header before ``, Signature=`` -> its parts (see ``parse``)
_SCOPES: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {}


def _parse_fields(header: str) -> Signature | None:
    """The general parse of a header that starts with the algorithm: parts in any order and
    spacing, unknown ones ignored."""
    fields = _fields(header[len(ALGORITHM) :])
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not fields.get("Signature"):
        return None
    signed = tuple(fields.get("SignedHeaders", "").split(";"))
    return Signature(scope[0], scope[1], scope[2], scope[3], signed, fields["Signature"])


def identify(registry: Registry, signature: Signature | None) -> tuple[str, str]:
    """(account, region) for a request: unknown keys belong to the default account."""
    if signature is None:
        return DEFAULT_ACCOUNT, DEFAULT_REGION
    region = signature.region
    if region not in _REGIONS:  # a client names the same region on every call
        if REGION.fullmatch(region) is None:
            region = DEFAULT_REGION
        else:
            keep(_REGIONS, region, region, 64)
    account = account_of(registry, signature.access_key)
    return account or DEFAULT_ACCOUNT, region


#: region names ``REGION`` matched (see ``identify``)
_REGIONS: dict[str, str] = {}


def account_of(registry: Registry, access_key: str) -> str | None:
    seeded = registry.keys.find("aws", access_key)
    return None if seeded is None else seeded.owner


def seeded_keys(tenant: Tenant) -> Iterator[tuple[str, str, str | None]]:
    """The access keys an account/region tenant was seeded with (the credential index's source)."""
    for key, secret in (tenant.settings.get("accessKeys") or {}).items():
        yield key, secret, tenant.settings.get("accountId") or split_tenant(tenant.id)[0]


def missing() -> AwsError:
    return AwsError("MissingAuthenticationTokenException", "Missing Authentication Token")


def incomplete() -> AwsError:
    return AwsError(
        "IncompleteSignatureException",
        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters "
        "in the AWS4-HMAC-SHA256 format.",
    )


#: other names a service's requests may be signed for: the data plane's HTTPS and WebSocket
#: endpoints take ``iotdevicegateway`` (curl's ``--aws-sigv4 aws:amz:<region>:iotdevicegateway``)
SIGNING_ALIASES = {"iotdevicegateway": "iotdata"}


def canonical_service(name: str) -> str:
    """The model's signing name for the name a request was signed for."""
    return SIGNING_ALIASES.get(name, name)


def verify(request: Request, signature: Signature, secret: str, service: str = SERVICE) -> None:
    """Raise InvalidSignatureException unless the request carries this exact signature, scoped to
    ``service`` (the signing name of the operation's service: ``iot``, ``iotdata``) or an alias."""
    if canonical_service(signature.service) != service:
        raise AwsError(
            "InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'."
        )
    amz_date = request.headers.get("X-Amz-Date", "")
    if not amz_date.startswith(signature.date):
        raise AwsError(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.",
        )
    canonical = canonical_request(request, signature.signed_headers)
    scope = f"{signature.date}/{signature.region}/{signature.service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = signing_key(secret, signature.date, signature.region, signature.service)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not matches(expected, signature.signature):
        raise AwsError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check "
            "your AWS Secret Access Key and signing method. Consult the service documentation for "
            "details.",
        )


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def canonical_request(request: Request, signed_headers: tuple[str, ...]) -> str:
    environ = request.environ
    headers = "".join(f"{name}:{_header_value(request, name)}\n" for name in signed_headers)
    # the body's own hash, always: a client's X-Amz-Content-SHA256 (signed or not) only claims one,
    # and trusting the claim let a signed request carry another body
    payload = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    return "\n".join(
        [
            request.method,
            canonical_path(environ),
            canonical_query(environ.get("QUERY_STRING", "")),
            headers,
            ";".join(signed_headers),
            payload,
        ]
    )


def canonical_path(environ: dict) -> str:
    """The path as the client sent it (percent-encoded), normalised and encoded once more.

    A real server passes the raw request line (``RAW_URI``); in-process WSGI clients do not, so
    the path is re-encoded as botocore encodes labels (unreserved characters kept).
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path = raw.split("?", 1)[0]
        if "://" in path:  # an absolute-form request line
            path = "/" + path.split("://", 1)[1].partition("/")[2]
    else:
        # the full path the client signed: a namespace prefix sits in SCRIPT_NAME
        full = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
        decoded = full.encode("latin-1").decode("utf-8", "replace")
        path = quote(decoded, safe="/-_.~")
    normalized = posixpath.normpath(path) if path not in ("", "/") else "/"
    if path.endswith("/") and not normalized.endswith("/"):
        normalized += "/"
    if normalized.startswith("//"):
        normalized = "/" + normalized.lstrip("/")
    return quote(normalized, safe="/~")


def canonical_query(query: str) -> str:
    pairs = []
    for part in filter(None, query.split("&")):
        key, _, value = part.partition("=")
        pairs.append((_encode(key), _encode(value)))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _encode(text: str) -> str:
    return quote(unquote(text), safe="-_.~")


def _header_value(request: Request, name: str) -> str:
    values = request.headers.getlist(name)
    return ",".join(" ".join(v.split()) for v in values)
