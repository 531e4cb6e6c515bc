"""``kill -USR1`` makes a running ``iotfake serve`` print every thread's stack and go on serving:
a hang can say where it hangs (the durability battery asks a server that will not stop)."""

from __future__ import annotations

import signal
import time

import pytest
import requests
from serve_process import start, stop


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals")
def test_sigusr1_prints_every_thread_s_stack_and_the_server_goes_on() -> None:
    served = start("--no-mqtt")
    served.process.send_signal(signal.SIGUSR1)
    time.sleep(0.5)
    assert requests.get(served.url + "/_iotfake/health", timeout=10).status_code == 200
    err = stop(served)
    assert served.process.returncode == 0
    assert "Current thread" in err or "Thread 0x" in err, err[-2000:]
