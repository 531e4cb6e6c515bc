"""MQTT 3.1.1 packets as plain records, and the protocol's constants: what the broker and the
device sides share. No codec here (``codec`` reads and writes them), so the device sides, which
the fault engine loads with every cloud, do not import the optional MQTT library."""

from __future__ import annotations

from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14
#: what a client may send (QoS 2's PUBREC/PUBREL/PUBCOMP included: AWS IoT refuses QoS 2 itself)
FROM_CLIENT = frozenset(
    {CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT}
)

#: CONNACK return codes (MQTT 3.1.1, 3.2.2.3)
ACCEPTED, BAD_PROTOCOL, IDENTIFIER_REJECTED, SERVER_UNAVAILABLE, BAD_CREDENTIALS, NOT_AUTHORIZED = range(6)
CONNACK_NAMES = {
    "ACCEPTED": ACCEPTED,
    "UNACCEPTABLE_PROTOCOL_VERSION": BAD_PROTOCOL,
    "IDENTIFIER_REJECTED": IDENTIFIER_REJECTED,
    "SERVER_UNAVAILABLE": SERVER_UNAVAILABLE,
    "BAD_USERNAME_OR_PASSWORD": BAD_CREDENTIALS,
    "NOT_AUTHORIZED": NOT_AUTHORIZED,
}
#: SUBACK's failure return code
SUBSCRIBE_FAILED = 0x80


class ProtocolError(Exception):
    """The client broke the protocol: the broker closes the connection (3.1.1 says so)."""


class Oversized(ProtocolError):
    """A packet larger than the broker accepts."""


@dataclass(frozen=True, slots=True)
class Connect:
    client_id: str
    username: str | None
    password: str | None
    clean_session: bool
    keep_alive: int
    protocol_level: int
    will: Publish | None


@dataclass(frozen=True, slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    packet_id: int | None = None
    dup: bool = False


@dataclass(frozen=True, slots=True)
class Reply(Publish):
    """A service's answer for the client that asked alone, whether it subscribed or not (AWS's
    Jobs answers: "These response messages don't pass through the message broker")."""


@dataclass(frozen=True, slots=True)
class Subscribe:
    packet_id: int
    filters: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    packet_id: int
    filters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ack:
    """PUBACK (and QoS 2's PUBREC/PUBREL/PUBCOMP, which the broker does not accept)."""

    kind: int
    packet_id: int


@dataclass(frozen=True, slots=True)
class Simple:
    """PINGREQ or DISCONNECT."""

    kind: int


Packet = Connect | Publish | Subscribe | Unsubscribe | Ack | Simple
