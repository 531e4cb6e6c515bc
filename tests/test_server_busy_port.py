"""A busy port is an error a library raises and a CLI reports, not werkzeug's SystemExit(1)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from iotfake import FakeCloud
from iotfake.server import AddressInUse


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_raises_an_oserror_naming_host_and_port(busy_port: int) -> None:
    with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{busy_port}") as raised:
        FakeCloud().serve(port=busy_port).start()
    assert isinstance(raised.value, AddressInUse)


def test_iotfake_serve_says_so_in_one_line_and_exits_2(busy_port: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "iotfake", "serve", "--port", str(busy_port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"iotfake: cannot listen on 127.0.0.1:{busy_port}")
