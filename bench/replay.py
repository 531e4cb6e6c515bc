"""A server's own throughput under boto3's exact requests: record them once, replay them at full speed.

A sequential boto3 client spends about 5 ms of its own per CreateThing + DescribeThing pair
(serialising, signing, parsing), so an end-to-end run says more about boto3 than about a fast
server. Here boto3 still makes every request - botocore serialises and SigV4-signs it as always -
but a ``before-send`` handler (botocore's documented hook for answering a request yourself) takes
the prepared request and answers with a canned response, so recording costs no server. The
recorded method, path, headers and body are written out as the bytes urllib3 would send (request
line, ``Host``, ``Accept-Encoding: identity``, botocore's headers in order, the body), the body in
the same buffer as the head.

Replaying is a plain-socket client, not http.client: http.client parses every response head with
the email package, which costs about as much as a fast server's whole request and would put the
client, not the server, on the critical path of a 2-core machine. The client reads only what it
needs (the status line, ``Content-Length``, ``Connection``), checks each status (anything else,
or a socket error, is counted as a failure, never retried), and reuses its connection unless the
server says ``Connection: close`` - then it reconnects before the next request, and the
reconnections are counted: a server that cannot keep a connection alive pays for the handshakes,
as its real clients would.

Concurrency: client threads in this process, each with its own connection and its own share of
the pairs, each pair's CreateThing before its DescribeThing on one connection. Both servers are
thread-per-connection Python servers whose work holds one GIL, so one core is their ceiling on
any machine. The benchmark runs one connection and ``CONNECTIONS`` (4) at once, because on the
2-core machine it was written on neither count alone tells the whole story:

* one connection already keeps a server about 85% busy: the client spends about 0.1 ms of CPU per
  pair against the server's 0.7 ms (iotfake) or 10 ms (moto), and the loopback round trip is
  tens of microseconds;
* four connections saturate the server but cost each server CPU per request (its threads hand
  the GIL to one another around every socket call): iotfake's CPU per pair rose by 30-50%,
  moto's by less, as its own work per request is larger. More connections changed nothing more.

The client reports its own CPU per pair next to the servers', so a reader can check it stayed
the smaller side. Run on a shared machine, every rate is noisy; the rounds are interleaved and
the ratios are medians of per-round ratios (``python -m bench aws``).
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: client connections (one thread each) replaying at once
CONNECTIONS = 4

Request = bytes
Pair = tuple[Request, Request]


class _Empty(io.BytesIO):
    def stream(self, **_: Any) -> Any:
        yield self.read()


def record(client: Any, names: Sequence[str]) -> list[Pair]:
    """The bytes ``client`` (a boto3 ``iot`` client) sends for CreateThing + DescribeThing of each name.

    Nothing leaves the process: the ``before-send`` handler keeps the prepared request and answers
    for the server. The Host header is the client's endpoint, so the signature matches it.
    """
    from botocore.awsrequest import AWSResponse

    host = urlsplit(client.meta.endpoint_url).netloc
    recorded: list[Request] = []

    def keep(request: Any, **_: Any) -> AWSResponse:
        recorded.append(_wire_bytes(request, host))
        name = request.url.rsplit("/", 1)[1]
        body = b'{"thingName": "%s", "thingArn": "arn", "thingId": "0"}' % name.encode()
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, _Empty(body))

    client.meta.events.register_first("before-send", keep, unique_id="bench-replay-record")
    try:
        for name in names:
            client.create_thing(thingName=name)
            client.describe_thing(thingName=name)
    finally:
        client.meta.events.unregister("before-send", unique_id="bench-replay-record")
    return list(zip(recorded[::2], recorded[1::2], strict=True))


def _wire_bytes(request: Any, host: str) -> Request:
    """What urllib3 writes for a botocore prepared request (see the module docstring)."""
    target = urlsplit(request.url)
    path = target.path + (f"?{target.query}" if target.query else "")
    lines = [f"{request.method} {path} HTTP/1.1", f"Host: {host}", "Accept-Encoding: identity"]
    for name, value in request.headers.items():
        lines.append(f"{name}: {value.decode('latin-1') if isinstance(value, bytes) else value}")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    if body and "Content-Length" not in request.headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Outcome:
    """One replay: how long it took and what came back."""

    pairs: int
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    #: socket errors and malformed answers, by kind
    errors: Counter = field(default_factory=Counter)
    #: connections opened beyond the first one per client thread
    reconnects: int = 0
    #: CPU time of the whole client process (every thread) while replaying
    client_cpu: float = 0.0

    @property
    def per_second(self) -> float:
        return self.pairs / self.seconds

    @property
    def failures(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200) + sum(self.errors.values())


def replay(url: str, pairs: Sequence[Pair], connections: int = CONNECTIONS) -> Outcome:
    """Send every pair to ``url`` as fast as the server answers, over ``connections`` connections."""
    address = urlsplit(url)
    where = (address.hostname or "127.0.0.1", address.port or 80)
    shares = [pairs[n::connections] for n in range(connections)]
    clients = [_Connection(where) for _ in shares]
    start = threading.Barrier(len(clients) + 1)
    threads = [
        threading.Thread(target=client.run, args=(share, start), daemon=True)
        for client, share in zip(clients, shares, strict=True)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    outcome = Outcome(len(pairs), seconds, client_cpu=cpu)
    for client in clients:
        outcome.statuses.update(client.statuses)
        outcome.errors.update(client.errors)
        outcome.reconnects += client.reconnects
    return outcome


class _Connection:
    """One keep-alive connection replaying its share, reconnecting only when told to."""

    def __init__(self, where: tuple[str, int]) -> None:
        self.where = where
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.reconnects = -1  # the first connection is not a reconnection

    def run(self, share: Sequence[Pair], start: threading.Barrier) -> None:
        try:
            self._connect()
        finally:
            start.wait()
        for pair in share:
            for request in pair:
                try:
                    if self.sock is None:
                        self._connect()
                    assert self.sock is not None
                    self.sock.sendall(request)
                    status, keep = self._answer()
                except (OSError, ValueError) as exc:
                    self.errors[type(exc).__name__] += 1
                    self._close()
                    continue
                self.statuses[status] += 1
                if not keep:
                    self._close()
        self._close()

    def _connect(self) -> None:
        self.sock = socket.create_connection(self.where, timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.reconnects += 1

    def _close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _answer(self) -> tuple[int, bool]:
        """Read one response whole: (status, whether the connection may be reused)."""
        assert self.sock is not None
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._fill()
        head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4 :]
        status_line, *lines = head.split("\r\n")
        version, status = status_line.split(" ", 2)[:2]
        length, keep = None, version == "HTTP/1.1"
        for line in lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                keep = value.strip().lower() != "close" if keep else value.strip().lower() == "keep-alive"
            elif name == "transfer-encoding":
                raise ValueError("chunked answers are not expected from either server")
        if length is None:  # delimited by the server closing the connection
            while self._fill(eof_ok=True):
                pass
            self.buffer, keep = b"", False
        else:
            while len(self.buffer) < length:
                self._fill()
            self.buffer = self.buffer[length:]
        return int(status), keep

    def _fill(self, eof_ok: bool = False) -> bool:
        assert self.sock is not None
        data = self.sock.recv(65536)
        if not data:
            if eof_ok:
                return False
            raise ConnectionResetError("the server closed the connection mid-answer")
        self.buffer += data
        return True
