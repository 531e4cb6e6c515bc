"""The request journal: what the fake saw, so a test can assert on it and a failure can show it.

A bounded ring: old entries fall off the front once ``size`` is reached, and ``dropped`` counts
them, so memory stays flat however long a server runs.

An HTTP call is noted as a plain row (``Journal.note``), its request fields as a tuple of pairs,
and becomes an :class:`Entry` only when someone reads the journal. Every call writes the journal
and few read it: an Entry per call cost a tenth of an in-process call, and, as an object the
garbage collector must track, kept costing at each collection while it was held. A row of text
and numbers is untracked at the first collection.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Any

from .faults.rules import GLOB
from .suggest import suggest

if TYPE_CHECKING:
    from collections.abc import Callable

#: provider result codes that mean success (EnOS 0, scriptr "success"; AWS sends none)
OK_CODES = (None, "0", "success", "OK")
OUTCOMES = ("ok", "error", "fault")
#: how many entries an assertion message lists before it says "and N more"
SHOWN = 20
#: what an entry keeps of its request fields: strings cut to this many characters, at most this
#: many items per object or list, this many levels deep; 10,000 entries stay a few MB however
#: large the requests were
MAX_PARAM_CHARS = 256
MAX_PARAM_ITEMS = 32
MAX_PARAM_DEPTH = 3


@dataclass(slots=True)
class Entry:
    """One call. ``status`` is the HTTP status the client got, ``None`` when a fault rule dropped
    the connection; ``code`` is the provider's result code (for a lost response: the answer that
    was lost); ``rule`` and ``action`` name the fault rule that fired and what it did."""

    seq: int
    time: float
    provider: str
    operation: str
    tenant: str | None
    params: dict[str, Any] = field(default_factory=dict)
    method: str = ""
    path: str = ""
    status: int | None = None
    code: str | None = None
    duration_ms: float | None = None
    #: id of the fault rule that fired, if any
    rule: str | None = None
    #: what that rule did: error, throttle, latency, drop, lost_response
    action: str | None = None

    @property
    def outcome(self) -> str:
        """``ok``, ``error`` or ``fault``: the coarse result most assertions want.

        ``fault`` means a rule changed the answer; a rule that only added latency leaves the
        outcome to the answer itself.
        """
        if self.rule is not None and self.action != "latency":
            return "fault"
        if self.status is not None and self.status < 400 and self.code in OK_CODES:
            return "ok"
        return "error"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome
        return data

    def __str__(self) -> str:
        parts = [f"#{self.seq}", self.provider, self.operation, *(f"{k}={v}" for k, v in self.params.items())]
        parts += ["->", "dropped" if self.status is None else str(self.status)]
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.rule is not None:
            parts.append(f"[rule {self.rule}: {self.action}]")
        return " ".join(parts)


class Journal:
    def __init__(self, size: int = 10_000) -> None:
        if size < 1:
            raise ValueError("the journal needs room for at least one entry")
        self.size = size
        #: Entries, and rows (``note``) not read yet: ``_read`` turns them into Entries
        self._entries: deque[Entry | tuple[Any, ...]] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = 0
        self.dropped = 0
        self._rows = False  # whether the ring holds rows (``note``) not read yet
        #: the ids of the cloud's fault rules, so an assertion can tell a typo from a quiet rule
        self.rule_ids: Callable[[], list[str]] | None = None

    def record(self, entry: Entry) -> Entry:
        entry.params = _bounded_params(entry.params)
        with self._lock:
            self._seq += 1
            entry.seq = self._seq
            if len(self._entries) == self.size:
                self.dropped += 1
            self._entries.append(entry)
        return entry

    def note(
        self,
        time: float,
        provider: str,
        operation: str,
        tenant: str | None,
        params: dict[str, Any],
        method: str,
        path: str,
        status: int | None,
        code: str | None,
        duration_ms: float | None,
        rule: str | None,
        action: str | None,
    ) -> None:
        """:meth:`record` an entry of these fields (the :class:`Entry`'s, less ``seq``), kept as
        a row until the journal is read (see the module's docstring)."""
        packed = _packed_params(params)
        with self._lock:
            seq = self._seq = self._seq + 1
            if len(self._entries) == self.size:
                self.dropped += 1
            self._rows = True
            self._entries.append(
                (
                    seq,
                    time,
                    provider,
                    operation,
                    tenant,
                    packed,
                    method,
                    path,
                    status,
                    code,
                    duration_ms,
                    rule,
                    action,
                )
            )

    def _read(self) -> list[Entry]:
        """The entries in call order, each row made an Entry (once: the ring keeps it)."""
        with self._lock:
            entries = self._entries
            if self._rows:
                entries = self._entries = deque(map(_entry, entries), maxlen=self.size)
                self._rows = False
            return list(entries)  # type: ignore[arg-type]

    def calls(
        self,
        provider: str | None = None,
        operation: str | None = None,
        outcome: str | None = None,
        tenant: str | None = None,
        *,
        rule: str | None = None,
        params: dict[str, Any] | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Entries in call order, filtered; ``params`` match request fields
        (``{"deviceKey": "m1"}``) and ``limit`` keeps the most recent ones.

        Unknown filter names raise TypeError rather than match nothing, and a provider or an
        operation no call can carry raises ValueError with the names it may mean: an assertion
        that a call did *not* happen must not pass because of a typo.
        """
        entries = self._read()
        check_filters(entries, provider=provider, operation=operation, tenant=tenant, rule=rule)
        if params:
            check_params(entries, params, provider, operation)
        return _select(entries, provider, operation, outcome, tenant, rule, params, limit)

    def listing(
        self,
        provider: str | None = None,
        operation: str | None = None,
        outcome: str | None = None,
        tenant: str | None = None,
        *,
        rule: str | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """:meth:`calls` without the name checks, for the admin API's listing: the console sends
        its filters a keystroke at a time, and a half-typed name lists nothing rather than fail."""
        return _select(self._read(), provider, operation, outcome, tenant, rule, None, limit)

    def last(self, **filters: Any) -> Entry:
        """The most recent matching entry; AssertionError (listing the journal) if there is none."""
        found = self.calls(**filters)
        if not found:
            raise AssertionError(f"no call {_describe(filters)} in the journal\n{self._tail()}")
        return found[-1]

    # -- assertions -------------------------------------------------------------------------------
    def assert_called(
        self, operation: str | None = None, *, times: int | None = None, **filters: Any
    ) -> list[Entry]:
        """Assert calls happened: ``times`` exactly, or at least once; returns them.

        ``filters`` are those of :meth:`calls` (provider, outcome, tenant, rule, params).
        """
        filters = {"operation": operation, **filters} if operation is not None else filters
        found = self.calls(**filters)
        if (times is None and found) or len(found) == times:
            return found
        expected = "at least one call" if times is None else f"{times} call{'s' * (times != 1)}"
        raise AssertionError(
            f"expected {expected} {_describe(filters)}, the journal holds {len(found)}{self._note()}"
            + (f":\n{_listing(found)}" if found else f"\n{self._tail()}")
        )

    def assert_not_called(self, operation: str | None = None, **filters: Any) -> None:
        self.assert_called(operation, times=0, **filters)

    def assert_fault_fired(self, rule: str, times: int | None = None, **filters: Any) -> list[Entry]:
        """Assert the fault rule ``rule`` shaped ``times`` calls (or at least one).

        ``rule`` is an id: None would ask for no rule at all and pass on any call (a rule added
        without an id has one only once added: ``rule.id``, not ``data.get("id")``).
        """
        if not isinstance(rule, str):
            raise TypeError(
                f"assert_fault_fired takes a fault rule's id (a string such as 'rule-1'), not {rule!r}"
            )
        found = self.calls(rule=rule, **filters)
        if (times is None and found) or len(found) == times:
            return found
        expected = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
        known = self.rule_ids() if self.rule_ids is not None else None
        if not found and known is not None and rule not in known and not self.calls(rule=rule):
            listed = ", ".join(map(repr, known)) if known else "none"
            raise AssertionError(f"no fault rule {rule!r} exists (the cloud's rules: {listed})")
        where = f" on calls {_describe(filters)}" if filters else ""
        raise AssertionError(
            f"expected fault rule {rule!r} to fire {expected}{where}, it fired {len(found)}"
            f"{self._note()}" + (f":\n{_listing(found)}" if found else f"\n{self._tail()}")
        )

    def _note(self) -> str:
        return f" ({self.dropped} older entries fell off the journal)" if self.dropped else ""

    def _tail(self) -> str:
        recent = self._read()[-SHOWN:]
        if not recent:
            return "the journal is empty"
        return f"the last {len(recent)} calls were:\n{_listing(recent)}"

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seq = 0
            self.dropped = 0
            self._rows = False


def elapsed_ms(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading), to the microsecond.
    Integer arithmetic, not ``round(x, 3)``: its decimal conversion was a measurable part of
    journaling an in-process call."""
    return int((time.perf_counter() - started) * 1_000_000 + 0.5) / 1000


def _bounded_params(params: dict[str, Any]) -> dict[str, Any]:
    """A bounded copy of a call's params; most are a few short strings, copied as they are."""
    if _short_text(params):
        return dict(params)  # a str subclass passes here, and _bounded keeps it as it is
    return _bounded_rest(params)


def _bounded_rest(params: dict[str, Any]) -> dict[str, Any]:
    """``_bounded_params`` of params that are not short text all together."""
    if len(params) <= MAX_PARAM_ITEMS:
        for key, value in params.items():
            if type(value) is not str or type(key) is not str or len(value) + len(key) > MAX_PARAM_CHARS:
                break
        else:
            return dict(params)
    return _bounded(params, 0)


def _packed_params(params: dict[str, Any]) -> tuple[tuple[str, str], ...] | dict[str, Any]:
    """``_bounded_params`` as a row keeps them: short text as a tuple of pairs (which the
    garbage collector stops tracking), anything else as the bounded dict."""
    if _short_text(params):
        return tuple(params.items())
    return _bounded_rest(params)


def _short_text(params: dict[str, Any]) -> bool:
    """Whether ``params`` are a few items of text, short all together (so each is short): one
    join instead of a loop."""
    if len(params) > MAX_PARAM_ITEMS:
        return False
    try:
        return len("".join([*params, *params.values()])) <= MAX_PARAM_CHARS
    except TypeError:  # a key or value that is not text
        return False


def _entry(item: Entry | tuple[Any, ...]) -> Entry:
    """The Entry of a journal item (see ``Journal.note``)."""
    if type(item) is not tuple:
        return item  # type: ignore[return-value]
    entry = Entry(*item)
    if type(entry.params) is tuple:
        entry.params = dict(entry.params)
    return entry


def _bounded(value: Any, depth: int) -> Any:
    """``value`` with long strings cut and big or deep containers trimmed (see MAX_PARAM_*)."""
    if isinstance(value, str):
        if len(value) <= MAX_PARAM_CHARS:
            return value
        return f"{value[:MAX_PARAM_CHARS]}... ({len(value)} characters)"
    if isinstance(value, dict):
        if depth >= MAX_PARAM_DEPTH:
            return "{...}"
        return {_bounded(k, depth): _bounded(v, depth + 1) for k, v in islice(value.items(), MAX_PARAM_ITEMS)}
    if isinstance(value, list | tuple):
        if depth >= MAX_PARAM_DEPTH:
            return "[...]"
        return [_bounded(v, depth + 1) for v in islice(value, MAX_PARAM_ITEMS)]
    return value


def _select(
    entries: list[Entry],
    provider: str | None,
    operation: str | None,
    outcome: str | None,
    tenant: str | None,
    rule: str | None,
    params: dict[str, Any] | None,
    limit: int | None,
) -> list[Entry]:
    """The entries that pass every filter given (None: any), the last ``limit`` of them."""
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"outcome is one of {', '.join(OUTCOMES)}, not {outcome!r}")
    found = [
        e
        for e in entries
        if (provider is None or e.provider == provider)
        and (operation is None or e.operation == operation)
        and (outcome is None or e.outcome == outcome)
        and (tenant is None or e.tenant == tenant)
        and (rule is None or e.rule == rule)
        and all(k in e.params and str(e.params[k]) == str(v) for k, v in (params or {}).items())
    ]
    return found if limit is None else found[-limit:] if limit > 0 else []


def check_filters(entries: list[Entry], **names: str | None) -> None:
    """Refuse filters that could match no call: not text (TypeError), or a ``provider`` or an
    ``operation`` that neither a provider of the fake nor an entry of ``entries`` names
    (ValueError, with the names it may mean). Entries count so that a name the journal holds
    (a journal fed by hand, a server of another version) is never refused."""
    for key, value in names.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"the journal's {key} filter is a string (or None), not {value!r}")
    provider, operation = names.get("provider"), names.get("operation")
    if provider is not None:
        _check_provider(entries, provider)
    if operation is not None:
        _check_operation(entries, operation, provider)


def _check_provider(entries: list[Entry], provider: str) -> None:
    """A provider the fake serves (or the console), or one the journal holds."""
    catalogue = known_names()
    if provider in catalogue or any(e.provider == provider for e in entries):
        return
    known = sorted({*catalogue, *(e.provider for e in entries)})
    raise ValueError(f"unknown provider {provider!r} ({suggest(provider, known, 'providers')})")


def _check_operation(entries: list[Entry], operation: str, provider: str | None) -> None:
    """An operation of ``provider`` (of any, when None), or one the journal holds for it."""
    catalogue = known_names()
    if provider is None:
        names = list(catalogue.values())
    else:
        names = [catalogue[provider]] if provider in catalogue else []
    if any(not served or operation in served for served, _ in names):  # no list: not checked
        return
    held = {e.operation for e in entries if provider is None or e.provider == provider}
    if operation in held:
        return
    shown = sorted({*held, *(name for _, offered in names for name in offered)})
    exact = "the journal matches operation names exactly, not patterns; " if GLOB.search(operation) else ""
    raise ValueError(
        f"no {provider or 'provider'} operation is {operation!r} ({exact}{suggest(operation, shown)})"
    )


def check_params(
    entries: list[Entry], params: dict[str, Any], provider: str | None, operation: str | None
) -> None:
    """Refuse a ``params`` field no call of ``operation`` (any, when None) at ``provider`` (any)
    carries, as a fault rule's ``match`` is refused: ``assert_not_called(params={"deviceKye":
    ...})`` passed whatever was called. A field an entry of the journal holds is accepted."""
    from .faults.rules import carried_fields
    from .providers import provider_classes

    classes = [cls for cls in provider_classes() if provider is None or cls.name == provider]
    fields = carried_fields(classes, operation or "*") if classes else None
    if fields is None:
        return  # a provider that does not say (or the console): any name
    held = {key for e in entries for key in e.params or ()}
    for named in params:
        if named not in fields and named not in held:
            who = " ".join(part for part in (provider, operation) if part)
            known = suggest(named, sorted(fields), "fields")
            raise ValueError(f"no {who + ' ' if who else ''}call carries a field {named!r} ({known})")


@cache
def known_names() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each provider a call may be journaled under: the operation names its calls can carry, and
    those a did-you-mean offers (the providers' lists, as fault rules check theirs; and the
    console, which journals its own changes)."""
    from .console.actions import OPERATIONS, operation_name
    from .providers import provider_classes

    names = {
        cls.name: (cls.operations | cls.hidden_operations, cls.operations - cls.hidden_operations)
        for cls in provider_classes()
    }
    console = frozenset(OPERATIONS.values())
    names["console"] = (console | {operation_name(None)}, console)  # see console/views.py: action
    return names


def _describe(filters: dict[str, Any]) -> str:
    shown = {k: v for k, v in filters.items() if v is not None}
    return "with " + ", ".join(f"{k}={v!r}" for k, v in shown.items()) if shown else "of any kind"


def _listing(entries: list[Entry]) -> str:
    lines = [f"  {e}" for e in entries[:SHOWN]]
    if len(entries) > SHOWN:
        lines.append(f"  ... and {len(entries) - SHOWN} more")
    return "\n".join(lines)
