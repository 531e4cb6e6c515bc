"""What a provider is: a translator between one cloud's wire protocol and the registry.

The app drives every request through the same steps (see ``app.py``):

    bind -> journal -> authenticate -> faults -> handle -> response

``bind`` never fails: it names the operation and pulls out the fields that fault rules match on
and the journal records, leaving validation to ``handle``. Errors travel as exceptions: a
:class:`~iotfake.registry.errors.DomainError` from the registry, which the provider maps with
:meth:`Provider.from_domain`, or a :class:`ProviderError` already in the provider's terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from werkzeug.routing import Rule
from werkzeug.wrappers import Request

from .. import jsonio
from ..registry.errors import DomainError
from ..reply import Reply

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from ..express import Ticket
    from ..operations import Declared


@dataclass(slots=True)
class Call:
    """One request as the fake understands it."""

    provider: str
    operation: str
    #: the HTTP request, when HTTP carried the call (None for calls that come another way: the
    #: MQTT side, or a stand-in the fault engine asks providers about)
    request: Request | None
    route_args: dict[str, Any] = field(default_factory=dict)
    #: the tenant the call acts in (EnOS orgId, AWS "account/region", scriptr account)
    tenant: str | None = None
    #: the request fields fault rules match on and the journal records
    params: dict[str, Any] = field(default_factory=dict)
    #: the decoded body, or None; ``body_error`` says why decoding failed
    body: Any = None
    body_error: str | None = None
    #: whatever ``authenticate`` established (an app, a token, an account)
    principal: Any = None
    #: the provider's own result code, set when the answer is rendered (journal)
    code: str | None = None
    #: id of the fault rule that fired, if any (journal)
    fault: str | None = None
    #: what that rule does (error, throttle, latency, drop, lost_response); set by the fault engine
    fault_action: str | None = None
    #: the query's parameters and the headers, read from the parts by a compiled call (which has
    #: no request); handlers read them through ``query_of``/``headers_of``, which fall back to
    #: the request, so a bind from a request leaves them None
    query: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None


class ProviderError(Exception):
    """An answer in the provider's own error vocabulary (code, message, HTTP status)."""

    def __init__(self, code: str | int, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        jsonio.encode(payload),
        status=status,
        headers=headers,
        content_type="application/json;charset=UTF-8",
    )


def headers_of(call: Call) -> Mapping[str, str]:
    """The call's headers: a compiled call's (``call.headers``), else its request's, else none."""
    if call.headers is not None:
        return call.headers
    return {} if call.request is None else call.request.headers


def query_of(call: Call) -> Mapping[str, str]:
    """The call's query parameters (the first value of each), as ``headers_of`` finds them."""
    if call.query is not None:
        return call.query
    return {} if call.request is None else call.request.args


def decode_json_body(call: Call) -> None:
    """Decode the request body into ``call.body``; record, never raise, what is wrong with it."""
    call.body, call.body_error = decode_json(call.request.get_data(cache=True))


def decode_json(raw: bytes) -> tuple[Any, str | None]:
    """A JSON body and None, or None and what is wrong with it (an empty body is None)."""
    if not raw.strip():
        return None, None
    try:
        return jsonio.loads(raw), None
    except jsonio.JSONInputError as exc:
        return None, str(exc)


class Compiled(Protocol):
    """One operation of a provider, compiled for the express lane's calls (``App.express``).

    The general path binds a call from a Request, then runs it through the provider's generic
    hooks (``bind``, ``authenticate``, ``handle``), each finding its operation's plan again. A
    compiled operation knows its plan already and reads the call's parts directly; it answers
    exactly as those hooks would (the express-lane tests hold the two together) and takes only
    calls it can answer so: anything else it hands back, before any effect, to the general path.
    """

    def bind(self, provider: Any, ticket: Ticket) -> tuple[Call, Any] | None:
        """The call and what ``run`` needs, with authentication and the input's checks done;
        None for a call the general path must answer (a refusal, a bad input, an odd header).
        No side effect: nothing stored, no id or request id drawn."""
        ...

    def run(self, provider: Any, call: Call, state: Any) -> Reply:
        """The answer; raises ProviderError or DomainError as ``handle`` does."""
        ...


class Provider:
    """Base class: subclasses set ``name`` and implement the hooks."""

    #: the provider's name in fault rules, the journal and fixtures documents ("enos", ...)
    name: ClassVar[str] = ""
    #: every operation name ``bind`` can produce; fault rules naming another are refused when
    #: added (empty: not checked)
    operations: ClassVar[frozenset[str]] = frozenset()
    #: operations ``bind`` names calls it does not serve by (``UnknownAction``): a rule may name
    #: them, but a did-you-mean never offers them
    hidden_operations: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud

    def reset(self) -> None:
        """Forget what tests configured on the provider that is not state (``cloud.reset``)."""

    @classmethod
    def match_fields(cls, operation: str) -> frozenset[str] | None:
        """The request fields ``bind`` puts in ``call.params`` for ``operation``: what a fault
        rule's ``match`` can name (besides ``tenant``). None: the provider does not say, so any
        name is accepted."""
        return None

    @classmethod
    def rules(cls) -> list[Rule]:
        """URL rules; each endpoint is ``(provider name, route name)``."""
        raise NotImplementedError

    def bind(self, request: Request, route: str, args: dict[str, Any]) -> Call:
        raise NotImplementedError

    def compiled(self, route: str) -> Compiled | None:
        """The compiled operation serving ``route`` on the express lane, or None (the default):
        its calls are bound from a Request and go through the hooks below."""
        return None

    def authenticate(self, call: Call) -> None:
        """Raise ProviderError (or a DomainError) to refuse the call; set ``call.principal``."""

    def handle(self, call: Call) -> Reply:
        raise NotImplementedError

    def from_domain(self, call: Call, error: DomainError) -> ProviderError:
        """Map a registry error to this provider's answer."""
        raise NotImplementedError

    def from_code(self, call: Call, code: str) -> ProviderError:
        """A provider-native error code named by a fault rule (``"11714"``).

        Raise ValueError (or LookupError) for a code this provider does not know: the fault engine
        asks, with a stand-in call, when a rule is added, so a typo fails there and not mid-test.
        """
        raise NotImplementedError

    def render(self, call: Call, error: ProviderError) -> Reply:
        """The wire form of an error; must set ``call.code``."""
        raise NotImplementedError

    # -- transport-free operations (see ``operations``) -------------------------------------------
    def declared(self, operation: str) -> Declared | None:
        """How ``operation`` runs without HTTP, or None when this provider cannot run it so."""
        return None

    def prepare(self, call: Call) -> None:
        """Complete a transport-free call before faults see it (its tenant, derived params)."""

    def run(self, call: Call, values: dict[str, Any]) -> dict[str, Any]:
        """Validate ``values`` as the operation's input and run its handler; the output as a dict.
        Raises ProviderError or DomainError as ``handle`` does."""
        raise NotImplementedError

    def status_of(self, call: Call, error: ProviderError) -> int:
        """The HTTP status ``error`` carries for ``call`` (what a transport-free caller reports)."""
        return error.status

    def subject(self, call: Call) -> tuple[str, str] | None:
        """The record the call is about, as ``(kind, key)`` with the registry's kinds
        (``("device", "meter-1")``), or None when it names none.

        A fault rule that injects ``NotFound`` or ``KeyCollision`` names this record, so the
        answer reads as the real one would ("Thing t1 cannot be found.") instead of naming nothing.
        """
        return None

    # -- fixtures documents and state ----------------------------------------------------------
    def seed(self, section: Any, path: str) -> None:
        """Load this provider's part of a fixtures document; raise DocumentError naming the path."""
        from ..documents import DocumentError

        raise DocumentError(path, f"the {self.name} provider takes no fixtures yet")
