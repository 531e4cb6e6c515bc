"""iot-data messages: Publish (with ``retain``), GetRetainedMessage, ListRetainedMessages.

A published message with ``retain=true`` is kept per topic (the catalog's ``retained message``
kind), as the broker keeps it; an empty retained payload clears the topic, as MQTT says. The
MQTT side delivers published messages to subscribers once it exists; until then a publish is
accepted, journaled and retained.
"""

from __future__ import annotations

import base64
from typing import Any

from ...registry.kinds import RETAINED
from ...registry.records import Records
from . import paging
from .context import Context
from .wire import AwsError, invalid

#: AWS IoT Core's message size limit (quotas: 128 KB per publish)
MAX_PAYLOAD = 128 * 1024
KIND = "retained message"


def publish(ctx: Context) -> dict[str, Any]:
    topic, payload = ctx.input["topic"], ctx.input.get("payload") or b""
    qos = ctx.input.get("qos", 0)  # the model allows 0 and 1
    if len(payload) > MAX_PAYLOAD:
        raise invalid(f"The payload is {len(payload)} bytes; a message is at most {MAX_PAYLOAD} bytes")
    if not ctx.input.get("retain"):
        return {}
    if topic.startswith("$"):
        raise invalid(f"Messages on reserved topics cannot be retained: {topic}")
    records = Records(ctx.tenant, KIND)
    with ctx.tenant.lock:
        if not payload:
            if records.find(topic) is not None:
                records.delete(topic)
            return {}
        record = {
            "topic": topic,
            "payload": base64.b64encode(payload).decode(),
            "qos": qos,
            "lastModifiedTime": ctx.now_ms,
        }
        if records.find(topic) is None:
            records.create(topic, record)
        else:
            records.replace(topic, record)
    return {}


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
