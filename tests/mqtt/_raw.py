"""A bare MQTT 3.1.1 client over TLS, reading the packets in the order they arrive."""

from __future__ import annotations

import socket
import ssl
import struct
import tempfile
from pathlib import Path


def _str(s: str) -> bytes:
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def _packet(kind: int, body: bytes) -> bytes:
    out, n = bytearray([kind]), len(body)
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            break
    return bytes(out) + body


class Raw:
    def __init__(self, port: int, ca_pem: str | None, cert: dict | None, host: str = "localhost") -> None:
        if cert is None:  # plain TCP (EnOS)
            self.sock = socket.create_connection((host, port), timeout=10)
            return
        folder = Path(tempfile.mkdtemp(prefix="raw-mqtt-"))
        (folder / "ca.pem").write_text(ca_pem)
        (folder / "c.pem").write_text(cert["certificatePem"])
        (folder / "k.pem").write_text(cert["keyPair"]["PrivateKey"])
        ctx = ssl.create_default_context(cafile=str(folder / "ca.pem"))
        ctx.load_cert_chain(str(folder / "c.pem"), str(folder / "k.pem"))
        self.sock = ctx.wrap_socket(socket.create_connection((host, port), timeout=10), server_hostname=host)

    def connect(
        self,
        client_id: str,
        clean: bool,
        username: str | None = None,
        password: str | None = None,
        keep_alive: int = 60,
    ) -> None:
        flags = (0x02 if clean else 0x00) | (0xC0 if username is not None else 0)
        body = _str("MQTT") + bytes([4, flags]) + struct.pack(">H", keep_alive) + _str(client_id)
        if username is not None:
            body += _str(username) + _str(password or "")
        self.sock.sendall(_packet(0x10, body))

    def subscribe(self, packet_id: int, *filters: tuple[str, int]) -> None:
        body = struct.pack(">H", packet_id) + b"".join(_str(f) + bytes([q]) for f, q in filters)
        self.sock.sendall(_packet(0x82, body))

    def puback(self, packet_id: int) -> None:
        self.sock.sendall(_packet(0x40, struct.pack(">H", packet_id)))

    def disconnect(self) -> None:
        self.sock.sendall(b"\xe0\x00")
        self.sock.close()

    def _exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def read(self, timeout: float = 5.0) -> tuple[int, bytes] | None:
        """(first byte, body), None on timeout or close."""
        self.sock.settimeout(timeout)
        try:
            first = self._exact(1)[0]
            length, shift = 0, 0
            while True:
                b = self._exact(1)[0]
                length |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            return first, self._exact(length)
        except (TimeoutError, ConnectionError, ssl.SSLError):
            return None

    @staticmethod
    def describe(packet: tuple[int, bytes]) -> str:
        first, body = packet
        kind = first >> 4
        if kind == 2:
            return f"CONNACK(sp={body[0] & 1}, rc={body[1]})"
        if kind == 3:
            n = struct.unpack(">H", body[:2])[0]
            topic = body[2 : 2 + n].decode()
            qos = (first >> 1) & 3
            rest = body[2 + n + (2 if qos else 0) :]
            return f"PUBLISH({topic}, {rest!r}, qos={qos})"
        if kind == 9:
            return f"SUBACK{tuple(body[2:])}"
        return f"packet type {kind}"
