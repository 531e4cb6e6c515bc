"""The fault engine: evaluates rules for each call and answers in the provider's own shape.

It sits in the request pipeline at two points (see ``app.py``): ``before`` runs after
authentication and may answer in place of the handler (an injected error, a throttle, a dropped
connection) or delay it (latency); ``after`` runs once the handler has answered and the registry
has committed (a lost response).

Rules are evaluated in order and the first that fires wins. One lock covers choosing the rule and
counting, so ``times=2`` means exactly two, whatever the thread count; the waiting (latency) and
the rendering happen outside it. The engine knows no provider: it reaches them only through
``from_domain``, ``from_code``, ``render`` and ``subject``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..documents import DocumentError
from ..registry.errors import BY_NAME, DomainError, KeyCollision, NotFound, Throttled, Unavailable
from ..reply import Reply
from ..suggest import suggest
from . import profile_loader as profiles
from . import retry_after
from .drop import Dropped
from .rules import MAX_COUNT, Rule, at, carried_fields, operation_matches

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from ..providers.base import Call, Provider, ProviderError

#: response header naming the rule that shaped a reply (real clients ignore it; people read it)
FAULT_HEADER = "X-Iotfake-Fault"
_UNSET: Any = object()


class FaultEngine:
    """``cloud.faults``: add, list and remove rules; the pipeline calls ``before``/``after``."""

    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud
        self._lock = threading.Lock()
        self._rules: tuple[Rule, ...] = ()
        self._next_id = 1

    # -- the rule list ------------------------------------------------------------------------------
    @property
    def rules(self) -> list[Rule]:
        """The rules in evaluation order (live objects: their counters move)."""
        return list(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def active(self) -> bool:
        """Whether any rule is set (a call on the express lane needs none: see ``express``)."""
        return bool(self._rules)

    def get(self, rule_id: str) -> Rule:
        for rule in self._rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no fault rule {rule_id!r}")

    def add(
        self,
        rule: Rule | dict[str, Any] | None = None,
        /,
        *,
        provider: str = "*",
        operation: str = "*",
        error: str | None = None,
        throttle: dict[str, Any] | float | None = None,
        latency_ms: float | tuple[float, float] | list[float] | None = None,
        drop: bool = False,
        lost_response: bool = False,
        action: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Rule:
        """Add one rule at the end of the list and return it (with its id).

        The action comes from ``error=``, ``throttle=``, ``latency_ms=``, ``drop=True``,
        ``lost_response=True`` or a whole ``action={...}``. Other rule fields (``id``, ``match``,
        ``times``, ``after``, ``every``, ``probability``, ``seed``, ``until``, ``description``,
        and ``from_`` for ``from``) pass as keywords. Raises
        :class:`~iotfake.documents.DocumentError` (a ValueError) naming the bad field.
        """
        if rule is not None:
            data = rule.to_dict() if isinstance(rule, Rule) else rule
            return self.add_rule(data)
        return self.add_rule(
            rule_document(
                provider=provider,
                operation=operation,
                error=error,
                throttle=throttle,
                latency_ms=latency_ms,
                drop=drop,
                lost_response=lost_response,
                action=action,
                **fields,
            )
        )

    def add_rule(self, data: dict[str, Any], path: str = "") -> Rule:
        """Add one rule given in its JSON shape."""
        return self._install([Rule.from_dict(data, path)], [path])[0]

    def load(self, rules: Any, path: str = "faults") -> list[Rule]:
        """Add one rule (an object) or a list of rules, all or none; errors name ``path[i]...``."""
        if isinstance(rules, dict):
            return self._install([Rule.from_dict(rules, path)], [path])
        if not isinstance(rules, list):
            raise DocumentError(path, "expected a list of fault rules (or one rule object)")
        paths = [f"{path}[{i}]" for i in range(len(rules))]
        return self._install([Rule.from_dict(r, p) for r, p in zip(rules, paths, strict=True)], paths)

    def apply_profile(self, name: str | Path) -> list[Rule]:
        """Add a throttle profile's rules: a built-in name (``"aws-defaults"``) or a JSON file."""
        return self.load(profiles.read(name), f"profile {name}.rules")

    def remove(self, rule_id: str) -> Rule:
        """Remove one rule; KeyError if there is none by that id."""
        with self._lock:
            rule = self.get(rule_id)
            self._rules = tuple(r for r in self._rules if r is not rule)
            self.cloud.mark_dirty()
            return rule

    def pause(self, rule_id: str, paused: bool = True) -> Rule:
        """Pause (or resume) one rule: a paused rule sees no call. KeyError if there is none."""
        with self._lock:
            rule = self.get(rule_id)
            rule.paused = paused
            self.cloud.mark_dirty()
            return rule

    def clear(self) -> int:
        """Remove every rule; returns how many there were. Generated ids keep counting up."""
        with self._lock:
            count, self._rules = len(self._rules), ()
            self.cloud.mark_dirty()
            return count

    def reset(self) -> None:
        with self._lock:
            self._rules = ()
            self._next_id = 1
            self.cloud.mark_dirty()

    def _install(self, rules: list[Rule], paths: list[str], *, replace: bool = False) -> list[Rule]:
        for rule, path in zip(rules, paths, strict=True):
            self._check(rule, path)
        with self._lock:
            existing = () if replace else self._rules
            taken = {r.id for r in existing}
            for rule, path in zip(rules, paths, strict=True):
                if rule.id in taken:
                    raise DocumentError(at(path, "id"), f"a fault rule with id {rule.id!r} exists already")
                if rule.id:
                    taken.add(rule.id)
            for rule in rules:
                if not rule.id:
                    while f"rule-{self._next_id}" in taken:
                        self._count_on()
                    rule.id = f"rule-{self._next_id}"
                    taken.add(rule.id)
                    self._count_on()
                if rule.needs_random and rule.rng is None:
                    rule.rng = random.Random(self._default_seed(rule) if rule.seed is None else rule.seed)
            self._rules = (*existing, *rules)
            self.cloud.mark_dirty()
        return rules

    def _count_on(self) -> None:
        """The next generated id's number; past ``MAX_COUNT``, 1 again (ids taken are skipped),
        so that every counter a snapshot holds is one ``restore`` takes."""
        self._next_id = self._next_id + 1 if self._next_id < MAX_COUNT else 1

    def _default_seed(self, rule: Rule) -> str | None:
        """A seeded cloud makes unseeded rules repeatable too (per rule id); else the OS decides."""
        seed = self.cloud.seed_value
        return None if seed is None else f"{seed}/{rule.id}"

    def _check(self, rule: Rule, path: str) -> None:
        """What only the providers can tell: names, operations, error codes."""
        providers = self.cloud.providers
        if rule.provider != "*" and rule.provider not in providers:
            served = ", ".join(sorted(providers))
            raise DocumentError(
                at(path, "provider"),
                f'unknown provider {rule.provider!r} (this cloud serves {served}, or "*")',
            )
        targets = list(providers.values()) if rule.provider == "*" else [providers[rule.provider]]
        if rule.operation != "*" and targets and all(p.operations for p in targets):
            known = sorted({op for p in targets for op in p.operations})
            if not any(operation_matches(rule.operation, op) for op in known):
                shown = sorted({op for p in targets for op in p.operations - p.hidden_operations})
                raise DocumentError(
                    at(path, "operation"),
                    f"no {rule.provider if rule.provider != '*' else 'provider'} operation is "
                    f"{rule.operation!r} ({suggest(rule.operation, shown)})",
                )
        _check_match(rule, targets, path)
        code = rule.action.error
        if code is None or code in BY_NAME:
            return
        where, names = at(path, "action.error"), ", ".join(BY_NAME)
        if rule.provider == "*":
            raise DocumentError(
                where,
                f"{code!r} is not a domain error name ({names}); a provider's own code needs the "
                "rule's provider set",
            )
        provider = providers[rule.provider]
        try:
            provider.from_code(self._probe(rule), code)
        except (ValueError, LookupError, NotImplementedError) as exc:
            raise DocumentError(
                where,
                f"{code!r} is neither a domain error name ({names}) nor a code {provider.name} knows: {exc}",
            ) from exc

    @staticmethod
    def _probe(rule: Rule) -> Call:
        """A stand-in call for asking a provider about a code when the rule is added."""
        from ..providers.base import Call

        operation = rule.operation if rule.operation != "*" else ""
        return Call(rule.provider, operation, None)

    # -- the pipeline -------------------------------------------------------------------------------
    def decide(self, call: Call) -> Decision | None:
        """The first rule that fires for ``call``, counted, as a transport-free decision (or None).

        Any transport drives it: HTTP sleeps for ``delay`` and renders in ``before``; the MQTT
        side waits asynchronously and answers in its own terms. Sets ``call.fault`` and
        ``call.fault_action`` for the journal.
        """
        if not self._rules:
            return None
        now = self.cloud.clock.time()
        wait: float | None = None
        with self._lock:
            for rule in self._rules:
                if not rule.applies(call, now):
                    continue
                self.cloud.mark_dirty()  # the rule counts the call (a snapshot keeps its counters)
                if not rule.arm():
                    continue
                if rule.buckets is not None:
                    wait = rule.buckets.take(call.tenant, rule.bucket_key(call), now)
                    if wait is None:  # a token was free: the throttle lets this one through
                        continue
                rule.fired += 1
                delay = rule.draw_latency()
                break
            else:
                return None
        call.fault = rule.id
        call.fault_action = rule.action.kind
        return Decision(rule.id, rule.action.kind, delay / 1000, rule.action.error, wait)

    def before(self, provider: Provider, call: Call) -> Reply | None:
        """HTTP: decide, wait, and answer for the handler (or let it run: latency, lost_response)."""
        decision = self.decide(call)
        if decision is None:
            return None
        if decision.delay > 0:
            time.sleep(decision.delay)
        return self.reply(provider, call, decision)

    def reply(self, provider: Provider, call: Call, decision: Decision) -> Reply | None:
        """The HTTP answer a decision stands for, in the provider's shape (None: run the handler)."""
        error = self.failure(provider, call, decision)
        if error is None:
            return None
        if decision.kind == "drop":
            return self._dropped(provider, call)
        response = self._render(provider, call, error)
        if decision.kind == "throttle" and decision.wait is not None and response.status_code in (429, 503):
            response.headers["Retry-After"] = retry_after.seconds(decision.wait)
        return response

    def failure(self, provider: Provider, call: Call, decision: Decision) -> ProviderError | None:
        """The provider's error a decision answers with (a drop's is its in-process fallback);
        None when the handler runs (latency alone, or a lost response, which acts in ``after``)."""
        if decision.kind == "error":
            assert decision.error is not None
            return self._error(provider, call, decision.error)
        if decision.kind == "throttle":
            return provider.from_domain(call, Throttled("Rate exceeded", retry_after=decision.wait))
        if decision.kind == "drop":
            message = f"the connection was dropped by iotfake fault rule {call.fault!r}"
            return provider.from_domain(call, Unavailable(message))
        return None

    def after(self, provider: Provider, call: Call, response: Reply) -> Reply:
        """The handler has answered and the registry committed: lose the reply if a rule says so."""
        if call.fault_action != "lost_response":
            return response
        answered = call.code
        dropped = self._dropped(provider, call)
        call.code = answered  # the journal keeps the answer that was lost
        return dropped

    @staticmethod
    def _error(provider: Provider, call: Call, name: str) -> ProviderError:
        domain = BY_NAME.get(name)
        if domain is not None:
            return provider.from_domain(call, _domain_error(domain, provider, call))
        return provider.from_code(call, name)

    @staticmethod
    def _render(provider: Provider, call: Call, error: ProviderError) -> Reply:
        response = provider.render(call, error)
        response.headers[FAULT_HEADER] = call.fault or ""
        return response

    def _dropped(self, provider: Provider, call: Call) -> Dropped:
        message = f"the connection was dropped by iotfake fault rule {call.fault!r}"
        fallback = self._render(provider, call, provider.from_domain(call, Unavailable(message)))
        return Dropped.instead_of(fallback)

    # -- state --------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Rules with their counters, random states and buckets, plus the id counter."""
        with self._lock:
            return {"next_id": self._next_id, "rules": [r.to_dict(state=True) for r in self._rules]}

    def restore(self, data: Any, path: str = "faults") -> None:
        """Replace every rule with a snapshot's (all or nothing)."""
        if isinstance(data, list):  # the bare list of rules a fixtures document holds
            data = {"rules": data}
        if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
            raise DocumentError(path, 'expected {"next_id": n, "rules": [...]}')
        rows = data.get("rules", [])
        paths = [f"{path}.rules[{i}]" for i in range(len(rows))]
        rules = [Rule.from_dict(row, p) for row, p in zip(rows, paths, strict=True)]
        next_id = data.get("next_id", 1)
        if isinstance(next_id, bool) or not isinstance(next_id, int) or not 1 <= next_id <= MAX_COUNT:
            # bounded: "rule-<next_id>" must stay a rule id (at most 128 characters)
            raise DocumentError(at(path, "next_id"), f"expected an integer >= 1 (at most {MAX_COUNT})")
        self._install(rules, paths, replace=True)
        with self._lock:
            self._next_id = next_id


def _check_match(rule: Rule, targets: list[Provider], path: str) -> None:
    """A ``match`` key no call of the rule's operations carries would never let the rule fire
    (and a throttle ``per`` such a field would put every call in one bucket): refuse it when
    added, naming the fields those calls do carry."""
    named = [(at(at(path, "match"), name), name) for name in rule.match]  # (where, field)
    if rule.action.per not in ("operation", "tenant"):
        named.append((at(path, "action.throttle.per"), rule.action.per))
    if not named:
        return
    fields = carried_fields(targets, rule.operation)
    if fields is None:
        return  # a provider that does not say accepts any name
    for where, name in named:
        root, dot, _ = name.partition(".")
        # a dotted name reaches into a field the calls carry as an object ("parameters.*"); into
        # any other it named nothing, and the rule was kept and never fired
        if name not in fields and not (dot and f"{root}.*" in fields):
            scope = f"{rule.provider if rule.provider != '*' else 'any'} {rule.operation}"
            known = sorted(fields)
            raise DocumentError(
                where,
                f"no {scope} call carries a field {name!r} ({suggest(name, known, 'fields')})",
            )


def _domain_error(kind: type[DomainError], provider: Provider, call: Call) -> DomainError:
    if kind is Throttled:
        return Throttled("Rate exceeded")
    if kind in (NotFound, KeyCollision):
        subject = provider.subject(call)
        if subject is not None:
            noun, key = subject
            return kind(kind=noun, key=key)  # the provider words it as for a real one
    return kind(f"{kind.name} (injected by iotfake fault rule {call.fault!r})")


def rule_document(
    *,
    provider: str = "*",
    operation: str = "*",
    error: str | None = None,
    throttle: dict[str, Any] | float | None = None,
    latency_ms: float | tuple[float, float] | list[float] | None = None,
    drop: bool = False,
    lost_response: bool = False,
    action: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The rule document ``FaultEngine.add``'s keywords stand for (what the admin API takes too)."""
    if action is None:
        action = {}
        if error is not None:
            action["error"] = error
        if throttle is not None:
            action["throttle"] = throttle
        if latency_ms is not None:
            action["latency_ms"] = list(latency_ms) if isinstance(latency_ms, tuple) else latency_ms
        if drop:
            action["drop"] = True
        if lost_response:
            action["lost_response"] = True
    elif error is not None or throttle is not None or latency_ms is not None or drop or lost_response:
        raise DocumentError(
            "action", "give either action={...} or error=/throttle=/latency_ms=/..., not both"
        )
    if "from_" in fields:
        fields["from"] = fields.pop("from_")
    return {"provider": provider, "operation": operation, "action": action, **fields}


@dataclass(frozen=True, slots=True)
class Decision:
    """What a fault rule does to one call, before any transport renders it."""

    #: the rule's id (the journal's ``rule``)
    rule: str
    #: error, throttle, latency, drop or lost_response
    kind: str
    #: seconds to wait before acting (latency; any action may carry one)
    delay: float
    #: the error the rule names (a domain name or the provider's own code), for ``error``
    error: str | None
    #: for a throttle: seconds until the bucket has a token again (None: unknown)
    wait: float | None
