"""DescribeEndpoint: the account's data, credentials and jobs host names.

Device code usually asks for its MQTT endpoint right after provisioning; the fake answers with a
stable, account-specific name in AWS's format, which resolves nowhere, unless the provider's
``endpoint_host`` names a host that reaches the fake's MQTT endpoint: then the data endpoints
(``iot:Data``, ``iot:Data-ATS``) answer that, so unmodified device code connects to the fake.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from .context import Context
from .wire import invalid

#: endpoint type -> host name template
HOSTS = {
    "iot:Data": "{prefix}.iot.{region}.amazonaws.com",
    "iot:Data-ATS": "{prefix}-ats.iot.{region}.amazonaws.com",
    "iot:CredentialProvider": "{prefix}.credentials.iot.{region}.amazonaws.com",
    "iot:Jobs": "{prefix}.jobs.iot.{region}.amazonaws.com",
}
#: the endpoints devices connect to over MQTT (and iot-data's HTTPS)
DATA = frozenset({"iot:Data", "iot:Data-ATS"})
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@functools.lru_cache(maxsize=256)
def prefix(account: str) -> str:
    """14 lower-case letters and digits, derived from the account id (stable across runs;
    remembered: a hash per DescribeEndpoint was a twentieth of its cost)."""
    digest = hashlib.sha256(f"iotfake endpoint {account}".encode()).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:14])


def describe(ctx: Context) -> dict[str, Any]:
    kind = ctx.input.get("endpointType", "iot:Data")
    host = HOSTS.get(kind)
    if host is None:
        raise invalid(f"Endpoint type {kind} is not valid; use one of {', '.join(HOSTS)}")
    if kind in DATA and ctx.provider.endpoint_host:
        return {"endpointAddress": ctx.provider.endpoint_host}
    account, region = ctx.tenant.settings["accountId"], ctx.tenant.settings["region"]
    return {"endpointAddress": host.format(prefix=prefix(account), region=region)}
