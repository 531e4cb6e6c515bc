"""Connected device clients from registry credentials, for tests (the ``iotfake_mqtt`` fixture).

:class:`DeviceClient` wraps a paho-mqtt client (its 1.x API, which enos-mqtt-sdk-python needs
too) with synchronous steps a test reads top to bottom: ``subscribe``, ``publish``, ``receive``,
``request`` (AWS's accepted/rejected pairs); its paho client is ``.client``. The endpoint's
helpers return connected ones, or raise ``ConnectionRefusedError`` naming the CONNACK code.
"""

from __future__ import annotations

import json
import queue
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..optional import require

if TYPE_CHECKING:
    from ..server import Server


TIMEOUT = 10.0


class DeviceClient:
    def __init__(
        self,
        client_id: str,
        *,
        username: str | None = None,
        password: str | None = None,
        clean_session: bool = True,
    ) -> None:
        mqtt = require("paho.mqtt.client", "the iotfake_mqtt clients")
        self.client = mqtt.Client(client_id=client_id, clean_session=clean_session, protocol=mqtt.MQTTv311)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.connack: int | None = None
        #: the CONNACK's "session present" flag: the broker kept this client's session
        self.session_present: bool | None = None
        self.disconnected = threading.Event()
        self._connected = threading.Event()
        self._acks: dict[int, threading.Event] = {}
        self.granted: dict[int, tuple[int, ...]] = {}
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, m: self.messages.put((m.topic, m.payload))
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = lambda c, u, mid: self._ack(mid)
        self.client.on_unsubscribe = lambda c, u, mid: self._ack(mid)
        self.client.on_disconnect = lambda c, u, rc: self.disconnected.set()
        self._folder: Any = None
        self._answered: set[str] = set()

    # -- set-up ----------------------------------------------------------------------------------------
    def tls(
        self, ca_pem: str, certificate_pem: str | None = None, key_pem: str | None = None
    ) -> DeviceClient:
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

    def unsubscribe(self, topic: str) -> None:
        """Unsubscribe from ``topic``, waiting for the UNSUBACK."""
        _, mid = self.client.unsubscribe(topic)
        self._wait(mid)

    def publish(self, topic: str, payload: Any, qos: int = 1, *, retain: bool = False) -> None:
        data = payload if isinstance(payload, bytes | str) else json.dumps(payload)
        info = self.client.publish(topic, data, qos, retain=retain)
        if qos:
            self._wait(info.mid)

    def receive(self, topic: str, timeout: float = TIMEOUT) -> Any:
        """The next message on ``topic`` (JSON decoded when it is JSON); messages on other
        topics stay for a later ``receive``."""
        _, payload = self._next({topic}, timeout)
        try:
            return json.loads(payload)
        except ValueError:
            return payload

    def request(self, topic: str, payload: Any) -> Any:
        """Publish a request to one of AWS's request/response topics (a shadow update, fleet
        provisioning's calls) and return its ``accepted`` answer; a ``rejected`` one raises."""
        if topic not in self._answered:
            self.subscribe(topic + "/accepted")
            self.subscribe(topic + "/rejected")
            self._answered.add(topic)
        self.publish(topic, payload)
        got, raw = self._next({topic + "/accepted", topic + "/rejected"}, TIMEOUT)
        answer = json.loads(raw)
        if got.endswith("/rejected"):
            raise RuntimeError(f"{topic} was rejected: {answer}")
        return answer

    def _next(self, topics: set[str], timeout: float) -> tuple[str, bytes]:
        """The next message on one of ``topics``; the others read meanwhile are put back, in
        their order, behind what arrived since."""
        deadline, passed = time.monotonic() + timeout, []
        try:
            while True:
                left = deadline - time.monotonic()
                try:
                    if left <= 0:
                        raise queue.Empty
                    got, payload = self.messages.get(timeout=left)
                except queue.Empty:
                    raise AssertionError(
                        f"no message on {' or '.join(sorted(topics))} within {timeout} s"
                    ) from None
                if got in topics:
                    return got, payload
                passed.append((got, payload))
        finally:
            for message in passed:
                self.messages.put(message)

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
        self.session_present = bool(flags.get("session present"))
        if rc != 0:
            client.disconnect()  # refused: no reconnect attempts behind the test's back
        self._connected.set()

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, granted: tuple[int, ...]) -> None:
        self.granted[mid] = tuple(granted)
        self._ack(mid)

    def _ack(self, mid: int) -> None:
        self._acks.setdefault(mid, threading.Event()).set()

    def _wait(self, mid: int) -> None:
        if not self._acks.setdefault(mid, threading.Event()).wait(TIMEOUT):
            raise AssertionError(f"no acknowledgement for message {mid}")


@dataclass
class MqttEndpoint:
    """Where a live server's broker listens, and the CA file a client should trust."""

    host: str
    port: int | None
    tls_port: int | None
    ca_file: str
    _folder: Any = field(repr=False, default=None)
    _clients: list[Any] = field(repr=False, default_factory=list)

    @classmethod
    def of(cls, server: Server) -> MqttEndpoint:
        if server.mqtt is None:
            raise RuntimeError("this server runs no MQTT broker: pip install 'iotfake[mqtt]'")
        folder = tempfile.TemporaryDirectory(prefix="iotfake-mqtt-")
        ca = Path(folder.name) / "ca.pem"
        ca.write_text(server.cloud.ca_pem)
        host = "localhost" if server.host in ("127.0.0.1", "::1", "localhost") else server.host
        return cls(host, server.mqtt.port, server.mqtt.tls_port, str(ca), folder)

    def aws_client(self, client_id: str, certificate_pem: str, private_key_pem: str) -> DeviceClient:
        """A device connected by mutual TLS, as AWS IoT's devices connect."""
        device = DeviceClient(client_id).tls(Path(self.ca_file).read_text(), certificate_pem, private_key_pem)
        return self._connect(device, self.tls_port)

    def enos_client(self, device_key: str, product_key: str, device_secret: str) -> DeviceClient:
        """A device logged in by secret (``securemode=2``), as enos-mqtt-sdk-python logs in."""
        from .enos import static_login

        client_id, username, password = static_login(device_key, product_key, device_secret)
        device = DeviceClient(client_id, username=username, password=password)
        return self._connect(device, self.port)

    def _connect(self, device: DeviceClient, port: int | None) -> DeviceClient:
        if port is None:
            raise RuntimeError("that listener is not running")
        code = device.connect(port, host=self.host)
        if code != 0:
            device.close()
            raise ConnectionRefusedError(f"the broker refused the connection (CONNACK {code})")
        self._clients.append(device)
        return device

    def close(self) -> None:
        for device in self._clients:
            device.close()
        self._clients.clear()
        if self._folder is not None:
            self._folder.cleanup()
