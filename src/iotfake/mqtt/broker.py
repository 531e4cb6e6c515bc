"""The MQTT broker: asyncio, in a thread of its own, routing messages the registry allows.

One event loop serves every connection. The loop never touches the registry: whatever needs it
(admitting a device, checking a policy, a shadow update, a status change) runs on a small thread
pool (``_work``), so a slow registry call delays one client, never the loop, and the registry
lock is never taken on the loop. What the registry publishes by itself (iot-data's Publish, the
shadow service's answers, JITR events) reaches the broker as ``published`` events of the change
log and is routed like a device's message.

Each connection belongs to a *device side* (``aws.py``, ``enos.py``: chosen by what the client
presents) that admits it and decides what it may publish, subscribe and receive; messages route
within a *realm* (an AWS account and region, an EnOS organisation), never across. Fault rules
apply per connection, subscription and message (provider ``aws-mqtt`` / ``enos-mqtt``, operations
``Connect``, ``Subscribe``, ``Publish``), and the journal records each of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from ..operations import journal
from ..providers.base import Call
from ..registry import errors as domain
from . import codec, packets, persistence, tls, topics
from .connection_api import ConnectionApi
from .listening import REVOKED, Listening
from .loop import new_loop
from .persistence import Away
from .session import ClientKey, Session
from .sides import DeviceSide, Hello, Refused
from .subscribers import Subscribers
from .subscribing import Subscribing

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from ..faults.engine import Decision

log = logging.getLogger("iotfake")
T = TypeVar("T")

#: AWS IoT Core's largest message (quotas: 128 KB), and room for the topic and header
MAX_PAYLOAD = 128 * 1024
MAX_PACKET = MAX_PAYLOAD + 64 * 1024
#: how long a new connection may take to send CONNECT (AWS closes idle handshakes too)
CONNECT_TIMEOUT = 10.0
#: how many disconnected clients GetConnection still describes (the oldest are forgotten first)
MAX_GONE = 10_000
#: disconnect reasons after which a client's last will is not published: it said goodbye, or the
#: fake itself is stopping or starting afresh (a will must not leak into the next test's state).
#: AUTH_ERROR (credentials withdrawn) sends it, as AWS's table of disconnect reasons says
NO_WILL = frozenset({"CLIENT_INITIATED_DISCONNECT", "SERVER_INITIATED_DISCONNECT"})
#: disconnects after which a persistent session is not kept: the fake starts afresh or stops, or
#: the credentials that admitted it are withdrawn
ENDS_SESSION = frozenset({"SERVER_INITIATED_DISCONNECT", REVOKED})


class Broker(Listening, ConnectionApi, Subscribing):
    def __init__(
        self,
        cloud: FakeCloud,
        *,
        host: str = "127.0.0.1",
        port: int | None = 0,
        tls_port: int | None = 0,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self.cloud = cloud
        self.host = host
        self._ports = {"plain": port, "tls": tls_port}
        self.connect_timeout = connect_timeout
        self.port: int | None = None
        self.tls_port: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        #: the connected clients by (realm, client id): a client id connects once
        self._sessions: dict[ClientKey, Session] = {}
        self._subscribers = Subscribers()
        self._away = Away()  # persistent sessions whose clients left
        #: the last disconnect of each (realm, client id), for iot-data's GetConnection
        self._gone: dict[ClientKey, dict[str, Any]] = {}
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="iotfake-mqtt")
        self._unsubscribe: Callable[[], None] | None = None
        self._ready = threading.Event()
        self._tls: Any = None
        self._error: BaseException | None = None
        from .sides import sides_for

        self.sides = sides_for(cloud)

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> Broker:
        self._thread = threading.Thread(target=self._run, name="iotfake-mqtt", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        self._unsubscribe = self.cloud.changes.subscribe(self._hear)
        self.cloud.broker = self  # iot-data's connection operations reach it
        return self

    def _run(self) -> None:
        loop = self.loop = new_loop()  # real time under freeze_time (see ``loop``)
        try:
            loop.run_until_complete(self._listen())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            self._run_ticking(loop)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _listen(self) -> None:
        if self._ports["plain"] is not None:
            server = await self._bind(self._serve_plain, self._ports["plain"], None)
            self.port = server.sockets[0].getsockname()[1]
        if self._ports["tls"] is not None:
            from .tls import server_context

            self._tls = server_context(self.cloud, self.host)
            server = await self._bind(self._serve_tls, self._ports["tls"], self._tls.context)
            self.tls_port = server.sockets[0].getsockname()[1]

    async def _bind(
        self, serve: Callable[..., Any], port: int, context: ssl.SSLContext | None
    ) -> asyncio.Server:
        try:
            server = await asyncio.start_server(serve, self.host, port, ssl=context)
        except OSError as exc:
            error = OSError(exc.errno, f"cannot listen on {self.host}:{port}: {exc.strerror}")
            error.port = port  # type: ignore[attr-defined]
            raise error from exc
        self._servers.append(server)
        return server

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if getattr(self.cloud, "broker", None) is self:
            self.cloud.broker = None
        loop = self.loop
        if loop is None or not loop.is_running():
            return
        asyncio.run_coroutine_threadsafe(self._close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _close(self) -> None:
        for server in self._servers:
            server.close()
        await self._drop_all("SERVER_INITIATED_DISCONNECT")
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()

    def __enter__(self) -> Broker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _work(self, fn: Callable[..., T], *args: Any) -> T:
        """Registry work, off the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn, *args)

    # -- connections ----------------------------------------------------------------------------------
    async def _serve_plain(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._serve(reader, writer, "plain")

    async def _serve_tls(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._serve(reader, writer, "tls")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener: str) -> None:
        session: Session | None = None
        reason = "CLIENT_INITIATED_DISCONNECT"
        try:
            session = await self._connect(reader, writer, listener)
            if session is None:
                return
            reason = await self._session_loop(reader, session)
        except (packets.ProtocolError, asyncio.IncompleteReadError, ConnectionError, ssl.SSLError) as exc:
            reason = "MQTT_KEEP_ALIVE_TIMEOUT" if isinstance(exc, TimeoutError) else "CLIENT_ERROR"
            log.debug("iotfake mqtt: closing a connection: %s", exc)
        except Exception:
            log.exception("iotfake mqtt: a connection failed")
            reason = "SERVER_ERROR"
        finally:
            if session is None and reason != "CLIENT_INITIATED_DISCONNECT":  # failed while connecting:
                session = self._claimed_by(writer)  # a client id it claimed must not stay connected
            if session is not None:
                await self._drop(session, reason)
            with contextlib.suppress(Exception):
                writer.close()

    def _claimed_by(self, writer: asyncio.StreamWriter) -> Session | None:
        """The session a connection claimed before its CONNECT failed, if it still holds one."""
        return next((s for s in self._sessions.values() if s.writer is writer), None)

    async def _connect(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener: str
    ) -> Session | None:
        try:
            packet = await asyncio.wait_for(codec.read(reader, MAX_PACKET), self.connect_timeout)
        except TimeoutError:
            return None  # no CONNECT in time: 3.1.1 says close the connection
        if not isinstance(packet, packets.Connect):
            return None  # the first packet must be CONNECT (3.1.0-1)
        client_id = packet.client_id
        if not client_id and packet.clean_session:  # 3.1.3-6: the server assigns one (no "/" in it:
            client_id = "iotfake-" + self.cloud.ids.uuid().replace("-", "")  # it names topics)
        hello = Hello(
            client_id=client_id,
            username=packet.username,
            password=packet.password,
            listener=listener,
            peer_certificate=tls.peer_certificate(writer),
            address=(writer.get_extra_info("peername") or ("", 0))[0],
            keep_alive=packet.keep_alive,
            clean_session=packet.clean_session,
        )
        side = self.sides.pick(hello)
        started = time.perf_counter()
        call = side.call("Connect", hello)
        if packet.protocol_level != 4:
            return self._refuse(
                writer, side, call, started, packets.BAD_PROTOCOL, "only MQTT 3.1.1 is served"
            )
        if self.cloud.unsaved is not None or self.cloud.sealed:  # nothing can be kept now
            return self._refuse(
                writer, side, call, started, packets.SERVER_UNAVAILABLE, "iotfake cannot save its state"
            )
        if not client_id:
            return self._refuse(
                writer, side, call, started, packets.IDENTIFIER_REJECTED,
                "an empty client id needs a clean session (MQTT 3.1.1, 3.1.3-8)",
            )  # fmt: skip
        if self.cloud.faults.active:  # a rule may match what the registry says the client is
            identified = await self._work(side.identify, hello)
            call.tenant = identified.pop("tenant", None)
            call.params.update(identified)
        decision = self.cloud.faults.decide(call)
        if decision is not None:
            refusal = await self._apply(decision, side, call, "", started)
            if refusal is not None:
                return self._refuse(writer, side, call, started, refusal.code, refusal.reason)
        try:
            admitted = await self._work(side.admit, hello)
        except Refused as exc:
            return self._refuse(writer, side, call, started, exc.code, exc.reason)
        call.tenant = admitted.tenant
        call.params.update(admitted.params)
        session = Session(writer, side, hello, admitted, since=self.cloud.clock.ms())
        session.will = packet.will
        # a client id connects once (AWS's rule): claimed before anything is awaited, so that two
        # connections arriving together cannot both find no one to replace and both stay
        other = self._sessions.get(session.key)
        self._sessions[session.key] = session
        if other is not None:
            await self._drop(other, "DUPLICATE_CLIENTID")
        if session.closed:  # itself replaced by a newer connection meanwhile
            return None
        # the registry knows the device is connected before the device hears it is (a test that
        # reads the status right after CONNACK sees it online); a drop meanwhile waits for it, so
        # the side hears of the connection before of its end
        session.connecting = asyncio.ensure_future(self._work(side.connected, session))
        events = await session.connecting
        call.code = "OK"
        journal(self.cloud, call, "MQTT", "", 0, started)  # journaled before the device hears
        if session.closed:
            return None
        if call.fault_action == "lost_response":  # admitted, its answer lost: cut off, any session
            for message in events:  # it had kept waiting still
                await self._route(session.admitted.realm, message, origin=None)
            await self._drop(session, "CONNECTION_LOST")
            return None
        # from here to the kept messages, nothing is awaited: no message reaches the client
        # before its CONNACK, nor a new one before those that waited for it
        waiting = self._resume(session)
        writer.write(codec.connack(packets.ACCEPTED, session_present=waiting is not None))
        for message in admitted.pushes:
            self._deliver(session, message)
        for message in waiting or ():
            if message.dup:  # unacknowledged when the client left: sent again as it was
                self._resend(session, message)
            else:
                self._deliver(session, message)
        for message in events:
            await self._route(session.admitted.realm, message, origin=None)
        return session

    def _resume(self, session: Session) -> list[packets.Publish] | None:
        self._expire()
        session.established = True
        return persistence.resume(self._away, self._subscribers, session)

    def _expire(self) -> None:
        persistence.expire(self._away, self._subscribers, self.cloud.clock.ms())

    def _refuse(
        self,
        writer: asyncio.StreamWriter,
        side: DeviceSide,
        call: Call,
        started: float,
        code: int,
        reason: str,
    ) -> None:
        call.code = f"CONNACK {code}"
        call.params["reason"] = reason[:256]
        journal(self.cloud, call, "MQTT", "", code, started)
        writer.write(codec.connack(code))
        return None

    async def _apply(
        self, decision: Decision, side: DeviceSide, call: Call, path: str, started: float
    ) -> Refused | None:
        """Wait a fault's delay on the loop; what its error means for this packet (None: go on).
        A drop is journaled, naming its rule, with no code (nothing was answered), as over HTTP."""
        if decision.delay > 0:
            await asyncio.sleep(decision.delay)
        if decision.kind == "drop":
            call.code = None
            journal(self.cloud, call, "MQTT", path, 0, started)
            raise ConnectionAbortedError(f"dropped by fault rule {decision.rule}")
        failure = self.cloud.faults.failure(side, call, decision)
        if failure is None:
            return None
        return Refused(side.connack_code(failure), f"fault rule {decision.rule}: {failure.message}")

    async def _session_loop(self, reader: asyncio.StreamReader, session: Session) -> str:
        keep_alive = session.side.keep_alive(session.hello.keep_alive)
        timeout = keep_alive * 1.5 if keep_alive else None
        while not session.closed:
            try:
                packet = await asyncio.wait_for(codec.read(reader, MAX_PACKET), timeout)
            except TimeoutError:
                return "MQTT_KEEP_ALIVE_TIMEOUT"
            if packet is None:
                return "CONNECTION_LOST"
            if isinstance(packet, packets.Simple):
                if packet.kind == packets.DISCONNECT:
                    return "CLIENT_INITIATED_DISCONNECT"
                session.send(codec.pingresp())
            elif isinstance(packet, packets.Publish):
                if not await self._publish(session, packet):
                    return "CLIENT_ERROR"
            elif isinstance(packet, packets.Subscribe):
                if not await self._subscribe(session, packet):
                    return "CLIENT_ERROR"
            elif isinstance(packet, packets.Unsubscribe):
                await self._unsubscribe_filters(session, packet)
            elif isinstance(packet, packets.Ack) and packet.kind == packets.PUBACK:
                session.inflight.pop(packet.packet_id, None)
                waiter = session.waiting.pop(packet.packet_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)
            elif isinstance(packet, packets.Ack):
                return "CLIENT_ERROR"  # QoS 2 flows: AWS IoT does not support QoS 2
            elif isinstance(packet, packets.Connect):
                return "CLIENT_ERROR"  # a second CONNECT is a protocol violation (3.1.0-2)
        return "SERVER_INITIATED_DISCONNECT"

    async def _drop(
        self,
        session: Session,
        reason: str,
        detail: str | None = None,
        *,
        clean: bool = False,
        will: bool = True,
    ) -> None:
        """End a connection; ``clean``: discard its session even if the client asked to keep it;
        ``will``: publish its last will if the reason calls for one."""
        if session.closed:
            return
        session.closed = True
        key = session.key
        if self._sessions.get(key) is session:  # not the newer connection that replaced it
            del self._sessions[key]
        if session.connecting is not None and not session.connecting.done():
            with contextlib.suppress(Exception):  # the side hears of the connection first
                await asyncio.shield(session.connecting)
        kept = not (session.hello.clean_session or clean or reason in ENDS_SESSION)
        if not kept or not session.established:  # one never established took up no session
            self._subscribers.drop(session)
        else:  # its subscriptions stay listening, and what they select waits (``persistence``)
            for evicted in self._away.keep(session, self.cloud.clock.ms()):
                self._subscribers.drop(evicted)
        self._gone.pop(key, None)  # the newest last, so the oldest go first past the bound
        self._gone[key] = {
            "disconnectedSince": self.cloud.clock.ms(),
            "disconnectReason": reason,
            "thingName": session.admitted.params.get("thingName"),
        }
        while len(self._gone) > MAX_GONE:  # client ids may be new on every connection (EnOS's are)
            del self._gone[next(iter(self._gone))]
        for waiter in session.waiting.values():
            if not waiter.done():
                waiter.cancel()
        call = session.side.call("Disconnect", session.hello)
        call.tenant = session.admitted.tenant
        call.params.update(session.admitted.params, reason=reason)
        if detail is not None:
            call.params["detail"] = detail
        call.code = "OK"
        # journaled and in the registry (offline, not connected) before the client sees the close
        journal(self.cloud, call, "MQTT", "", 0, time.perf_counter())
        messages = await self._work(session.side.disconnected, session, reason)
        with contextlib.suppress(Exception):
            session.writer.close()
        if reason == REVOKED and not session.side.will_when_withdrawn:
            will = False
        if will and session.will is not None and reason not in NO_WILL:
            await self._publish_will(session)
        for message in messages:
            await self._route(session.admitted.realm, message, origin=None)

    async def _publish_will(self, session: Session) -> None:
        """The last will, published as the client would have published it (MQTT 3.1.1 3.1.2.5):
        checked against its policy, journaled, answered by the cloud where the topic asks."""
        will = session.will
        assert will is not None
        started = time.perf_counter()
        call = self._call(session, "Publish", topic=will.topic, qos=will.qos, retain=will.retain, will=True)
        if not topics.valid_name(will.topic) or len(will.payload) > MAX_PAYLOAD:
            call.code = "NOT_AUTHORIZED"
            journal(self.cloud, call, "MQTT", will.topic, 0, started)
            return
        answers = await self._accepted(session, will, call, started)
        if answers is not None:
            await self._spread(session, will, answers)

    # -- packets --------------------------------------------------------------------------------------
    async def _publish(self, session: Session, message: packets.Publish) -> bool:
        """Handle a client's PUBLISH; False: the connection must close."""
        started = time.perf_counter()
        call = self._call(session, "Publish", topic=message.topic, qos=message.qos, retain=message.retain)
        session.published += 1
        if (
            message.qos == 2
            or not topics.valid_name(message.topic)
            or len(message.payload) > MAX_PAYLOAD
            or session.side.topic_problem(message.topic) is not None
        ):
            call.code = "REFUSED"
            journal(self.cloud, call, "MQTT", message.topic, 0, started)
            return False  # AWS IoT disconnects clients that publish what it does not accept
        decision = self.cloud.faults.decide(call)
        if decision is not None and decision.kind == "throttle":
            return self._throttled(call, message, started)
        if decision is not None:
            refusal = await self._apply(decision, session.side, call, message.topic, started)
            if refusal is not None:
                call.code = "REFUSED"
                journal(self.cloud, call, "MQTT", message.topic, 0, started)
                return False
        try:
            answers = await self._accepted(session, message, call, started)
        except domain.Throttled:  # the cloud's own (AWS: a retained message past the quota)
            return self._throttled(call, message, started)
        if answers is None:
            return False
        if message.qos == 1 and message.packet_id is not None and call.fault_action != "lost_response":
            session.send(codec.puback(message.packet_id))
        await self._spread(session, message, answers)
        return True

    def _throttled(self, call: Call, message: packets.Publish, started: float) -> bool:
        """Over a rate or a quota: AWS IoT discards the message and keeps the client connected;
        a QoS 1 one gets no PUBACK, so the client's own retry or timeout takes over."""
        call.code = "THROTTLED"
        journal(self.cloud, call, "MQTT", message.topic, 0, started)
        return True

    async def _accepted(
        self, session: Session, message: packets.Publish, call: Call, started: float
    ) -> list[packets.Publish] | None:
        """What the cloud answers to a message its client may publish (None: its policy refuses
        it); journaled either way."""
        if not await self._work(session.side.may_publish, session, message.topic, message.retain):
            call.code = "NOT_AUTHORIZED"
            journal(self.cloud, call, "MQTT", message.topic, 0, started)
            return None
        answers = await self._work(session.side.published, session, message)
        if self.cloud.unsaved is not None or self.cloud.sealed:  # what it wrote is kept nowhere:
            call.code = "UNAVAILABLE"  # no PUBACK, no answers; the connection closes
            journal(self.cloud, call, "MQTT", message.topic, 0, started)
            return None
        call.code = "OK"
        journal(self.cloud, call, "MQTT", message.topic, 0, started)
        return answers

    async def _spread(
        self, session: Session, message: packets.Publish, answers: list[packets.Publish]
    ) -> None:
        """A client's message to its realm's subscribers, then the cloud's answers to it."""
        await self._route(session.admitted.realm, message, origin=session)
        for answer in answers:
            if isinstance(answer, packets.Reply):
                if not session.closed:
                    self._deliver(session, answer)
            else:
                await self._route(session.admitted.realm, answer, origin=None)

    def _call(self, session: Session, operation: str, **params: Any) -> Call:
        call = session.side.call(operation, session.hello)
        call.tenant = session.admitted.tenant
        call.params.update(session.admitted.params, **params)
        return call

    # -- routing --------------------------------------------------------------------------------------
    async def _route(self, realm: tuple[str, str], message: packets.Publish, origin: Session | None) -> None:
        """Deliver a message to every subscriber of its realm that may receive it."""
        if self._away:  # a kept session past its hour listens no more
            self._expire()
        candidates = list(self._subscribers.matching(realm, message.topic).items())
        if not candidates:
            return
        allowed = await self._work(_receivers, candidates, message.topic)
        for session, qos in allowed:
            self._deliver(
                session, packets.Publish(message.topic, message.payload, min(qos, message.qos), False)
            )

    def _deliver(self, session: Session, message: packets.Publish) -> int | None:
        if not topics.valid_name(message.topic):  # no PUBLISH may carry it (3.3.2-2): never encoded,
            log.warning("iotfake mqtt: not delivering to the topic %r", message.topic[:256])  # never sent
            return None
        if session.closed:  # a persistent session whose client is away keeps it for its return
            persistence.queue(session, message)
            return None
        if session.backlogged():
            session.dropped += 1  # a client that does not read is not buffered for without end
            return None
        packet_id = session.next_id() if message.qos else None
        sent = packets.Publish(message.topic, message.payload, message.qos, message.retain, packet_id)
        if packet_id is not None:  # until its PUBACK: a persistent session sends it again
            session.track(sent)
        session.send(codec.publish(sent))
        return packet_id

    def _resend(self, session: Session, message: packets.Publish) -> None:
        """A QoS 1 message the client had not acknowledged when it left, sent again on its return
        with its packet identifier and DUP set (MQTT 3.1.1, 4.4.0-1)."""
        session.track(message)
        session.send(codec.publish(message))


def _receivers(candidates: list[tuple[Session, int]], topic: str) -> list[tuple[Session, int]]:
    return [(s, qos) for s, qos in candidates if s.side.may_receive(s, topic)]
