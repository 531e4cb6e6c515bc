"""The fake's root CA: GET /_iotfake/ca.pem, cloud.ca_pem, server certificates that a real TLS
handshake accepts, and a root that outlives reset() and travels with the state."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest
import requests
from cryptography import x509

from iotfake import FakeCloud
from iotfake.authority import Authority


def test_the_ca_is_served_and_stays_through_reset(tmp_path) -> None:
    cloud = FakeCloud(seed=1)
    with cloud.serve() as server:
        answer = requests.get(f"{server.url}/_iotfake/ca.pem", timeout=10)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "application/x-pem-file"
        assert answer.text == cloud.ca_pem
        ca = x509.load_pem_x509_certificate(answer.text.encode())
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        requests.post(f"{server.url}/_iotfake/reset", timeout=10).raise_for_status()
        assert requests.get(f"{server.url}/_iotfake/ca.pem", timeout=10).text == answer.text
        named = requests.get(f"{server.url}/_ns/team-a/_iotfake/ca.pem", timeout=10)
        assert named.text == answer.text  # one server, one identity for every namespace


def test_a_namespace_makes_no_root_until_it_needs_one() -> None:
    """Making a root imports cryptography and draws a key: a namespace that never serves TLS or
    issues a certificate leaves that undone, for the server's default cloud too."""
    cloud = FakeCloud(seed=1)
    named = cloud.namespaces.get("team-a")
    assert "authority" not in named.snapshot() and "authority" not in cloud.snapshot()
    assert named.ca_pem == cloud.ca_pem  # asked for, it is the server's one root
    assert named.snapshot()["authority"] == cloud.snapshot()["authority"]


def test_two_clouds_have_different_roots() -> None:
    assert FakeCloud(seed=1).ca_pem != FakeCloud(seed=1).ca_pem  # never derived from a seed


def test_the_root_travels_with_the_state() -> None:
    cloud = FakeCloud()
    pem = cloud.ca_pem
    snapshot = cloud.snapshot()
    assert FakeCloud.from_snapshot(snapshot).ca_pem == pem
    other = FakeCloud()
    other.restore({k: v for k, v in snapshot.items() if k != "authority"})
    assert other.ca_pem != pem  # a snapshot without a root keeps the cloud's own


def test_a_broken_root_in_a_snapshot_changes_nothing() -> None:
    cloud = FakeCloud()
    pem = cloud.ca_pem
    snapshot = cloud.snapshot()
    snapshot["authority"] = {"key": "nope", "cert": "nope"}
    with pytest.raises(ValueError, match="authority"):
        cloud.restore(snapshot)
    assert cloud.ca_pem == pem


def _handshake(server: ssl.SSLContext, trusted_pem: str, host: str) -> bytes:
    """One TLS connection on loopback: the server says hello; the client trusts ``trusted_pem``."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        try:
            with server.wrap_socket(connection, server_side=True) as tls:
                tls.sendall(b"hello")
        except (ssl.SSLError, OSError):
            connection.close()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        client = ssl.create_default_context(cadata=trusted_pem)
        with (
            socket.create_connection(listener.getsockname()) as raw,
            client.wrap_socket(raw, server_hostname=host) as tls,
        ):
            return tls.recv(5)
    finally:
        thread.join()
        listener.close()


def test_a_server_certificate_passes_a_real_tls_handshake(tmp_path) -> None:
    authority = Authority.create()
    issued = authority.server_certificate(["localhost", "127.0.0.1"])
    assert authority.server_certificate(["localhost", "127.0.0.1"]) is issued
    (tmp_path / "cert.pem").write_text(issued.cert_pem)
    (tmp_path / "key.pem").write_text(issued.key_pem)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    assert _handshake(server, authority.pem, "localhost") == b"hello"
    assert _handshake(server, authority.pem, "127.0.0.1") == b"hello"
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        _handshake(server, authority.pem, "example.com")
    with pytest.raises(ssl.SSLCertVerificationError, match="self-signed certificate in certificate chain"):
        _handshake(server, Authority.create().pem, "localhost")
