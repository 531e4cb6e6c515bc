"""iot-data's connection operations: GetConnection, DeleteConnection, ListSubscriptions,
SendDirectMessage, and iot's GetThingConnectivityData, answered by the MQTT broker that serves
the cloud (``cloud.broker``).

They look at live connections, which only the broker holds, so they run without the registry
lock (the broker's loop may need it meanwhile) and answer ResourceNotFoundException for a client
id the broker never saw, as for one no account of the caller's owns: connections are per account
and region, like the messages. Without a broker (in process, or ``--no-mqtt``) nothing is
connected.

Choices where AWS documents nothing ([I] in the README): a client that disconnected is still
found, ``connected: false`` with its ``disconnectedSince`` and ``disconnectReason``, until the
broker stops; ListSubscriptions of a disconnected client is empty unless it keeps a persistent
session (``cleanSession`` false, ``sessionExpiry`` its expiry interval, one hour); DeleteConnection
with ``cleanSession`` also ends the persistent session of a client that is away; SendDirectMessage answers
``message: "Message sent"`` (``"Message delivered"`` once a confirmation came), refuses a client
whose policy does not allow ``iot:Receive`` on the topic (ForbiddenException) and one that does
not acknowledge within ``timeout`` (GatewayTimeoutException, default 5 s).
"""

from __future__ import annotations

from typing import Any

from ...mqtt.packets import Publish
from . import messages, paging
from .context import Context
from .indexing import configuration
from .indexing.document import connectivity_of
from .wire import AwsError, invalid

DEFAULT_TIMEOUT = 5


def _broker(ctx: Context) -> Any:
    return getattr(ctx.provider.cloud, "broker", None)


def _missing(client_id: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"No connection found for client ID: {client_id}")


def _connection(ctx: Context) -> dict[str, Any]:
    client_id = ctx.input["clientId"]
    broker = _broker(ctx)
    found = broker.connection(("aws", ctx.tenant.id), client_id) if broker is not None else None
    if found is None:
        raise _missing(client_id)
    return found


def get(ctx: Context) -> dict[str, Any]:
    found = _connection(ctx)
    out: dict[str, Any] = {
        "clientId": ctx.input["clientId"],
        "connected": found["connected"],
        "cleanSession": found["cleanSession"],
    }
    if "sessionExpiry" in found:
        out["sessionExpiry"] = found["sessionExpiry"]
    if found.get("thingName"):
        out["thingName"] = found["thingName"]
    if found["connected"]:
        out.update(keepAliveDuration=found["keepAliveDuration"], connectedSince=found["connectedSince"])
        if ctx.input.get("includeSocketInformation"):
            out.update({k: found[k] for k in ("sourceIp", "sourcePort", "targetIp", "targetPort")})
    else:
        out.update(disconnectedSince=found["disconnectedSince"], disconnectReason=found["disconnectReason"])
    return out


def delete(ctx: Context) -> dict[str, Any]:
    broker = _broker(ctx)
    clean, will = bool(ctx.input.get("cleanSession")), not ctx.input.get("preventWillMessage")
    if broker is None or not broker.disconnect(
        ("aws", ctx.tenant.id), ctx.input["clientId"], clean=clean, will=will
    ):
        raise _missing(ctx.input["clientId"])
    return {}


def subscriptions(ctx: Context) -> dict[str, Any]:
    found = _connection(ctx)
    items = [{"topicFilter": f, "qos": q} for f, q in found.get("subscriptions", [])]
    chunk, token = paging.page(
        items,
        key=lambda s: [s["topicFilter"]],
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"subscriptions": chunk, "nextToken": token}


def send(ctx: Context) -> dict[str, Any]:
    client_id, topic = ctx.input["clientId"], ctx.input["topic"]
    problem = messages.name_problem(topic)  # as Publish refuses it: no client could be sent it
    if problem is not None:
        raise invalid(f"{problem}: {topic[: messages.MAX_TOPIC_BYTES]}")
    broker = _broker(ctx)
    if broker is None:
        raise _missing(client_id)
    confirm = bool(ctx.input.get("confirmation"))
    timeout = ctx.input.get("timeout", DEFAULT_TIMEOUT) if confirm else None
    message = Publish(topic, ctx.input.get("payload") or b"", 1 if confirm else 0, False)
    outcome = broker.send_direct(("aws", ctx.tenant.id), client_id, message, timeout)
    if outcome == "not connected":
        raise _missing(client_id)
    if outcome == "not authorized":
        raise AwsError(
            "ForbiddenException", f"The policy of client {client_id} does not allow iot:Receive on {topic}"
        )
    if outcome == "timed out":
        raise AwsError(
            "GatewayTimeoutException", f"Client {client_id} did not acknowledge within {timeout} s"
        )
    text = "Message delivered" if outcome == "confirmed" else "Message sent"
    return {"message": text, "traceId": ctx.ids.request_id()}


def thing_connectivity(ctx: Context) -> dict[str, Any]:
    """GetThingConnectivityData: ``connected``, ``timestamp`` and ``disconnectReason`` as fleet
    indexing holds them (what the MQTT side records on the thing at each connect and
    disconnect, kept in snapshots), and while the thing is connected its session from the
    broker: ``clientId``, ``keepAliveDuration``, ``cleanSession``, ``sessionExpiry`` and, asked
    for, the socket's addresses. The developer guide gives the API once connectivity indexing is
    on: [I] before that it is IndexNotReadyException."""
    tenant, name = ctx.tenant, ctx.input["thingName"]
    with tenant.lock:
        things = configuration.current(tenant)["thingIndexingConfiguration"]
        if things.get("thingConnectivityIndexingMode") != "STATUS":
            raise AwsError(
                "IndexNotReadyException",
                "Thing connectivity indexing is not enabled: set thingConnectivityIndexingMode to STATUS",
            )
        recorded = connectivity_of(tenant.device(key=name))
    out: dict[str, Any] = {"thingName": name, "connected": recorded["connected"]}
    if "timestamp" in recorded:
        out["timestamp"] = recorded["timestamp"] / 1000
    if not recorded["connected"]:
        if "disconnectReason" in recorded:
            out["disconnectReason"] = recorded["disconnectReason"]
        return out
    broker = _broker(ctx)
    live = broker.thing_connection(("aws", tenant.id), name) if broker is not None else None
    if live is not None:
        out.update({k: live[k] for k in ("clientId", "keepAliveDuration", "cleanSession") if k in live})
        if "sessionExpiry" in live:
            out["sessionExpiry"] = live["sessionExpiry"]
        if ctx.input.get("includeSocketInformation"):
            out.update({k: live[k] for k in ("sourceIp", "sourcePort", "targetIp", "targetPort")})
    return out
