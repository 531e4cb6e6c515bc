"""Operations without HTTP: declared once, driven by any transport (HTTP, the MQTT broker, Python).

An HTTP request reaches a handler through the app's pipeline (bind, journal, authenticate, faults,
handle, render). A device publishing on ``$aws/things/lamp/shadow/update`` asks for the same
operation (UpdateThingShadow) with the same rules, faults and journal, but has no URL, headers or
status line. :class:`Invocation` is that pipeline without the wire: the caller hands over the
operation's input as a dict and gets the handler's output as a dict, or a
:class:`~iotfake.providers.base.ProviderError` in the provider's vocabulary, which it renders in
its own terms (an MQTT ``rejected`` payload, a CONNACK code).

Each provider declares what it can run this way (:class:`Declared`): the operation's service,
whether the handler takes the registry lock itself, the kind of record it acts on, and the fields
fault rules match on. The steps are split so an asyncio transport never blocks its loop:
:meth:`Invocation.decide` (quick), the fault's delay (the caller sleeps, asynchronously if it
likes), :meth:`Invocation.complete` (registry work: run it off the loop). :func:`invoke` does all
three for threaded callers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .journal import Entry, elapsed_ms
from .providers.base import Call, ProviderError
from .registry.errors import DomainError

if TYPE_CHECKING:
    from .cloud import FakeCloud
    from .faults.engine import Decision
    from .providers.base import Provider


@dataclass(frozen=True, slots=True)
class Declared:
    """What a provider says about one operation it can run without HTTP."""

    provider: str
    #: the operation's public name (fault rules and the journal use it)
    name: str
    #: the service within the provider (AWS: ``iot``, ``iotdata``, ``iot-jobs-data``)
    service: str
    #: True when the handler takes the registry lock itself, around its registry work only
    self_locking: bool
    #: the request field naming the record the call acts on, and that record's kind
    subject: tuple[str, str] | None
    #: the input fields fault rules can match on (and the journal records)
    match_fields: frozenset[str]


class AnswerLost(Exception):
    """A fault rule's ``lost_response``: the operation ran and committed; the answer never arrives."""

    def __init__(self, output: dict[str, Any], rule: str | None) -> None:
        super().__init__(f"the answer was lost by iotfake fault rule {rule!r}")
        self.output = output
        self.rule = rule


class Invocation:
    """One call of a declared operation, journaled as coming over ``transport`` (``MQTT``)."""

    def __init__(
        self,
        cloud: FakeCloud,
        provider: str,
        operation: str,
        values: dict[str, Any],
        *,
        tenant: str | None = None,
        transport: str = "PYTHON",
        path: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.cloud = cloud
        self.provider: Provider = cloud.providers[provider]
        declared = self.provider.declared(operation)
        if declared is None:
            raise LookupError(f"{provider} cannot run {operation!r} without HTTP")
        self.declared = declared
        self.values = values
        self.transport = transport
        self.path = path or operation
        self.call = Call(provider, operation, None, tenant=tenant)
        chosen = {k: v for k, v in values.items() if k in declared.match_fields and _scalar(v)}
        self.call.params = {**chosen, **(params or {})}
        self.provider.prepare(self.call)
        self.started = time.perf_counter()
        self.error: ProviderError | None = None

    def decide(self) -> Decision | None:
        """The fault rule that fires for this call, if any (the caller waits ``delay``)."""
        return self.cloud.faults.decide(self.call)

    def complete(self, decision: Decision | None = None) -> dict[str, Any]:
        """Run the operation (unless the decision answers for it) and journal the outcome.
        Raises the provider's error, or :class:`AnswerLost` after a committed run whose answer a
        rule loses."""
        try:
            failure = decision and self.cloud.faults.failure(self.provider, self.call, decision)
            if failure is not None:
                raise failure
            output = self.provider.run(self.call, self.values)
        except DomainError as exc:
            self._end(self.provider.from_domain(self.call, exc))
            raise self.error from exc  # type: ignore[misc]
        except ProviderError as exc:
            self._end(exc)
            raise
        self._end(None)
        self.cloud.changes.dispatch()  # what it changed reaches the listeners (the WAL, the broker)
        if self.call.fault_action == "lost_response":
            raise AnswerLost(output, self.call.fault)
        return output

    def _end(self, error: ProviderError | None) -> None:
        if error is not None:
            error.status = self.provider.status_of(self.call, error)
        self.error = error
        self.call.code = "OK" if error is None else str(error.code)
        journal(
            self.cloud,
            self.call,
            self.transport,
            self.path,
            200 if error is None else error.status,
            self.started,
        )


def journal(cloud: FakeCloud, call: Call, transport: str, path: str, status: int, started: float) -> None:
    """Record a call that came without HTTP (``started``: its ``time.perf_counter()``)."""
    cloud.journal.record(
        Entry(
            seq=0,
            time=cloud.clock.time(),
            provider=call.provider,
            operation=call.operation,
            tenant=call.tenant,
            params=call.params,
            method=transport,
            path=path,
            status=status,
            code=None if call.code is None else str(call.code),
            duration_ms=elapsed_ms(started),
            rule=call.fault,
            action=call.fault_action,
        )
    )


def invoke(
    cloud: FakeCloud,
    provider: str,
    operation: str,
    values: dict[str, Any],
    **options: Any,
) -> dict[str, Any]:
    """Run a declared operation from a thread: faults (sleeping their delay), handler, journal."""
    invocation = Invocation(cloud, provider, operation, values, **options)
    decision = invocation.decide()
    if decision is not None and decision.delay > 0:
        time.sleep(decision.delay)
    return invocation.complete(decision)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and not (isinstance(value, str) and len(value) > 256)
