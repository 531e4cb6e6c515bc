"""SUBSCRIBE, as the broker handles it: each filter through the fault rules, its shape, the
side's policy and limits; the SUBACK; then the retained messages the granted filters select.

A mixin of :class:`~.broker.Broker` (as ``listening`` and ``connection_api`` are), kept apart
so that the broker's module holds the connection's life and the routing of messages.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..operations import journal
from . import codec, packets, topics

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..cloud import FakeCloud
    from ..faults.engine import Decision
    from ..providers.base import Call
    from .session import Session
    from .sides import DeviceSide, Refused
    from .subscribers import Subscribers


class Subscribing:
    """The broker's SUBSCRIBE handling (see the module's docstring)."""

    cloud: FakeCloud
    _subscribers: Subscribers
    if TYPE_CHECKING:

        async def _work(self, fn: Callable[..., Any], *args: Any) -> Any: ...
        async def _apply(
            self, decision: Decision, side: DeviceSide, call: Call, path: str, started: float
        ) -> Refused | None: ...
        def _call(self, session: Session, operation: str, **params: Any) -> Call: ...
        def _deliver(self, session: Session, message: packets.Publish) -> int | None: ...
        async def _route(
            self, realm: tuple[str, str], message: packets.Publish, origin: Session | None
        ) -> None: ...

    async def _subscribe(self, session: Session, packet: packets.Subscribe) -> bool:
        """Handle a SUBSCRIBE; False: the connection must close (over the side's limits)."""
        most, held = session.side.max_filters_per_subscribe, session.side.max_subscriptions
        if most is not None and len(packet.filters) > most:
            self._over_limit(session, packet, "TOO_MANY_FILTERS")
            return False
        if session.side.closes_on_qos_2 and any(qos == 2 for _, qos in packet.filters):
            self._over_limit(session, packet, "QOS_2")  # AWS IoT Core sends no SUBACK for QoS 2
            return False
        codes, lost = [], False
        for topic_filter, qos in packet.filters:
            started = time.perf_counter()
            call = self._call(session, "Subscribe", topic=topic_filter)
            granted = packets.SUBSCRIBE_FAILED
            decision = self.cloud.faults.decide(call)
            refusal = None
            if decision is not None:
                refusal = await self._apply(decision, session.side, call, topic_filter, started)
            wanted = (
                refusal is None
                and topics.valid_filter(topic_filter)
                and qos in (0, 1, 2)
                and session.side.topic_problem(topic_filter) is None
            )
            if wanted and await self._work(session.side.may_subscribe, session, topic_filter):
                new = topic_filter not in session.subscriptions
                if held is not None and new and len(session.subscriptions) >= held:
                    self._over_limit(session, packet, "TOO_MANY_SUBSCRIPTIONS")
                    return False  # the filters granted before it go with the connection
                if session.closed:  # dropped while its policy was read: nothing is granted
                    return False
                granted = min(qos, 1)  # QoS 0 or 1 (EnOS grants QoS 1 for 2)
                session.subscriptions[topic_filter] = granted
                self._subscribers.add(session, topic_filter, granted)
            call.code = "OK" if granted != packets.SUBSCRIBE_FAILED else "REFUSED"
            journal(self.cloud, call, "MQTT", topic_filter, granted, started)
            codes.append(granted)
            lost = lost or call.fault_action == "lost_response"
        if not lost:  # a lost answer: subscribed, and never told (as a PUBACK withheld)
            session.send(codec.suback(packet.packet_id, codes))
        made = [
            f for (f, _), code in zip(packet.filters, codes, strict=True) if code != packets.SUBSCRIBE_FAILED
        ]
        for event in session.side.subscriptions(session, "subscribed", made):
            await self._route(session.admitted.realm, event, None)
        retained = await self._work(
            session.side.retained, session, [f for f, _ in packet.filters if f in session.subscriptions]
        )
        for message in retained:
            self._deliver(session, message)
        return True

    async def _unsubscribe_filters(self, session: Session, packet: packets.Unsubscribe) -> None:
        """Handle an UNSUBSCRIBE: the filters the session held go; then the UNSUBACK and the
        side's events of what it changed."""
        held = []
        for topic_filter in packet.filters:
            if session.subscriptions.pop(topic_filter, None) is not None:
                self._subscribers.remove(session, topic_filter)
                held.append(topic_filter)
        session.send(codec.unsuback(packet.packet_id))
        for event in session.side.subscriptions(session, "unsubscribed", held):
            await self._route(session.admitted.realm, event, None)

    def _over_limit(self, session: Session, packet: packets.Subscribe, code: str) -> None:
        """Journal a SUBSCRIBE past the side's limits or asking for QoS 2 (the caller closes the
        connection)."""
        started, first = time.perf_counter(), packet.filters[0][0]
        call = self._call(session, "Subscribe", topic=first, filters=len(packet.filters))
        call.code = code
        journal(self.cloud, call, "MQTT", first, packets.SUBSCRIBE_FAILED, started)
