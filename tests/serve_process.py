"""Run ``iotfake serve`` in a subprocess, as a user would, and find its URL."""

from __future__ import annotations

import subprocess
import sys
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


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``iotfake serve`` expected to exit by itself (refusing to start)."""
    return subprocess.run(
        [sys.executable, "-m", "iotfake", "serve", "--port", "0", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
