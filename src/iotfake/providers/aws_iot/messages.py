"""iot-data messages: Publish (with ``retain``), GetRetainedMessage, ListRetainedMessages.

A published message with ``retain=true`` is kept per topic (the catalog's ``retained message``
kind), as the broker keeps it; an empty retained payload clears the topic, as MQTT says. Every
published message is handed to the change listeners as a ``published`` event (the MQTT broker
delivers it to subscribers); a message on a shadow topic acts on the shadow and the service's
answers (``accepted``/``rejected``, ``delta``, ``documents``) are published too (``shadow_topics``).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ...registry.errors import Throttled
from ...registry.kinds import RETAINED
from ...registry.records import Records
from . import paging, shadow_topics
from .context import Context
from .wire import AwsError, invalid

#: AWS IoT Core's message size limit (quotas: 128 KB per publish)
MAX_PAYLOAD = 128 * 1024
#: AWS IoT Core's quotas: "Topic size: 256 bytes of UTF-8 encoded characters" and at most 7
#: forward slashes in a topic or topic filter, both excluding the first 3 mandatory segments of
#: a Basic Ingest topic (``$aws/rules/<rule>/``)
MAX_TOPIC_BYTES = 256
MAX_TOPIC_SLASHES = 7
BASIC_INGEST_PREFIX = re.compile(r"\$aws/rules/[^/]+/")
KIND = "retained message"
#: AWS IoT Core's quotas, "Maximum number of retained messages per account": past it no new
#: retained message is kept and "all retained publishes with payloads greater than 0 bytes are
#: throttled" (a topic already kept may still be replaced or cleared)
MAX_RETAINED = 500_000
#: the change listeners' event for a published message (see ``registry.changes.Changes.emit``)
PUBLISHED = "published"


def topic_problem(topic: str) -> str | None:
    """Why AWS IoT Core refuses a topic or topic filter by its size, or None."""
    ingest = BASIC_INGEST_PREFIX.match(topic)  # its mandatory segments count neither way
    counted = topic[ingest.end() :] if ingest is not None else topic
    size = len(counted.encode("utf-8", "surrogatepass"))
    if size > MAX_TOPIC_BYTES:
        return f"The topic is {size} bytes; a topic is at most {MAX_TOPIC_BYTES} bytes"
    slashes = counted.count("/")
    if slashes > MAX_TOPIC_SLASHES:
        return f"The topic has {slashes} forward slashes; a topic has at most {MAX_TOPIC_SLASHES}"
    return None


def name_problem(topic: str) -> str | None:
    """Why a message may not be published to ``topic``, or None: a wildcard, which no PUBLISH may
    carry (MQTT 3.1.1, 3.3.2-2; [I] AWS's refusal, the broker could not deliver it), or its size."""
    if "+" in topic or "#" in topic or "\0" in topic:
        return "A topic name may not hold the wildcard characters + or #"
    return topic_problem(topic)


def publish(ctx: Context) -> dict[str, Any]:
    topic, payload = ctx.input["topic"], ctx.input.get("payload") or b""
    qos = ctx.input.get("qos", 0)  # the model allows 0 and 1
    problem = name_problem(topic)
    if problem is not None:
        raise invalid(f"{problem}: {topic[:MAX_TOPIC_BYTES]}")
    if len(payload) > MAX_PAYLOAD:
        raise invalid(f"The payload is {len(payload)} bytes; a message is at most {MAX_PAYLOAD} bytes")
    if ctx.input.get("retain") and topic.startswith("$"):
        raise invalid(f"Messages on reserved topics cannot be retained: {topic}")
    if ctx.input.get("retain"):
        retain(ctx, topic, payload, qos)  # first: a retained publish over the quota goes nowhere
    deliver(ctx, topic, payload, qos=qos, retain=bool(ctx.input.get("retain")))
    for answer_topic, answer in shadow_topics.respond(ctx, topic, payload):
        deliver(ctx, answer_topic, answer, qos=0, retain=False)
    return {}


def retain(ctx: Context, topic: str, payload: bytes, qos: int) -> None:
    """Keep (or, for an empty payload, clear) a topic's retained message, as the broker does;
    ``Throttled`` for a new topic's message when the account keeps ``MAX_RETAINED`` already."""
    records = Records(ctx.tenant, KIND)
    with ctx.tenant.lock:
        kept = records.find(topic) is not None
        if payload and not kept and len(records.table) >= MAX_RETAINED:
            raise Throttled(f"The account keeps {MAX_RETAINED} retained messages, the most it may")
        if not payload:
            if kept:
                records.delete(topic)
            return
        record = {
            "topic": topic,
            "payload": base64.b64encode(payload).decode(),
            "qos": qos,
            "lastModifiedTime": ctx.now_ms,
        }
        if kept:
            records.replace(topic, record)
        else:
            records.create(topic, record)


def deliver(ctx: Context, topic: str, payload: bytes, *, qos: int, retain: bool) -> None:
    """Hand a message to whoever listens for published messages (the broker's subscribers)."""
    event = {"topic": topic, "payload": payload, "qos": qos, "retain": retain}
    ctx.tenant.changes.emit(ctx.tenant.scope, PUBLISHED, topic, event)


def get_retained(ctx: Context) -> dict[str, Any]:
    topic = ctx.input["topic"]
    record = Records(ctx.tenant, KIND).find(topic)
    if record is None:
        raise AwsError("ResourceNotFoundException", f"No retained message exists for topic: {topic}")
    return {k: record[k] for k in ("topic", "payload", "qos", "lastModifiedTime")}


def list_retained(ctx: Context) -> dict[str, Any]:
    rows = list(ctx.tenant.table(RETAINED).values())
    chunk, token = paging.page(
        rows,
        key=lambda r: [r["topic"]],
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    topics = [
        {
            "topic": r["topic"],
            "payloadSize": len(base64.b64decode(r["payload"])),
            "qos": r["qos"],
            "lastModifiedTime": r["lastModifiedTime"],
        }
        for r in chunk
    ]
    return {"retainedTopics": topics, "nextToken": token}
