"""A raw-socket HTTP client for tests that send what no HTTP library would (or would fix up)."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    status: int
    version: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


class Raw:
    """One connection; ``answer()`` reads one response whole, leaving what follows buffered."""

    def __init__(self, url: str, timeout: float = 10) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.buffer = b""

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> Raw:
        self.sock.sendall(data)
        return self

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError(f"closed by the server; unread: {self.buffer!r}")
        self.buffer += data

    def head(self) -> tuple[str, int, dict[str, str]]:
        """The next status line and headers (an interim 1xx answer too)."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, status = status_line.split(" ", 2)[:2]
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return version, int(status), headers

    def answer(self, head_only: bool = False) -> Answer:
        version, status, headers = self.head()
        if head_only:
            return Answer(status, version, headers)
        length = int(headers["content-length"])
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Answer(status, version, headers, body)

    def rest(self) -> bytes:
        """Everything until the server closes the connection."""
        while chunk := self.sock.recv(65536):
            self.buffer += chunk
        rest, self.buffer = self.buffer, b""
        return rest

    def closed_by_server(self) -> bool:
        """True if the server closed the connection (after what was already read)."""
        try:
            return self.rest() == b""
        except TimeoutError:
            return False
