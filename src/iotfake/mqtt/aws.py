"""AWS IoT's device side: mutual TLS, IoT policies, shadows, fleet provisioning, presence.

A device connects with the certificate the registry issued (or registered); ``device_auth``
admits it (registered, ACTIVE, valid, CA active, ``iot:Connect`` allowed; JITR/JITP on a first
connection) and ``policy_eval`` decides every subscription, publish and delivery. A message on a
shadow topic goes to the shadow service (``shadow_topics``: the same store as iot-data), one on
fleet provisioning's topics to ``fleet_topics``; a retained message is kept where iot-data's
GetRetainedMessage reads it. Connecting and disconnecting set the thing's connectivity (fleet
indexing's ``connectivity.connected``) and publish the lifecycle events on
``$aws/events/presence/connected|disconnected/<clientId>``.
"""

from __future__ import annotations

import base64
import json
import re
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from ..providers.aws_iot import (
    arns,
    device_auth,
    fleet_topics,
    jobs,
    jobs_topics,
    messages,
    registry_events,
    shadow_topics,
)
from ..providers.aws_iot.context import Context
from ..providers.aws_iot.policy_eval import authorize
from ..registry.kinds import JOB_EXECUTIONS
from ..registry.records import Records
from . import topics
from .packets import IDENTIFIER_REJECTED, NOT_AUTHORIZED, Publish, Reply
from .sides import Admitted, DeviceSide, Hello, Refused

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from ..providers.aws_iot import AwsIotProvider
    from ..registry import Tenant
    from .session import Session


#: AWS IoT Core's message broker quotas: "Client ID size: 128 bytes of UTF-8 encoded characters"
MAX_CLIENT_ID_BYTES = 128
#: the keep-alive AWS IoT Core holds a client to, in seconds (see ``AwsDeviceSide.keep_alive``)
KEEP_ALIVE_MIN, KEEP_ALIVE_MAX = 30, 1200
#: the reserved (``$``) topics a device may publish on: requests to the shadow, jobs, fleet
#: provisioning, Basic Ingest and Device Defender services. Every other ``$`` topic - lifecycle
#: events, the services' answers - is subscribe-only, and AWS disconnects a client publishing there.
DEVICE_PUBLISHES = re.compile(
    r"\$aws/things/[^/#+]+/shadow(?:/name/[^/#+]+)?/(?:get|update|delete)"
    r"|\$aws/things/[^/#+]+/jobs/(?:get|start-next|[^/#+]+/(?:get|update))"
    r"|\$aws/certificates/create(?:-from-csr)?/(?:json|cbor)"
    r"|\$aws/provisioning-templates/[^/#+]+/provision/(?:json|cbor)"
    r"|\$aws/rules/[^/#+]+(?:/.*)?"
    r"|\$aws/things/[^/#+]+/defender/metrics/(?:json|cbor)"
)


class AwsDeviceSide(DeviceSide):
    name = "aws-mqtt"
    extra_fields: ClassVar[frozenset[str]] = frozenset({"thingName", "certificateId", "sessionIdentifier"})
    # AWS IoT Core's message broker quotas ("Maximum subscriptions per subscribe request" 8,
    # "Subscriptions per connection" 50): past either, the broker closes the connection with no
    # SUBACK (what device SDKs report as an unexpected hang-up when they resubscribe at once)
    max_filters_per_subscribe: ClassVar[int | None] = 8
    max_subscriptions: ClassVar[int | None] = 50
    # "When QoS level 2 is requested, the AWS IoT message broker does not send a PUBACK or
    # SUBACK" (MQTT: differences from the specification): the connection closes, as for a PUBLISH
    closes_on_qos_2: ClassVar[bool] = True

    def __init__(self, cloud: FakeCloud) -> None:
        super().__init__(cloud)
        #: tenant -> thing -> what its last jobs notices said (a restored tenant is a new one)
        self._announced: weakref.WeakKeyDictionary[Tenant, dict[str, Any]] = weakref.WeakKeyDictionary()

    def reset(self) -> None:
        super().reset()
        self._announced.clear()

    @property
    def aws(self) -> AwsIotProvider:
        return self.cloud.providers["aws"]  # type: ignore[return-value]

    def identify(self, hello: Hello) -> dict[str, Any]:
        if hello.peer_certificate is None:
            return {}
        return device_auth.identify(self.aws, hello.peer_certificate, hello.client_id)

    def admit(self, hello: Hello) -> Admitted:
        size = len(hello.client_id.encode("utf-8", "surrogatepass"))
        if size > MAX_CLIENT_ID_BYTES:
            raise Refused(
                IDENTIFIER_REJECTED,
                f"the client id is {size} bytes; AWS IoT Core allows at most {MAX_CLIENT_ID_BYTES}",
            )
        if hello.peer_certificate is None:
            raise Refused(
                NOT_AUTHORIZED,
                "AWS IoT admits devices by client certificate (mutual TLS): none was presented",
            )
        try:
            admission = device_auth.admit(self.aws, hello.peer_certificate, hello.client_id)
        except device_auth.Refused as exc:
            raise Refused(exc.code, exc.reason) from exc
        tenant = admission.tenant
        account, region = arns.split_tenant(tenant.id)
        params: dict[str, Any] = {
            "certificateId": admission.certificate_id,
            "account": account,
            "region": region,
        }
        if admission.connection.thing is not None:
            params["thingName"] = admission.connection.thing
        return Admitted(
            realm=("aws", tenant.id),
            tenant=tenant.id,
            params=params,
            principal=admission,
            credentials=admission.credentials,
        )

    def revoked(self, session: Session) -> str | None:
        return device_auth.revoked(session.admitted.principal)

    def keep_alive(self, requested: int) -> int:
        """AWS IoT Core's bounds: under 30 s counts as 30, and 0 or over 1,200 s as 1,200 (its
        quotas page; the CRT's MQTT client took its default from that maximum)."""
        return min(max(requested or KEEP_ALIVE_MAX, KEEP_ALIVE_MIN), KEEP_ALIVE_MAX)

    def topic_problem(self, topic: str) -> str | None:
        return messages.topic_problem(topic)

    def _allowed(self, session: Session, action: str, target: str) -> bool:
        return authorize(session.admitted.principal.connection, action, target).allowed

    def may_subscribe(self, session: Session, topic_filter: str) -> bool:
        return self._allowed(session, "iot:Subscribe", topic_filter)

    def may_publish(self, session: Session, topic: str, retain: bool = False) -> bool:
        if topic.startswith("$") and not DEVICE_PUBLISHES.fullmatch(topic):
            return False  # reserved topics a device may not publish on (AWS: "Reserved topics")
        if retain and not self._allowed(session, "iot:RetainPublish", topic):
            return False  # a retained message needs both actions (AWS: retained message policies)
        return self._allowed(session, "iot:Publish", topic)

    def may_receive(self, session: Session, topic: str) -> bool:
        return self._allowed(session, "iot:Receive", topic)

    def _context(self, session: Session) -> Context:
        return Context(self.aws, None, session.admitted.principal.tenant, {})

    def published(self, session: Session, message: Publish) -> list[Publish]:
        ctx = self._context(session)
        admission = session.admitted.principal
        if fleet_topics.is_request(message.topic):
            answered = fleet_topics.respond(
                self.aws,
                admission.tenant,
                message.topic,
                message.payload,
                certificate_id=admission.certificate_id,
                client_id=session.client_id,
            )
            return self._to_asker(session, answered)
        if jobs_topics.is_request(message.topic):  # answered to the device alone
            return [
                Reply(topic, payload, 0, False)
                for topic, payload in jobs_topics.respond(ctx, message.topic, message.payload)
            ]
        answers = shadow_topics.respond(ctx, message.topic, message.payload)
        if message.retain and not message.topic.startswith("$"):
            messages.retain(ctx, message.topic, message.payload, message.qos)
        return [Publish(topic, payload, 0, False) for topic, payload in answers]

    def _to_asker(self, session: Session, answered: list[tuple[str, bytes]]) -> list[Publish]:
        """Fleet provisioning's answers, for the connection that asked alone: "IoT Core Fleet
        Provisioning returns the device provisioning MQTT API results through the same MQTT
        connection used to publish the API request" (the guide's "Device provisioning MQTT
        API"), so two devices sharing a claim certificate never see each other's private key or
        ownership token. Unlike the Jobs API's answers ("These response messages don't pass
        through the message broker"), the guide tells the device to subscribe first: "If you
        don't subscribe to the response topics before you publish a request, you might not
        receive the results of that request". So the asker gets an answer only through a
        subscription of its own that selects it and a policy that lets it receive it, as any
        message; a device that forgets to subscribe fails here as it may on AWS."""
        filters = list(session.subscriptions)  # this connection's own packets wait on this one
        return [
            Reply(topic, payload, 0, False)
            for topic, payload in answered
            if any(topics.matches(f, topic) for f in filters) and self.may_receive(session, topic)
        ]

    watches: ClassVar[frozenset[str]] = frozenset({JOB_EXECUTIONS})

    def notices(self, changes: list[Any]) -> list[tuple[tuple[str, str], Publish]]:
        by_tenant: dict[tuple[str, str], list[tuple[str, Any, Any]]] = {}
        for change in changes:
            by_tenant.setdefault(tuple(change.scope), []).append((change.key, change.before, change.after))
        out = []
        for scope, moved in by_tenant.items():
            tenant = self.cloud.registry.find_tenant(*scope)
            if tenant is None:
                continue
            ctx = Context(self.aws, None, tenant, {})
            with tenant.lock:  # the executions, and what was announced of them, at once
                announced = self._announced.setdefault(tenant, {})
                made = jobs_topics.notices(ctx, moved, announced)
            out.extend((scope, Publish(topic, payload, 0, False)) for topic, payload in made)
        return out

    hears: ClassVar[frozenset[str]] = registry_events.WATCHED

    def heard(self, changes: list[Any]) -> list[tuple[tuple[str, str], Publish]]:
        """The registry events (``registry_events``) of the writes, per account, for the event
        types it enabled: an account that enabled none is one dictionary lookup."""
        by_tenant: dict[tuple[str, str], list[tuple[str, Any, Any, Any]]] = {}
        for change in changes:
            if change.scope[0] == "aws":
                by_tenant.setdefault(tuple(change.scope), []).append(
                    (change.kind, change.key, change.before, change.after)
                )
        out = []
        for scope, writes in by_tenant.items():
            tenant = self.cloud.registry.find_tenant(*scope)
            if tenant is not None:
                made = registry_events.events(tenant, writes)
                out.extend((scope, Publish(topic, payload, 1, False)) for topic, payload in made)
        return out

    def tick(self, realms: set[tuple[str, str]]) -> None:
        """Jobs' read-time pass (``jobs.refresh``) for the accounts with connected clients: an
        execution whose timeout passed on the fake's clock is TIMED_OUT, and a continuous job
        has queued what its groups' new members need, so ``jobs/notify`` tells the devices
        then, not at the next jobs call (which used to be the first to see either)."""
        for realm in realms:
            tenant = self.cloud.registry.find_tenant(*realm)
            if tenant is not None:
                with tenant.lock:  # as a jobs call runs it: a job settled from a stale read lost writes
                    jobs.refresh(Context(self.aws, None, tenant, {}))
        self.cloud.changes.dispatch()  # the writes reach the broker, whose notices follow

    def retained(self, session: Session, filters: list[str]) -> list[Publish]:
        tenant = session.admitted.principal.tenant
        table = Records(tenant, messages.KIND).table
        granted: dict[str, int] = {}  # topic -> the highest QoS a filter selecting it grants
        with tenant.lock:  # the tree and the records it names, at once
            tree = table.derived("topics", topics.TopicTree)
            for topic_filter in filters:
                qos = session.subscriptions.get(topic_filter, 0)
                for topic in tree.selected(topic_filter):
                    granted[topic] = max(qos, granted.get(topic, 0))
            kept = [(topic, table[topic], qos) for topic, qos in granted.items()]
        # the lower of the message's QoS and the subscription's (MQTT 3.1.1, 3.8.4)
        return [
            Publish(topic, base64.b64decode(record["payload"]), min(record.get("qos", 0), qos), True)
            for topic, record, qos in kept
            if self.may_receive(session, topic)
        ]

    # -- presence ------------------------------------------------------------------------------------
    def connected(self, session: Session) -> list[Publish]:
        self._connectivity(session, {"connected": True})
        return self._presence(session, "connected", {})

    def disconnected(self, session: Session, reason: str) -> list[Publish]:
        self._connectivity(session, {"connected": False, "disconnectReason": reason})
        extra = {
            "clientInitiatedDisconnect": reason == "CLIENT_INITIATED_DISCONNECT",
            "disconnectReason": reason,
        }
        return self._presence(session, "disconnected", extra)

    def _connectivity(self, session: Session, state: dict[str, Any]) -> None:
        admission = session.admitted.principal
        thing = admission.connection.thing
        tenant = admission.tenant
        if thing is None:
            return
        with tenant.lock:
            device = tenant.keys.get(thing)
            if device is None:
                return
            recorded = {**state, "timestamp": tenant.clock.ms()}
            tenant.replace_extra(device, {**(device.extra or {}), "connectivity": recorded})

    def _presence(self, session: Session, kind: str, extra: dict[str, Any]) -> list[Publish]:
        """The lifecycle event, if the client gets one: "Client IDs that contain # or + do not
        receive lifecycle events" (the guide's Lifecycle events); their topic would hold a
        wildcard, which no PUBLISH may carry (MQTT 3.1.1, 3.3.2-2)."""
        event = self._lifecycle(session, kind)
        if event is None:
            return []
        event.update(ipAddress=session.hello.address, versionNumber=0, **extra)
        return [_event(f"$aws/events/presence/{kind}/{session.client_id}", event)]

    def subscriptions(self, session: Session, kind: str, filters: list[str]) -> list[Publish]:
        """``$aws/events/subscriptions/subscribed|unsubscribed/<clientId>`` (the guide's
        Lifecycle events), always on, as every lifecycle event: the topic filters the packet
        changed, in its order."""
        event = self._lifecycle(session, kind)
        if event is None or not filters:
            return []
        event["topics"] = list(filters)
        return [_event(f"$aws/events/subscriptions/{kind}/{session.client_id}", event)]

    def _lifecycle(self, session: Session, kind: str) -> dict[str, Any] | None:
        """What every lifecycle event of the session says (None: its client id holds a wildcard).
        The session identifier is made at its first event and kept for its life."""
        admission = session.admitted.principal
        tenant = admission.tenant
        identifier = session.admitted.params.setdefault("sessionIdentifier", tenant.ids.uuid())
        if "#" in session.client_id or "+" in session.client_id:
            return None
        return {
            "clientId": session.client_id,
            "timestamp": tenant.clock.ms(),
            "eventType": kind,
            "sessionIdentifier": identifier,
            "principalIdentifier": admission.certificate_id,
        }


def _event(topic: str, event: dict[str, Any]) -> Publish:
    return Publish(topic, json.dumps(event, separators=(",", ":")).encode(), 1, False)
