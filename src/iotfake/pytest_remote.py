"""``--iotfake-url``: the pytest plugin's fixtures against an external ``iotfake serve``.

Suites that share one server started elsewhere (a container, another machine, a CI service) set
``--iotfake-url URL`` (or the ini key ``iotfake_url``, or the environment variable
``IOTFAKE_URL``). Each pytest process - each xdist worker - then works in a namespace of its own
on that server, ``pytest-<worker>-<pid>``: one namespace per process rather than per test, so a
long run leaves one cloud per worker on the server, not thousands. Before every test it is reset
through the admin API, and it is deleted when the session ends.

``iotfake`` is then a :class:`RemoteCloud`: the parts of ``FakeCloud`` a test uses (``journal``,
``faults``, ``clock``, ``seed``/``load``, ``reset``, ``snapshot``), each an admin API call on the
namespace. Each test's reset gives the namespace the test's seed (``POST reset {"seed": N}``), as
in process; the auth mode is the server's, so a marker asking for another fails the test saying so.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest

from .faults import profiles
from .faults.rules import Rule
from .journal import Entry, Journal

INI = "iotfake_url"
ENV = "IOTFAKE_URL"
HELP = "run iotfake's fixtures against this external `iotfake serve` (one namespace per process)"
ENTRY_FIELDS = {f.name for f in fields(Entry)}


def add_options(parser: pytest.Parser) -> None:
    try:
        parser.addoption("--iotfake-url", dest=INI, default=None, metavar="URL", help=HELP)
    except ValueError:  # declared already: the installed plugin and the source-checkout shim
        return
    parser.addini(INI, HELP, default="")


def configured_url(config: pytest.Config) -> str | None:
    """The server to use: ``--iotfake-url``, else the ini key, else ``IOTFAKE_URL``; None: in process."""
    url = config.getoption(INI, None) or config.getini(INI) or os.environ.get(ENV) or None
    return url.rstrip("/") if url else None


class RemoteError(AssertionError):
    """The server refused an admin call: its own message, with what was asked; ``status`` is
    its HTTP status (None: it could not be reached)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Remote:
    """One namespace of an external server, through its admin API."""

    def __init__(self, base_url: str, name: str) -> None:
        import requests

        self.base_url = base_url
        self.name = name
        self.url = f"{base_url}/_ns/{name}"
        self.http = requests.Session()
        token = os.environ.get("IOTFAKE_ADMIN_TOKEN")
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        import requests

        url = f"{self.url}/_iotfake/{path}"
        try:
            answer = self.http.request(method, url, json=body, timeout=60)
        except requests.RequestException as exc:
            raise RemoteError(
                f"iotfake at {self.base_url} cannot be reached ({method} {url}): {exc}"
            ) from None
        if answer.status_code >= 400:
            raise RemoteError(
                f"{method} {url} answered {answer.status_code}: {answer.text.strip()}", answer.status_code
            )
        return answer.json()

    def close(self) -> None:
        """Drop the namespace (the server keeps nothing of this run) and the connection."""
        with contextlib.suppress(Exception):  # the server may be gone already: nothing to keep
            self.http.delete(f"{self.base_url}/_iotfake/namespaces/{self.name}", timeout=10)
        self.http.close()


class RemoteFaults:
    """``cloud.faults`` over ``/_iotfake/faults``: rules are checked locally first (the same
    checks, the same messages), then added on the server."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote

    def add(self, rule: dict[str, Any] | None = None, /, **kwargs: Any) -> Any:
        from .cloud import FakeCloud

        checked = (
            FakeCloud().faults.add(rule, **kwargs) if rule is not None else FakeCloud().faults.add(**kwargs)
        )
        data = checked.to_dict()
        if "id" not in (rule or kwargs):
            data.pop("id", None)  # the server names it
        return self._post([data])[0]

    def add_rule(self, data: dict[str, Any], path: str = "") -> Any:
        return self.add(data)

    def load(self, rules: Any, path: str = "faults") -> list[Any]:
        return self._post(rules if isinstance(rules, list) else [rules])

    def apply_profile(self, name: str | Path) -> list[Any]:
        return self._post(profiles.read(name))

    def _post(self, rules: list[dict[str, Any]]) -> list[Any]:
        ids = self.remote.admin("POST", "faults", rules)["ids"]
        return [Rule.from_dict({**rule, "id": rule_id}) for rule, rule_id in zip(rules, ids, strict=True)]

    @property
    def rules(self) -> list[Rule]:
        """The namespace's rules in evaluation order, the :class:`Rule` objects a FakeCloud lists,
        so ``rule.id``, ``rule.matched`` and ``rule.fired`` read the same in process and remote
        (a snapshot: the counters are the server's now and do not move afterwards)."""
        listed = self.remote.admin("GET", "faults")["rules"]
        return [Rule.from_dict(data, f"rules[{i}]") for i, data in enumerate(listed)]

    def get(self, rule_id: str) -> Rule:
        """One rule by id, as listed now; KeyError if there is none (as in process)."""
        try:
            return Rule.from_dict(self.remote.admin("GET", f"faults/{rule_id}"))
        except RemoteError as exc:
            if exc.status == 404:
                raise KeyError(rule_id) from None
            raise

    def remove(self, rule_id: str) -> Rule:
        """Remove one rule; the rule as it was (its counters), KeyError if there is none: what
        a FakeCloud's ``faults.remove`` returns, not the admin API's ``{"removed": id}``."""
        rule = self.get(rule_id)
        self.remote.admin("DELETE", f"faults/{rule_id}")
        return rule

    def clear(self) -> int:
        """Remove every rule; how many there were (as in process)."""
        return int(self.remote.admin("DELETE", "faults")["removed"])

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


@dataclass
class RemoteClock:
    """``cloud.clock`` over ``/_iotfake/clock``: read and move forward (freezegun cannot reach
    another process; move the server's clock instead)."""

    remote: Remote

    def time(self) -> float:
        return float(self.remote.admin("GET", "clock")["time"])

    def advance(self, seconds: float) -> None:
        self.remote.admin("POST", "clock", {"advance": seconds})

    @property
    def offset(self) -> float:
        return float(self.remote.admin("GET", "clock")["offset"])


class RemoteCloud:
    """What a test uses of ``FakeCloud``, on a namespace of an external server."""

    def __init__(self, remote: Remote, health: dict[str, Any]) -> None:
        self.remote = remote
        self.auth: str = health["auth"]
        self.seed_value: int | str | None = health.get("seed")
        self.faults = RemoteFaults(remote)
        self.clock = RemoteClock(remote)

    def __repr__(self) -> str:
        return f"RemoteCloud({self.remote.url!r}, seed={self.seed_value!r}, auth={self.auth!r})"

    @property
    def journal(self) -> Journal:
        """The namespace's journal now, as a local :class:`Journal` (every assertion works on it)."""
        answer = self.remote.admin("GET", "journal")
        journal = Journal(size=max(1, int(answer.get("size", 1))))
        journal._entries.extend(_entries(answer["entries"]))
        journal._seq = journal._entries[-1].seq if journal._entries else 0
        journal.dropped = int(answer.get("dropped", 0))
        journal.rule_ids = lambda: [rule.id for rule in self.faults.rules]
        return journal

    def seed(self, document: dict[str, Any]) -> RemoteCloud:
        self.remote.admin("POST", "seed", document)
        return self

    def load(self, path: str | Path | dict[str, Any]) -> RemoteCloud:
        if isinstance(path, dict):
            return self.seed(path)
        from .fixture_files import resolve

        return self.seed(json.loads(resolve(path).read_text(encoding="utf-8")))

    def reset(self) -> RemoteCloud:
        self.remote.admin("POST", "reset")
        return self

    def snapshot(self) -> dict[str, Any]:
        return self.remote.admin("GET", "state")


def _entries(rows: Iterable[dict[str, Any]]) -> list[Entry]:
    return [Entry(**{k: v for k, v in row.items() if k in ENTRY_FIELDS}) for row in rows]


@dataclass
class RemoteServer:
    """``iotfake_server`` in remote mode: the namespace's URL and its cloud."""

    url: str
    cloud: RemoteCloud


def namespace_name() -> str:
    """This process's namespace: the xdist worker id (``gw0``) or ``main``, and the pid, so two
    runs against one server never meet."""
    return f"pytest-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"


def cloud_for(remote: Remote, options: dict[str, Any], seed: int | str | None) -> RemoteCloud:
    """A fresh cloud for one test: the namespace reset to the test's seed, the test's auth mode
    checked against the server's (a namespace has the server's)."""
    health = remote.admin("GET", "health")
    auth = options.get("auth", health["auth"])  # the iotfake_auth fixture yields to the server
    if auth != health["auth"]:
        raise ValueError(
            f"auth={auth!r}, and the server at {remote.base_url} runs --auth {health['auth']}: start it "
            f"with --auth {auth}, or ask for {health['auth']!r}"
        )
    remote.admin("POST", "reset", {"seed": seed})
    return RemoteCloud(remote, {**health, "seed": seed})
