"""What a provider's device side is to the broker, and how a connection finds its side.

A device side is a :class:`~iotfake.providers.base.Provider` without HTTP routes (``aws-mqtt``,
``enos-mqtt``), so fault rules name it like any provider (``{"provider": "enos-mqtt",
"operation": "Connect", "action": {"error": "NOT_AUTHORIZED"}}``), the engine checks their
operations and codes when they are added, and the journal groups their entries. Besides the
Provider hooks it answers the broker's questions, each run off the event loop (they read the
registry): may this client connect (``admit``), subscribe, publish, receive; what does a message
it publishes trigger (``published``: the shadow service's answers, a measure point reply).

A side's error codes are CONNACK return codes, by name (``NOT_AUTHORIZED``) or number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from werkzeug.routing import Rule

from ..providers.base import Call, Provider, ProviderError
from ..registry import errors as domain
from ..registry.kinds import CA_CERTIFICATES, CERTIFICATES
from .packets import BAD_CREDENTIALS, CONNACK_NAMES, NOT_AUTHORIZED, SERVER_UNAVAILABLE, Publish

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from .session import Session

#: the registry tables a device is admitted by (``Admitted.credentials``)
CREDENTIALS = frozenset({CERTIFICATES, CA_CERTIFICATES, "devices"})

#: what the broker's calls carry (a fault rule's ``match``, a journal query's ``params``)
FIELDS = frozenset(
    {"clientId", "username", "listener", "address", "topic", "qos", "retain", "reason", "account", "region"}
    | {"detail", "filters", "will"}  # a disconnect's why, a SUBSCRIBE's count, a last will's publish
)


@dataclass(frozen=True, slots=True)
class Hello:
    """What a client presents: its CONNECT and, over TLS, its certificate."""

    client_id: str
    username: str | None
    password: str | None
    listener: str
    peer_certificate: str | None
    address: str
    keep_alive: int = 0
    #: MQTT's clean session flag: 0 asks the broker to keep the session when the client goes
    clean_session: bool = True


@dataclass
class Admitted:
    """An admitted connection: where its messages route and what it is."""

    #: the routing domain: messages never cross realms (``("aws", "<account>/<region>")``)
    realm: tuple[str, str]
    #: the journal's tenant
    tenant: str
    #: what the journal records and fault rules match on besides the client id
    params: dict[str, Any] = field(default_factory=dict)
    #: messages for this client right after its CONNACK (EnOS's activation info)
    pushes: list[Publish] = field(default_factory=list)
    #: the side's own state for this connection (an AWS policy connection, an EnOS device)
    principal: Any = None
    #: (table, key) of the registry records it was admitted by (its certificate, its device): a
    #: write of one asks the side whether the connection may stay (``DeviceSide.revoked``)
    credentials: frozenset[tuple[str, str]] = frozenset()


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class DeviceSide(Provider):
    operations: ClassVar[frozenset[str]] = frozenset({"Connect", "Disconnect", "Subscribe", "Publish"})
    #: extra fields this side's calls carry (a thing name, a device key)
    extra_fields: ClassVar[frozenset[str]] = frozenset()
    #: the most topic filters one SUBSCRIBE may carry, and one connection may hold; a client
    #: that asks for more is disconnected (None: no limit)
    max_filters_per_subscribe: ClassVar[int | None] = None
    max_subscriptions: ClassVar[int | None] = None
    #: whether a session ended because its credentials were withdrawn (``AUTH_ERROR``) publishes
    #: its last will: AWS's table of disconnect reasons says it does
    will_when_withdrawn: ClassVar[bool] = True

    @classmethod
    def rules(cls) -> list[Rule]:
        return []  # no HTTP: the broker drives it

    @classmethod
    def match_fields(cls, operation: str) -> frozenset[str] | None:
        return FIELDS | cls.extra_fields

    def call(self, operation: str, hello: Hello) -> Call:
        params: dict[str, Any] = {
            "clientId": hello.client_id,
            "listener": hello.listener,
            "address": hello.address,
        }
        if hello.username is not None:
            params["username"] = hello.username
        return Call(self.name, operation, None, params=params)

    # -- errors: CONNACK codes ---------------------------------------------------------------------
    def from_code(self, call: Call, code: str) -> ProviderError:
        value = CONNACK_NAMES.get(code.upper()) if not code.isdigit() else int(code)
        if value is None or not 1 <= value <= 5:
            names = ", ".join(n for n in CONNACK_NAMES if n != "ACCEPTED")
            raise ValueError(f"{code!r} is not a CONNACK refusal ({names}, or 1-5)")
        name = next(n for n, v in CONNACK_NAMES.items() if v == value)
        return ProviderError(name, f"refused with CONNACK {value} ({name})", status=value)

    def from_domain(self, call: Call, error: domain.DomainError) -> ProviderError:
        if isinstance(error, domain.Throttled | domain.Unavailable | domain.Internal):
            code = SERVER_UNAVAILABLE
        elif isinstance(error, domain.InvalidArgument | domain.TokenExpired):
            code = BAD_CREDENTIALS
        else:
            code = NOT_AUTHORIZED
        name = next(n for n, v in CONNACK_NAMES.items() if v == code)
        return ProviderError(name, error.message or name, status=code)

    def connack_code(self, error: ProviderError) -> int:
        return int(error.status) if 1 <= int(error.status) <= 5 else NOT_AUTHORIZED

    # -- the broker's questions (run off the loop) ------------------------------------------------
    def identify(self, hello: Hello) -> dict[str, Any]:
        """What the registry says a connecting client is, before it is admitted or refused: the
        fields a Connect fault rule may match that its CONNECT does not carry (AWS: the thing,
        certificate, account and region; EnOS: the organisation), and under ``tenant`` the
        tenant it belongs to (a rule's ``match`` on ``tenant``). Asked only while rules exist."""
        return {}

    def admit(self, hello: Hello) -> Admitted:
        raise Refused(NOT_AUTHORIZED, f"{self.name} admits no one")

    def revoked(self, session: Session) -> str | None:
        """Why an admitted connection may no longer stay (its certificate revoked, its device
        disabled or deleted), or None: asked after a write of one of its ``credentials``, so a
        credential the registry withdraws is withdrawn from the live session too."""
        return None

    def keep_alive(self, requested: int) -> int:
        """The keep-alive the broker holds a client to: what it asked for (0: none, MQTT 3.1.2.10)."""
        return requested

    def topic_problem(self, topic: str) -> str | None:
        """Why the provider refuses a topic or filter by its shape alone (AWS: its size), or None."""
        return None

    def may_subscribe(self, session: Session, topic_filter: str) -> bool:
        return True

    def may_publish(self, session: Session, topic: str, retain: bool = False) -> bool:
        return True

    def may_receive(self, session: Session, topic: str) -> bool:
        return True

    def published(self, session: Session, message: Publish) -> list[Publish]:
        """What a client's message triggers, to be published in its realm (answers, replies)."""
        return []

    def connected(self, session: Session) -> list[Publish]:
        return []

    def disconnected(self, session: Session, reason: str) -> list[Publish]:
        return []

    def subscriptions(self, session: Session, kind: str, filters: list[str]) -> list[Publish]:
        """What the service publishes of a SUBSCRIBE (``kind`` "subscribed") or UNSUBSCRIBE
        ("unsubscribed") that changed ``filters`` (AWS: lifecycle events). Run on the loop: it
        must not read the registry."""
        return []

    def retained(self, session: Session, filters: list[str]) -> list[Publish]:
        """Retained messages a new subscription receives."""
        return []

    #: a SUBSCRIBE asking for QoS 2 closes the connection unanswered (AWS); else QoS 1 is granted
    closes_on_qos_2: ClassVar[bool] = False

    #: the kinds of registry writes whose ``notices`` the side publishes
    watches: ClassVar[frozenset[str]] = frozenset()

    def notices(self, changes: list[Any]) -> list[tuple[tuple[str, str], Publish]]:
        """(realm, message) the service publishes after the registry's writes of a kind it
        ``watches``, committed (by either transport)."""
        return []

    #: the kinds of registry writes the side reads as they are dispatched (``heard``)
    hears: ClassVar[frozenset[str]] = frozenset()

    def heard(self, changes: list[Any]) -> list[tuple[tuple[str, str], Publish]]:
        """(realm, message) the service publishes of committed writes of a kind it ``hears``,
        made in the thread that dispatches them, right after they committed: unlike
        ``notices`` (made later, on the broker's pool, from the registry as it is then), what a
        record said at this write, even one edited in place (a thing) that a later write moves
        on. Called only while clients are connected; it must be cheap when it has nothing to say."""
        return []

    def tick(self, realms: set[tuple[str, str]]) -> None:
        """Time passed (about a second, or the fake's clock was moved) while clients of these
        realms are connected: bring up to date what the service changes on its own as time
        goes by, so that what it publishes of it (``notices``) reaches them without a call."""


class Sides:
    """Which device side a connection belongs to, from what it presents."""

    def __init__(self, cloud: FakeCloud) -> None:
        self.aws: DeviceSide = cloud.providers["aws-mqtt"]  # type: ignore[assignment]
        self.enos: DeviceSide = cloud.providers["enos-mqtt"]  # type: ignore[assignment]
        self.all = (self.aws, self.enos)
        self.watched = self.aws.watches | self.enos.watches
        self.heard = self.aws.hears | self.enos.hears

    def pick(self, hello: Hello) -> DeviceSide:
        """A client certificate is AWS IoT's mutual TLS; a ``deviceKey&productKey`` user is EnOS's
        login; a TLS client with neither is AWS's (refused: it presented no certificate)."""
        if hello.peer_certificate is not None:
            return self.aws
        if hello.username and "&" in hello.username:
            return self.enos
        return self.aws if hello.listener == "tls" else self.enos


def sides_for(cloud: FakeCloud) -> Sides:
    return Sides(cloud)
