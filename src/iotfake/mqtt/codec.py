"""MQTT 3.1.1 packets on the wire, by amqtt's codec: what the broker reads and writes.

The broker never parses bytes itself: amqtt's packet classes decode and encode, and this module
turns them into plain records (:class:`Connect`, :class:`Publish` ...) so the rest of the broker
does not depend on amqtt's classes. Two guards come first, before amqtt reads a byte of the body:
the packet's declared length (a client announcing a gigabyte is cut off at the header, not after
the fake has buffered it) and the packet type (a server-only packet from a client, or a reserved
type, is a protocol violation).
"""

from __future__ import annotations

import asyncio
import dataclasses

from amqtt.adapters import BufferReader, StreamReaderAdapter
from amqtt.mqtt import packet_class
from amqtt.mqtt.connack import ConnackPacket
from amqtt.mqtt.constants import QOS_0
from amqtt.mqtt.packet import MQTTFixedHeader
from amqtt.mqtt.pingresp import PingRespPacket
from amqtt.mqtt.puback import PubackPacket
from amqtt.mqtt.publish import PublishPacket
from amqtt.mqtt.suback import SubackPacket
from amqtt.mqtt.unsuback import UnsubackPacket

from .packets import (
    CONNECT,
    DISCONNECT,
    FROM_CLIENT,
    PINGREQ,
    PUBACK,
    PUBCOMP,
    PUBLISH,
    PUBREC,
    PUBREL,
    SUBSCRIBE,
    UNSUBSCRIBE,
    Ack,
    Connect,
    Oversized,
    Packet,
    ProtocolError,
    Publish,
    Simple,
    Subscribe,
    Unsubscribe,
)


async def read(reader: asyncio.StreamReader, max_length: int) -> Packet | None:
    """The next packet (None: the client closed the connection between packets)."""
    try:
        header = await MQTTFixedHeader.from_stream(StreamReaderAdapter(reader))
    except Exception as exc:  # amqtt raises its own errors for a malformed length
        raise ProtocolError(f"malformed fixed header: {exc}") from exc
    if header is None:
        return None
    if header.packet_type not in FROM_CLIENT:
        raise ProtocolError(f"packet type {header.packet_type} may not come from a client")
    if header.remaining_length > max_length:
        raise Oversized(f"a {header.remaining_length}-byte packet is over the {max_length}-byte limit")
    body = await reader.readexactly(header.remaining_length)
    _check(header.packet_type, header.flags, body)
    try:
        packet = await packet_class(header).from_stream(BufferReader(body), fixed_header=header)
        plain = _plain(header.packet_type, packet)
        if header.packet_type == CONNECT and _empty_client_id(body):  # amqtt made one up
            return dataclasses.replace(plain, client_id="")  # type: ignore[type-var]
        return plain
    except ProtocolError:
        raise
    except Exception as exc:  # a body that does not decode: amqtt's errors, struct's, UTF-8's
        raise ProtocolError(f"malformed packet of type {header.packet_type}: {exc}") from exc


#: the fixed-header flags each packet type must carry (MQTT 3.1.1, 2.2.2); PUBLISH's are its own
_FLAGS = {SUBSCRIBE: 0b0010, UNSUBSCRIBE: 0b0010, PUBREL: 0b0010}
#: the remaining length of the packets that have one alone: a packet identifier, or nothing
#: (3.4-3.7, 3.12, 3.14); amqtt read what it needed and let the rest pass
_LENGTHS = {PUBACK: 2, PUBREC: 2, PUBREL: 2, PUBCOMP: 2, PINGREQ: 0, DISCONNECT: 0}


def _check(kind: int, flags: int, body: bytes) -> None:
    """What amqtt lets through and the protocol says must close the connection: reserved flags,
    topic strings that are not UTF-8 (or hold U+0000), a missing packet identifier, a SUBSCRIBE's
    QoS 3, an UNSUBSCRIBE naming nothing."""
    if kind != PUBLISH and flags != _FLAGS.get(kind, 0):
        raise ProtocolError(f"packet type {kind} with reserved flags {flags:#06b} (2.2.2)")
    if _LENGTHS.get(kind, len(body)) != len(body):
        raise ProtocolError(f"packet type {kind} of {len(body)} bytes, not {_LENGTHS[kind]}")
    if kind == PUBLISH and flags & 0b1000 and not flags & 0b0110:
        raise ProtocolError("a QoS 0 PUBLISH with its DUP flag set (3.3.1-2)")
    if kind == CONNECT:
        _check_connect(body)
    elif kind == PUBLISH:
        _string(body, 0)
        if flags & 0b0110 and len(body) >= 2:  # QoS 1 or 2: a packet identifier follows
            end = 2 + int.from_bytes(body[:2], "big")
            if body[end : end + 2] == b"\0\0":
                raise ProtocolError("a packet identifier of 0 (2.3.1-1)")
    elif kind in (SUBSCRIBE, UNSUBSCRIBE):
        if body[:2] == b"\0\0":
            raise ProtocolError("a packet identifier of 0 (2.3.1-1)")
        position, count = 2, 0
        while position < len(body):
            position = _string(body, position)
            count += 1
            if kind == SUBSCRIBE:
                if position >= len(body) or body[position] > 2:
                    raise ProtocolError("a SUBSCRIBE asks for a QoS that is not 0, 1 or 2 (3.8.3-4)")
                position += 1
        if kind == UNSUBSCRIBE and not count:
            raise ProtocolError("an UNSUBSCRIBE must name at least one topic filter (3.10.3-2)")


def _connect_flags_at(body: bytes) -> int:
    """Where a CONNECT's flags byte is: after the protocol name and level."""
    if len(body) < 2:
        raise ProtocolError("a CONNECT too short for its variable header")
    return 2 + int.from_bytes(body[:2], "big") + 1


def _check_connect(body: bytes) -> None:
    """MQTT 3.1.1, 3.1.2 and 3.1.3: what amqtt accepts and a server must close the connection for
    (amqtt reads a client identifier that is not UTF-8 as the text of its bytes' repr)."""
    at = _connect_flags_at(body)
    if at + 3 > len(body):
        raise ProtocolError("a CONNECT too short for its variable header")
    name, level = body[2 : at - 1], body[at - 1]
    if name != b"MQTT" and not (name == b"MQIsdp" and level == 3):  # 3.1's name: CONNACK 1 follows
        raise ProtocolError(f"a CONNECT for the protocol {name[:16]!r}, not MQTT (3.1.2-1)")
    flags = body[at]
    _check_connect_flags(flags)
    position = _string(body, at + 3, "a client identifier")  # after the flags and the keep alive
    if flags & 0x04:
        end = _string(body, position, "a will topic")
        topic = body[position + 2 : end]
        if not topic or b"+" in topic or b"#" in topic:  # a topic name (3.3.2-2, 4.7.3-1)
            raise ProtocolError("a will topic that is empty or holds a wildcard (3.3.2-2, 4.7.3-1)")
        position = _field(body, end)  # then its message
    if flags & 0x80:
        _string(body, position, "a user name")


def _check_connect_flags(flags: int) -> None:
    if flags & 0x01:
        raise ProtocolError("a CONNECT with its reserved flag set (3.1.2-3)")
    will, will_qos, will_retain = flags & 0x04, (flags >> 3) & 0x03, flags & 0x20
    if will_qos == 3:
        raise ProtocolError("a will of QoS 3 (3.1.2-14)")
    if not will and (will_qos or will_retain):
        raise ProtocolError("a will QoS or retain flag without a will (3.1.2-13, 3.1.2-15)")
    if flags & 0x40 and not flags & 0x80:
        raise ProtocolError("a password without a user name (3.1.2-22)")


def _empty_client_id(body: bytes) -> bool:
    """Whether the CONNECT's client identifier is empty (amqtt replaces it with one of its own)."""
    start = _connect_flags_at(body) + 3  # the flags, then the keep alive's two bytes
    return body[start : start + 2] == b"\0\0"


def _string(body: bytes, position: int, what: str = "a topic") -> int:
    """Check the length-prefixed UTF-8 string at ``position``; where the next field starts."""
    end = _field(body, position)
    try:
        text = body[position + 2 : end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{what} that is not UTF-8 ({exc.reason}) (1.5.3-1)") from None
    if "\0" in text:
        raise ProtocolError(f"{what} holding U+0000 (1.5.3-2)")
    return end


def _field(body: bytes, position: int) -> int:
    """Where the length-prefixed field at ``position`` ends."""
    if position + 2 > len(body):
        raise ProtocolError("a string runs past the end of its packet")
    end = position + 2 + int.from_bytes(body[position : position + 2], "big")
    if end > len(body):
        raise ProtocolError("a string runs past the end of its packet")
    return end


def _plain(kind: int, packet: object) -> Packet:
    if kind == CONNECT:
        vh, payload = packet.variable_header, packet.payload  # type: ignore[attr-defined]
        will = None
        if vh.will_flag:
            will = Publish(
                payload.will_topic or "", bytes(payload.will_message or b""), vh.will_qos, vh.will_retain_flag
            )
        return Connect(
            client_id=payload.client_id or "",
            username=payload.username,
            password=payload.password,
            clean_session=vh.clean_session_flag,
            keep_alive=vh.keep_alive,
            protocol_level=vh.proto_level,
            will=will,
        )
    if kind == PUBLISH:
        qos = packet.qos or QOS_0  # type: ignore[attr-defined]
        if qos > 2:
            raise ProtocolError("QoS 3 is not a QoS level")
        return Publish(
            topic=packet.topic_name or "",  # type: ignore[attr-defined]
            payload=bytes(packet.data or b""),  # type: ignore[attr-defined]
            qos=qos,
            retain=packet.retain_flag,  # type: ignore[attr-defined]
            packet_id=packet.packet_id if qos else None,  # type: ignore[attr-defined]
            dup=packet.dup_flag,  # type: ignore[attr-defined]
        )
    if kind == SUBSCRIBE:
        filters = tuple((topic, qos) for topic, qos in packet.payload.topics)  # type: ignore[attr-defined]
        if not filters:
            raise ProtocolError("a SUBSCRIBE must name at least one topic filter")
        return Subscribe(packet.variable_header.packet_id, filters)  # type: ignore[attr-defined]
    if kind == UNSUBSCRIBE:
        topics = tuple(packet.payload.topics)  # type: ignore[attr-defined]
        return Unsubscribe(packet.variable_header.packet_id, topics)  # type: ignore[attr-defined]
    if kind in (PUBACK, PUBREC, PUBREL, PUBCOMP):
        return Ack(kind, packet.variable_header.packet_id)  # type: ignore[attr-defined]
    return Simple(kind)


# -- what the broker sends ------------------------------------------------------------------------
def connack(code: int, session_present: bool = False) -> bytes:
    return ConnackPacket.build(1 if session_present else 0, code).to_bytes()


def suback(packet_id: int, codes: list[int]) -> bytes:
    return SubackPacket.build(packet_id, codes).to_bytes()


def unsuback(packet_id: int) -> bytes:
    return UnsubackPacket.build(packet_id).to_bytes()


def puback(packet_id: int) -> bytes:
    return PubackPacket.build(packet_id).to_bytes()


def pingresp() -> bytes:
    return PingRespPacket.build().to_bytes()


def publish(message: Publish) -> bytes:
    return PublishPacket.build(
        message.topic, message.payload, message.packet_id, message.dup, message.qos, message.retain
    ).to_bytes()
