"""The TLS listener: the fake's server certificate, and client certificates the registry knows.

The server presents a certificate from the cloud's root CA (``authority``) for ``localhost``,
the loopback addresses, the bind address and what DescribeEndpoint names, so a client that trusts
``/_iotfake/ca.pem`` verifies it as it verifies AWS's endpoint.

Client certificates are asked for, not required (an EnOS device may log in by secret over TLS).
The handshake accepts one that chains to a CA the registry knows: an account's own CA (what
CreateKeysAndCertificate and CSR signing use), a customer's registered CA, or, for certificates
registered without a CA, the certificate itself (OpenSSL's partial-chain mode makes a trusted
leaf an anchor). Which of those may connect is then ``device_auth``'s decision on CONNECT:
status, validity on the fake's clock, policies. So the handshake ignores validity dates
(``X509_V_FLAG_NO_CHECK_TIME``): a test moves the fake's clock, OpenSSL would check real time.

The set of anchors grows as the registry does: the whole registry is read once when the
listener starts (``refresh``), then the broker's change listener hands each batch of committed
changes to ``hear``, which adds the CAs and certificates they carry (no walk over the accounts).
"""

from __future__ import annotations

import asyncio
import ssl
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..registry.kinds import CA_CERTIFICATES, CERTIFICATES

if TYPE_CHECKING:
    from ..cloud import FakeCloud

#: OpenSSL's X509_V_FLAG_NO_CHECK_TIME (the ssl module names no constant for it)
NO_CHECK_TIME = 0x200000


def anchors(cloud: FakeCloud) -> list[str]:
    """Every PEM a client certificate may chain to, in a stable order."""
    found: list[str] = []
    for tenant in cloud.registry.tenants("aws"):
        settings = dict(tenant.settings)
        if isinstance(settings.get("ca"), dict):
            found.append(settings["ca"]["cert"])
        found.extend(r["pem"] for r in list(tenant.table(CA_CERTIFICATES).values()))
        found.extend(
            r["pem"]
            for r in list(tenant.table(CERTIFICATES).values())
            if r.get("certificateMode") == "SNI_ONLY"
        )
    return sorted(set(found))


class ServerContext:
    """The listener's one SSL context; ``refresh`` adds the anchors the registry gained since.

    OpenSSL's certificate store only grows: a removed or deactivated certificate stays trusted
    for the handshake, and ``device_auth`` refuses it on CONNECT, as AWS does for an INACTIVE one.
    """

    def __init__(self, cloud: FakeCloud, hosts: list[str]) -> None:
        self.cloud = cloud
        issued = cloud.authority.server_certificate(hosts)
        with tempfile.TemporaryDirectory(prefix="iotfake-tls-") as folder:
            cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            cert.write_text(issued.cert_pem)
            key.write_text(issued.key_pem)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.verify_mode = ssl.CERT_OPTIONAL
        context.verify_flags = ssl.VerifyFlags(
            int(context.verify_flags) | ssl.VERIFY_X509_PARTIAL_CHAIN | NO_CHECK_TIME
        )
        self.context = context
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.refresh()

    def hear(self, batch: list[Any]) -> None:
        """Trust what a batch of committed changes added (the broker's change listener)."""
        new = []
        for change in batch:
            after = change.after
            if not isinstance(after, dict):
                continue
            if change.kind == CA_CERTIFICATES or (
                change.kind == CERTIFICATES and after.get("certificateMode") == "SNI_ONLY"
            ):
                new.append(after.get("pem"))
            elif change.kind == "settings" and change.key == "ca":
                new.append(after.get("cert"))
        self._add([p for p in new if isinstance(p, str)])

    def _add(self, pems: list[str]) -> None:
        with self._lock:
            fresh = [p for p in dict.fromkeys(pems) if p not in self._seen]
            if fresh:
                self.context.load_verify_locations(cadata="\n".join(fresh))
                self._seen.update(fresh)

    def refresh(self) -> None:
        """Trust what the registry gained (any thread; a table written meanwhile: next time)."""
        try:
            pems = anchors(self.cloud)
        except RuntimeError:
            return
        self._add(pems)


def server_context(cloud: FakeCloud, host: str) -> ServerContext:
    hosts = ["localhost", "127.0.0.1", "::1", host]
    endpoint = getattr(cloud.providers.get("aws"), "endpoint_host", None)
    if endpoint:
        hosts.append(endpoint)
    return ServerContext(cloud, [h for h in hosts if h and h != "0.0.0.0"])


def peer_certificate(writer: asyncio.StreamWriter) -> str | None:
    """The client certificate a TLS connection presented, as PEM (None: none, or plain TCP)."""
    ssl_object = writer.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return None if der is None else ssl.DER_cert_to_PEM_cert(der)
