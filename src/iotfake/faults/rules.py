"""Fault rules: which calls (match), when (trigger), and what goes wrong (action).

One shape everywhere - Python, fixtures documents, the admin API (see DESIGN.md)::

    {"id": "flaky", "provider": "enos", "operation": "CreateDevice", "match": {"orgId": "o1"},
     "action": {"error": "11714"}, "times": 2, "after": 0, "every": null,
     "probability": null, "seed": null, "from": null, "until": null}

Parsing checks the shape and names the bad path (``faults[1].action.error``); whether a provider
knows an error code is checked by the engine, which knows the providers.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from .. import jsonio
from ..documents import DocumentError
from ..numbers import real
from .retry_after import MAX_WAIT
from .throttle import Buckets

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..providers.base import Call

RULE_KEYS = (
    "id",
    "description",
    "paused",
    "provider",
    "operation",
    "match",
    "action",
    "times",
    "after",
    "every",
    "probability",
    "seed",
    "from",
    "until",
)
#: the actions that decide the answer; ``latency_ms`` may accompany any of them, or stand alone
ANSWERS = ("error", "throttle", "drop", "lost_response")
ACTION_KEYS = (*ANSWERS, "latency_ms")
#: rule ids travel in URLs (``DELETE /_iotfake/faults/{id}``) and response headers
RULE_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")
MAX_LATENCY_MS = 300_000
#: throttle rates in calls per second: from one a day (so no wait is longer than a day) to a
#: million; bursts up to a billion calls
MIN_RATE = 1 / MAX_WAIT
MAX_RATE = 1_000_000
MAX_BURST = 1_000_000_000
#: clock windows: epoch seconds up to the end of the year 9999, the last datetime can show
MAX_INSTANT = 253_402_300_799
#: times, after, every and the counters: a Java long, far past any test
MAX_COUNT = 2**63 - 1
GLOB = re.compile(r"[*?\[]")
#: a request field a throttle may keep its buckets by (dotted names reach into nested fields)
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,127}(\.[A-Za-z_][A-Za-z0-9_\-]{0,127}){0,7}")


def at(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@dataclass(frozen=True, slots=True)
class Action:
    """What a rule does once it fires. ``kind`` is one of ANSWERS, or ``"latency"`` alone."""

    kind: str
    #: a provider's own code ("11714") or a domain error name ("KeyAllocationFailed")
    error: str | None = None
    rate: float | None = None
    burst: float | None = None
    #: what a throttle keeps one bucket for, within a tenant: ``"operation"`` (each API its own
    #: quota, the default), ``"tenant"`` (one quota shared by every operation the rule names) or
    #: a request field (``"thingName"``: one quota per thing, across the rule's operations)
    per: str = "operation"
    #: (low, high) in milliseconds; equal for a fixed latency
    latency: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.kind == "error":
            data["error"] = self.error
        elif self.kind == "throttle":
            data["throttle"] = {"rate": self.rate, "burst": self.burst}
            if self.per != "operation":
                data["throttle"]["per"] = self.per
        elif self.kind in ("drop", "lost_response"):
            data[self.kind] = True
        if self.latency is not None:
            low, high = self.latency
            data["latency_ms"] = low if low == high else [low, high]
        return data


@dataclass(eq=False)
class Rule:
    """A fault rule and its counters (``matched``: calls it saw, ``fired``: calls it changed).

    Build one with :meth:`from_dict` or ``cloud.faults.add(...)``; the engine guards the
    counters with its lock.
    """

    action: Action
    id: str = ""
    provider: str = "*"
    operation: str = "*"
    #: field -> accepted values; ``tenant`` names the call's tenant, anything else a request field
    #: (dotted names reach into nested ones: ``parameters.ThingName``)
    match: dict[str, tuple[str, ...]] = field(default_factory=dict)
    times: int | None = None
    after: int = 0
    every: int | None = None
    probability: float | None = None
    seed: int | str | None = None
    #: the clock window, in fake-clock epoch seconds: active while ``start <= now < until``
    start: float | None = None
    until: float | None = None
    description: str | None = None
    #: a paused rule sees no call (counters stand still) until resumed (the console's toggle)
    paused: bool = False
    matched: int = 0
    fired: int = 0
    #: the rule's own seeded generator (probability, latency ranges); set by the engine
    rng: random.Random | None = field(default=None, repr=False)
    buckets: Buckets | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.action.kind == "throttle" and self.buckets is None:
            assert self.action.rate is not None and self.action.burst is not None
            self.buckets = Buckets(self.action.rate, self.action.burst)

    def bucket_key(self, call: Call) -> str:
        """The bucket a throttled call draws from, within its tenant (see ``Action.per``)."""
        per = self.action.per
        if per == "operation":
            return call.operation
        if per == "tenant":
            return "*"
        value = request_field(call.params, per)
        return f"{per}={'' if value is None or isinstance(value, dict | list) else value}"

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    @property
    def needs_random(self) -> bool:
        latency = self.action.latency
        return self.probability is not None or (latency is not None and latency[0] != latency[1])

    # -- evaluation (under the engine's lock) ----------------------------------------------------
    def applies(self, call: Call, now: float) -> bool:
        """Does the call fall under this rule (provider, operation, fields, clock window)?"""
        if self.paused:
            return False
        if self.provider != "*" and self.provider != call.provider:
            return False
        if self.operation != "*" and not operation_matches(self.operation, call.operation):
            return False
        for name, accepted in self.match.items():
            value = call.tenant if name == "tenant" else request_field(call.params, name)
            if value is None or isinstance(value, dict | list):
                return False
            # a boolean's Python text ("True") is what a rule had to name before: still matched
            if field_text(value) not in accepted and (type(value) is not bool or str(value) not in accepted):
                return False
        if self.start is not None and now < self.start:
            return False
        return self.until is None or now < self.until

    def arm(self) -> bool:
        """Count one matching call; is the rule triggered for it (times, after, every, probability)?"""
        self.matched += 1
        if self.exhausted:
            return False
        nth = self.matched - self.after
        if nth <= 0 or (self.every is not None and nth % self.every):
            return False
        if self.probability is not None:
            assert self.rng is not None
            return self.rng.random() < self.probability
        return True

    def draw_latency(self) -> float:
        """Milliseconds to wait before answering (0 for none)."""
        if self.action.latency is None:
            return 0.0
        low, high = self.action.latency
        if low == high:
            return low
        assert self.rng is not None
        return self.rng.uniform(low, high)

    # -- the wire shape ---------------------------------------------------------------------------
    def to_dict(self, *, state: bool = False) -> dict[str, Any]:
        """The rule in its JSON shape, with counters; ``state`` adds what a snapshot needs."""
        data: dict[str, Any] = {"id": self.id}
        if self.description is not None:
            data["description"] = self.description
        if self.paused:
            data["paused"] = True
        data.update(
            provider=self.provider,
            operation=self.operation,
            match={k: v[0] if len(v) == 1 else list(v) for k, v in self.match.items()},
            action=self.action.to_dict(),
            times=self.times,
            after=self.after,
            every=self.every,
            probability=self.probability,
            seed=self.seed,
        )
        data["from"] = self.start
        data["until"] = self.until
        data["matched"] = self.matched
        data["fired"] = self.fired
        if state:
            data["state"] = {
                "random": _random_state(self.rng) if self.rng is not None else None,
                "buckets": self.buckets.snapshot() if self.buckets is not None else [],
            }
        return data

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> Rule:
        """Parse and check a rule; :class:`~iotfake.documents.DocumentError` names the bad path.

        Counters (``matched``, ``fired``) and ``state`` are accepted so a listing or a snapshot
        can be loaded back.
        """
        if not isinstance(data, dict):
            raise DocumentError(path, "a fault rule is a JSON object")
        known = (*RULE_KEYS, "matched", "fired", "state")
        for key in data:
            if key not in known:
                raise DocumentError(
                    at(path, str(key)), f"unknown field (a rule takes {', '.join(RULE_KEYS)})"
                )
        if "action" not in data:
            raise DocumentError(at(path, "action"), "a rule needs an action (" + ", ".join(ACTION_KEYS) + ")")
        rule_id = data.get("id")
        if rule_id is not None and (not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id)):
            raise DocumentError(at(path, "id"), "rule ids are 1-128 letters, digits and _ . : @ -")
        start = _instant(data.get("from"), at(path, "from"))
        until = _instant(data.get("until"), at(path, "until"))
        if start is not None and until is not None and until <= start:
            raise DocumentError(at(path, "until"), "until must be later than from")
        description = data.get("description")
        if description is not None and not isinstance(description, str):
            raise DocumentError(at(path, "description"), "expected a string")
        _writable(description, at(path, "description"))
        paused = data.get("paused", False)
        if not isinstance(paused, bool):
            raise DocumentError(at(path, "paused"), "expected true or false")
        seed = data.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | str)):
            raise DocumentError(at(path, "seed"), "expected an integer or a string")
        _writable(seed, at(path, "seed"))
        probability = data.get("probability")
        if probability is not None and real(probability, 0, 1) is None:
            raise DocumentError(at(path, "probability"), "expected a number from 0 to 1")
        rule = cls(
            action=parse_action(data["action"], at(path, "action")),
            id=rule_id or "",
            provider=_name(data.get("provider", "*"), at(path, "provider")),
            operation=_name(data.get("operation", "*"), at(path, "operation")),
            match=_match(data.get("match"), at(path, "match")),
            times=_count(data.get("times"), at(path, "times"), minimum=1),
            after=_count(data.get("after"), at(path, "after"), minimum=0) or 0,
            every=_count(data.get("every"), at(path, "every"), minimum=1),
            probability=None if probability is None else float(probability),
            seed=seed,
            start=start,
            until=until,
            description=description,
            paused=paused,
            matched=_count(data.get("matched"), at(path, "matched"), minimum=0) or 0,
            fired=_count(data.get("fired"), at(path, "fired"), minimum=0) or 0,
        )
        if "state" in data:
            rule.restore_state(data["state"], at(path, "state"))
        return rule

    def restore_state(self, state: Any, path: str) -> None:
        if not isinstance(state, dict):
            raise DocumentError(path, "expected an object")
        try:
            if state.get("random") is not None:
                version, internal, gauss = state["random"]
                self.rng = random.Random()
                self.rng.setstate((version, tuple(internal), gauss))
            if self.buckets is not None:
                self.buckets.restore(state.get("buckets") or [])
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise DocumentError(path, f"not a rule state: {exc}") from exc


def field_text(value: Any) -> str:
    """A request field's value as a rule's ``match`` compares it: its text, a boolean as JSON
    writes it (a query string's ``true`` and a JSON body's ``true`` alike)."""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def request_field(params: dict[str, Any], name: str) -> Any:
    """A request field by name; a dotted name reaches into nested objects when no field has the
    whole name (``parameters.ThingName`` in RegisterThing's template parameters)."""
    if name in params:
        return params[name]
    value: Any = params
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def carried_fields(providers: Iterable[Any], operation: str) -> set[str] | None:
    """The request fields calls of ``operation`` (a name, a pattern, or "*") carry at any of
    ``providers`` (classes or instances), ``tenant`` included: what a rule's ``match`` and a
    journal query's ``params`` can name. None: a provider does not say, so any name goes."""
    fields: set[str] = {"tenant"}
    for provider in providers:
        operations = [op for op in provider.operations if operation_matches(operation, op)]
        if operation == "*" or not provider.operations:
            operations = sorted(provider.operations) or [operation]
        for name in operations:
            names = provider.match_fields(name)
            if names is None:
                return None
            fields.update(names)
    return fields


def operation_matches(pattern: str, operation: str) -> bool:
    """Exact names, or shell-style patterns (``Create*``, ``device.*``)."""
    return (
        pattern == "*"
        or pattern == operation
        or bool(GLOB.search(pattern) and fnmatchcase(operation, pattern))
    )


def parse_action(data: Any, path: str) -> Action:
    if not isinstance(data, dict):
        raise DocumentError(path, 'an action is an object such as {"error": "11714"}')
    for key in data:
        if key not in ACTION_KEYS:
            raise DocumentError(at(path, str(key)), f"unknown action (expected {', '.join(ACTION_KEYS)})")
    answers = [key for key in ANSWERS if key in data]
    if len(answers) > 1:
        raise DocumentError(
            path, f"one action per rule, not {' and '.join(answers)} (latency_ms may join one)"
        )
    latency = _latency(data["latency_ms"], at(path, "latency_ms")) if "latency_ms" in data else None
    if not answers:
        if latency is None:
            raise DocumentError(path, f"an action needs one of {', '.join(ACTION_KEYS)}")
        return Action("latency", latency=latency)
    kind = answers[0]
    value = data[kind]
    if kind == "error":
        if not isinstance(value, str) or not value.strip():
            raise DocumentError(at(path, "error"), "expected an error code or a domain error name")
        return Action("error", error=value.strip(), latency=latency)
    if kind == "throttle":
        rate, burst, per = _throttle(value, at(path, "throttle"))
        return Action("throttle", rate=rate, burst=burst, per=per, latency=latency)
    if value is not True:
        raise DocumentError(at(path, kind), "expected true")
    return Action(kind, latency=latency)


def _throttle(value: Any, path: str) -> tuple[float, float, str]:
    """``{"rate": r, "burst": b, "per": p}``, or a bare number for rate = burst."""
    if _is_number(value):
        value = {"rate": value}
    if not isinstance(value, dict):
        raise DocumentError(path, 'expected {"rate": calls per second, "burst": calls}')
    for key in value:
        if key not in ("rate", "burst", "per"):
            raise DocumentError(at(path, str(key)), "unknown field (a throttle takes rate, burst and per)")
    rate = real(value.get("rate"), MIN_RATE, MAX_RATE)
    if rate is None:
        raise DocumentError(
            at(path, "rate"),
            f"expected a number of calls per second > 0: at least 1/{MAX_WAIT} (one a day), "
            f"at most {MAX_RATE}",
        )
    burst = real(value.get("burst", max(1.0, rate)), 1, MAX_BURST)
    if burst is None:
        raise DocumentError(at(path, "burst"), f"expected a number of calls >= 1 (at most {MAX_BURST})")
    per = value.get("per", "operation")
    if not isinstance(per, str) or not FIELD_NAME.fullmatch(per):
        raise DocumentError(
            at(path, "per"),
            'expected "operation" (a bucket per operation), "tenant" (one for all the rule\'s '
            'operations) or a request field name such as "thingName" (one per value)',
        )
    return rate, burst, per


def _latency(value: Any, path: str) -> tuple[float, float]:
    if _is_number(value):
        low = high = value
    elif isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value):
        low, high = value
    else:
        raise DocumentError(path, "expected milliseconds, or [min, max] milliseconds")
    low, high = real(low, 0, MAX_LATENCY_MS), real(high, 0, MAX_LATENCY_MS)
    if low is None or high is None or low > high:
        raise DocumentError(path, f"expected 0 <= min <= max <= {MAX_LATENCY_MS} milliseconds")
    return low, high


def _name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DocumentError(path, 'expected a name, or "*" for any')
    return value.strip()


def _match(value: Any, path: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DocumentError(path, 'expected an object of request fields, e.g. {"orgId": "o1"}')
    match: dict[str, tuple[str, ...]] = {}
    for name, accepted in value.items():
        values = accepted if isinstance(accepted, list) else [accepted]
        if not values or not all(isinstance(v, str | bool) or _is_number(v) for v in values):
            raise DocumentError(
                at(path, name), "expected a string, number or boolean, or a non-empty list of them"
            )
        for v in values:
            _writable(v, at(path, name))
        # compared with the text of the request field, so 5 and "5" (true and "true") match alike
        match[name] = tuple(field_text(v) for v in values)
    return match


def _writable(value: Any, path: str) -> None:
    """Refuse text or a number set through the Python API that a snapshot cannot give back
    (``jsonio.unwritable``): the rule was kept, then no state could be saved or read back."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        problem = jsonio.unwritable(value)
        if problem is not None:
            raise DocumentError(path, f"the value {problem}")


def _count(value: Any, path: str, *, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        raise DocumentError(path, f"expected an integer >= {minimum} (at most {MAX_COUNT})")
    return value


def _instant(value: Any, path: str) -> float | None:
    """Fake-clock epoch seconds, or an ISO 8601 time with a zone (``2030-01-01T00:00:00Z``)."""
    if value is None:
        return None
    instant: float | None = None
    if _is_number(value):
        instant = real(value, 0, MAX_INSTANT)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            instant = real(moment.timestamp(), 0, MAX_INSTANT)
    if instant is None:
        raise DocumentError(
            path, f"expected epoch seconds from 0 to {MAX_INSTANT}, or an ISO 8601 time with a zone"
        )
    return instant


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _random_state(rng: random.Random) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]
