"""Run ``iotfake serve`` in a subprocess, as a user would, and find its URL."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PREFIX = "iotfake listening on "


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    #: what the server wrote to stderr, once it has stopped
    stderr: str = ""


def start(*args: str) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "iotfake", "serve", "--port", "0", "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith(PREFIX):
        process.kill()
        _, err = process.communicate(timeout=30)
        raise AssertionError(f"iotfake serve did not start: {line!r}\n{err}")
    return Served(process, line[len(PREFIX) :].strip())


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    served = start(*args)
    try:
        yield served
    finally:
        if served.process.poll() is None:
            served.process.terminate()
        _, served.stderr = served.process.communicate(timeout=30)


def stop(served: Served, sig: int = signal.SIGTERM, timeout: float = 60) -> str:
    """Send ``sig`` and wait for the server to exit; its stderr. A server that does not exit in
    time is asked for every thread's stack (SIGUSR1) before it is killed, and the assertion
    shows them: a hang says where it hangs."""
    served.process.send_signal(sig)
    try:
        return served.process.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        served.process.send_signal(signal.SIGUSR1)
        time.sleep(1)
        served.process.kill()
        _, err = served.process.communicate(timeout=30)
        raise AssertionError(
            f"iotfake serve did not stop within {timeout} s; its threads:\n{err[-20000:]}"
        ) from None


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``iotfake serve`` expected to exit by itself (refusing to start)."""
    return subprocess.run(
        [sys.executable, "-m", "iotfake", "serve", "--port", "0", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
