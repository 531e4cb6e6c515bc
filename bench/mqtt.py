"""The MQTT broker: connections per second and publish round trips per second, beside a plain
in-process broker (amqtt's own, anonymous, no registry) as the baseline.

    python -m bench mqtt [--connections 200] [--messages 1000] [--rounds 5]

* connections: a paho client connects, is acknowledged and disconnects, one after another: the
  baseline takes anyone; iotfake admits an EnOS device by its signed login (plain port) and an AWS
  thing by mutual TLS and its policy (TLS port; the handshake included);
* round trips: one connected client publishes QoS 1 to a topic it subscribes to and waits for the
  message to come back, one at a time: iotfake checks the policy for the publish and the delivery.

Rounds are interleaved; each ratio is the median of the per-round ratios with their spread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import queue
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from iotfake import FakeCloud

from . import common

ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
)


def _client(client_id: str, **login: Any) -> Any:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311)
    if login.get("username"):
        client.username_pw_set(login["username"], login.get("password"))
    if login.get("tls"):
        client.tls_set(**login["tls"])
    return client


def _connect_once(port: int, client_id: str, **login: Any) -> None:
    done = threading.Event()
    client = _client(client_id, **login)
    client.on_connect = lambda c, u, f, rc: done.set()
    client.connect("localhost", port, keepalive=30)
    client.loop_start()
    if not done.wait(10):
        raise RuntimeError("no CONNACK")
    client.disconnect()
    client.loop_stop()


class RoundTrips:
    """A connected client that publishes and waits for its own message, ``count`` times a run."""

    def __init__(self, port: int, client_id: str, topic: str, count: int, **login: Any) -> None:
        self.topic, self.count = topic, count
        self.inbox: queue.Queue[bytes] = queue.Queue()
        connected = threading.Event()
        self.client = _client(client_id, **login)
        self.client.on_connect = lambda c, u, f, rc: connected.set()
        self.client.on_message = lambda c, u, m: self.inbox.put(m.payload)
        self.client.connect("localhost", port, keepalive=60)
        # without it a one-at-a-time round trip waits out the peer's delayed ACK (40 ms), for
        # every broker alike: that would measure TCP, not the broker
        self.client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.client.loop_start()
        if not connected.wait(10):
            raise RuntimeError("no CONNACK")
        self.client.subscribe(topic, 1)
        time.sleep(0.2)

    def __call__(self) -> float:
        def work() -> None:
            for number in range(self.count):
                self.client.publish(self.topic, str(number), 1)
                self.inbox.get(timeout=10)

        return common.rate(self.count, work)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def baseline_broker() -> tuple[Any, int, threading.Thread]:
    """amqtt's own broker, anonymous, on a free port, in a thread: what a broker costs bare."""
    from amqtt.broker import Broker

    port = common.free_port()
    loop = asyncio.new_event_loop()
    config = {
        "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }
    broker = Broker(config, loop=loop)
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(broker.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    return (broker, loop), port, thread


def measure(connection_count: int, message_count: int, rounds: int) -> dict[str, Any]:
    from iotfake.mqtt.enos import signature

    cloud = FakeCloud(seed=1)
    folder = Path(tempfile.mkdtemp(prefix="iotfake-bench-"))
    with cloud.serve() as server:
        assert server.mqtt is not None, "pip install -e '.[test]' (the mqtt extra)"
        # an EnOS device for the plain port
        from iotfake.transports import requests_session

        enos = requests_session(cloud)
        headers = {"apim-accesstoken": "bench"}
        product = {
            "productName": {"defaultValue": "M"},
            "productType": "Device",
            "dataFormat": "Json",
            "modelId": "m",
            "biDirectionalAuth": False,
        }
        pk = enos.post(
            "/connect-service/v2.1/products?action=create&orgId=o1", json=product, headers=headers
        ).json()["data"]
        body = {
            "productKey": pk,
            "deviceKey": "meter",
            "timezone": "+08:00",
            "deviceName": {"defaultValue": "m"},
        }
        secret = enos.post(
            "/connect-service/v2.1/devices?action=create&orgId=o1", json=body, headers=headers
        ).json()["data"]["deviceSecret"]
        stamp = "1700000000000"
        enos_login = {
            "username": f"meter&{pk}",
            "password": signature(
                secret,
                {"productKey": pk, "deviceKey": "meter", "clientId": "meter", "timestamp": stamp},
                "hmacsha256",
            ),
        }
        enos_id = f"meter|securemode=2,signmethod=hmacsha256,timestamp={stamp}|"
        # the round-trip client keeps its connection while the others come and go: another id
        trip_stamp = "1700000000001"
        trip_login = {
            "username": f"meter&{pk}",
            "password": signature(
                secret,
                {"productKey": pk, "deviceKey": "meter", "clientId": "meter", "timestamp": trip_stamp},
                "hmacsha256",
            ),
        }
        trip_id = f"meter|securemode=2,signmethod=hmacsha256,timestamp={trip_stamp}|"
        # an AWS thing for the TLS port
        import boto3

        from iotfake.transports import route_botocore

        iot = route_botocore(
            boto3.client(
                "iot",
                endpoint_url="http://iotfake",
                region_name="us-east-1",
                aws_access_key_id="AKIDBENCH",
                aws_secret_access_key="x",
            ),
            cloud,
        )
        iot.create_thing(thingName="lamp")
        cert = iot.create_keys_and_certificate(setAsActive=True)
        iot.attach_thing_principal(thingName="lamp", principal=cert["certificateArn"])
        iot.create_policy(policyName="all", policyDocument=ALL)
        iot.attach_policy(policyName="all", target=cert["certificateArn"])
        (folder / "ca.pem").write_text(cloud.ca_pem)
        (folder / "c.pem").write_text(cert["certificatePem"])
        (folder / "k.pem").write_text(cert["keyPair"]["PrivateKey"])
        tls = {
            "tls": {
                "ca_certs": str(folder / "ca.pem"),
                "certfile": str(folder / "c.pem"),
                "keyfile": str(folder / "k.pem"),
            }
        }
        (broker, loop), base_port, _ = baseline_broker()
        trips = {
            "baseline": RoundTrips(base_port, "bench-rt", "bench/rt", message_count),
            "iotfake AWS": RoundTrips(server.mqtt.tls_port, "lamp", "lamps/rt", message_count, **tls),
            "iotfake EnOS": RoundTrips(
                server.mqtt.port, trip_id, f"/sys/{pk}/meter/rt", message_count, **trip_login
            ),
        }
        try:
            connect_series = common.interleaved(
                {
                    "baseline": lambda: common.rate(
                        connection_count,
                        lambda: [_connect_once(base_port, "bench") for _ in range(connection_count)],
                    ),
                    "iotfake EnOS": lambda: common.rate(
                        connection_count,
                        lambda: [
                            _connect_once(server.mqtt.port, enos_id, **enos_login)
                            for _ in range(connection_count)
                        ],
                    ),
                    "iotfake AWS": lambda: common.rate(
                        connection_count,
                        lambda: [
                            _connect_once(server.mqtt.tls_port, "lamp-c", **tls)
                            for _ in range(connection_count)
                        ],
                    ),
                },
                rounds,
            )
            trip_series = common.interleaved(dict(trips), rounds)
        finally:
            for trip in trips.values():
                trip.close()
            asyncio.run_coroutine_threadsafe(broker.shutdown(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
    return {"connections": _summary(connect_series), "round_trips": _summary(trip_series)}


def _summary(series: dict[str, common.Series]) -> dict[str, Any]:
    out: dict[str, Any] = {name: {"median_per_s": s.median, "rounds": s.rates} for name, s in series.items()}
    for name in series:
        if name != "baseline":
            ratios = common.round_ratios(series[name], series["baseline"])
            out[name]["vs_baseline"] = statistics.median(ratios)
            out[name]["vs_baseline_rounds"] = ratios
    return out


def report(data: dict[str, Any]) -> str:
    lines = []
    for part, label in (("connections", "connections/s"), ("round_trips", "QoS 1 round trips/s")):
        for name, row in data[part].items():
            ratio = ""
            if "vs_baseline" in row:
                ratio = f", {common.spread(row['vs_baseline'], row['vs_baseline_rounds'], 2)} the baseline's"
            lines.append(f"- {label}, {name}: {row['median_per_s']:,.0f}{ratio}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench mqtt", description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    data = measure(args.connections, args.messages, args.rounds)
    text = report(data)
    print(text)
    common.RESULTS.mkdir(exist_ok=True)
    (common.RESULTS / "mqtt.json").write_text(json.dumps({"machine": common.machine(), **data}, indent=2))
    (common.RESULTS / "mqtt.md").write_text(
        f"# MQTT broker\n\n`python -m bench mqtt --connections {args.connections} --messages {args.messages} "
        f"--rounds {args.rounds}`\n\n{text}\n"
    )
