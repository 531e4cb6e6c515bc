"""A paho-mqtt device for the broker tests: connect, subscribe, publish and wait, synchronously."""

from __future__ import annotations

import json
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

TIMEOUT = 10.0


class Device:
    def __init__(self, client_id: str, *, username: str | None = None, password: str | None = None) -> None:
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.connack: int | None = None
        self.disconnected = threading.Event()
        self._connected = threading.Event()
        self._acks: dict[int, threading.Event] = {}
        self.granted: dict[int, tuple[int, ...]] = {}
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, m: self.messages.put((m.topic, m.payload))
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = lambda c, u, mid: self._ack(mid)
        self.client.on_disconnect = lambda c, u, rc: self.disconnected.set()
        self._folder: Any = None

    # -- set-up ----------------------------------------------------------------------------------------
    def tls(self, ca_pem: str, certificate_pem: str | None = None, key_pem: str | None = None) -> Device:
        self._folder = tempfile.TemporaryDirectory(prefix="iotfake-device-")
        folder = Path(self._folder.name)
        (folder / "ca.pem").write_text(ca_pem)
        files: dict[str, str] = {"ca_certs": str(folder / "ca.pem")}
        if certificate_pem is not None:
            (folder / "cert.pem").write_text(certificate_pem)
            (folder / "key.pem").write_text(key_pem or "")
            files.update(certfile=str(folder / "cert.pem"), keyfile=str(folder / "key.pem"))
        self.client.tls_set(**files)
        return self

    def connect(self, port: int, host: str = "localhost") -> int | None:
        """The CONNACK return code (None: the broker closed without one)."""
        try:
            self.client.connect(host, port, keepalive=30)
        except OSError:
            return None
        self.client.loop_start()
        self._connected.wait(TIMEOUT) or self.disconnected.wait(TIMEOUT)
        return self.connack

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        if self._folder is not None:
            self._folder.cleanup()

    # -- traffic ---------------------------------------------------------------------------------------
    def subscribe(self, topic: str, qos: int = 1) -> tuple[int, ...]:
        _, mid = self.client.subscribe(topic, qos)
        self._wait(mid)
        return self.granted[mid]

    def publish(self, topic: str, payload: Any, qos: int = 1, *, retain: bool = False) -> None:
        data = payload if isinstance(payload, bytes | str) else json.dumps(payload)
        info = self.client.publish(topic, data, qos, retain=retain)
        if qos:
            self._wait(info.mid)

    def receive(self, topic: str, timeout: float = TIMEOUT) -> Any:
        """The next message on ``topic`` (JSON decoded when it is JSON), skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no message on {topic} within {timeout} s")
            got, payload = self.messages.get(timeout=left)
            if got == topic:
                try:
                    return json.loads(payload)
                except ValueError:
                    return payload

    def topics(self, settle: float = 0.3) -> list[str]:
        """Every topic received so far (after waiting ``settle`` seconds for stragglers)."""
        time.sleep(settle)
        seen = []
        while not self.messages.empty():
            seen.append(self.messages.get()[0])
        return seen

    # -- paho callbacks --------------------------------------------------------------------------------
    def _on_connect(self, client: Any, userdata: Any, flags: Any, rc: int) -> None:
        self.connack = rc
        self._connected.set()

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, granted: tuple[int, ...]) -> None:
        self.granted[mid] = tuple(granted)
        self._ack(mid)

    def _ack(self, mid: int) -> None:
        self._acks.setdefault(mid, threading.Event()).set()

    def _wait(self, mid: int) -> None:
        if not self._acks.setdefault(mid, threading.Event()).wait(TIMEOUT):
            raise AssertionError(f"no acknowledgement for message {mid}")
