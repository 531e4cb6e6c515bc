"""The pytest plugin against an external ``iotfake serve`` (``--iotfake-url URL``).

A suite that runs beside a fake started elsewhere (a container, a CI service, another machine)
points the plugin at it. Each test process (each xdist worker) gets a namespace of that server of
its own (``pytest-<worker>-<pid>``), reset through the admin API before every test, so parallel
workers and parallel suites never see each other's devices, faults or journal. The fixtures work
as in process: ``iotfake_server.url`` is the namespace's URL (``<URL>/_ns/<name>``), the
ready-made clients and ``AWS_ENDPOINT_URL_IOT`` point there, markers' ``fixtures`` and ``faults``
are sent through the admin API, and ``iotfake`` is a :class:`RemoteCloud` that offers the calls
tests make most (``seed``, ``load``, ``faults.add``, ``journal.calls``, ``clock.advance``,
``reset``) over HTTP.

What cannot cross the wire: a namespace takes the server's seed and auth mode (``seed=`` and
``auth=`` markers are refused rather than silently ignored), and Python-only hooks (pre-
provisioning callables) need an in-process cloud.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import documents
from .faults.engine import rule_document
from .journal import Entry


class RemoteError(RuntimeError):
    """The external server refused an admin call; the message is its answer."""


class _Admin:
    def __init__(self, base_url: str, namespace: str, token: str | None = None) -> None:
        import requests

        self.base = base_url.rstrip("/")
        self.namespace = namespace
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    @property
    def url(self) -> str:
        return f"{self.base}/_ns/{self.namespace}"

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = f"{self.url}/_iotfake/{path}"
        params = {k: v for k, v in query.items() if v is not None}
        if params:
            url += "?" + urlencode(params)
        answer = self.session.request(method, url, json=body, timeout=60)
        if answer.status_code >= 400:
            raise RemoteError(f"{method} {url}: {answer.status_code} {answer.text}")
        return answer.json()


class RemoteFaults:
    def __init__(self, admin: _Admin) -> None:
        self._admin = admin

    def add(self, rule: dict[str, Any] | None = None, /, **options: Any) -> str:
        """Add a rule (a document, or ``FaultEngine.add``'s keywords); its id."""
        document = rule if rule is not None else rule_document(**options)
        return self._admin.call("POST", "faults", document)["ids"][0]

    def load(self, rules: list[dict[str, Any]]) -> list[str]:
        return self._admin.call("POST", "faults", rules)["ids"] if rules else []

    def apply_profile(self, name: str) -> list[str]:
        return self._admin.call("POST", "faults", {"profile": name})["ids"]

    def clear(self) -> None:
        self._admin.call("DELETE", "faults")

    def __iter__(self) -> Any:
        return iter(self._admin.call("GET", "faults")["rules"])


class RemoteJournal:
    def __init__(self, admin: _Admin) -> None:
        self._admin = admin

    def calls(self, **filters: Any) -> list[Entry]:
        answer = self._admin.call("GET", "journal", **filters)
        return [
            Entry(**{k: v for k, v in e.items() if k in Entry.__dataclass_fields__})
            for e in answer["entries"]
        ]

    def last(self, **filters: Any) -> Entry:
        found = self.calls(**filters)
        if not found:
            raise AssertionError(
                f"no call matching {filters} in the journal of namespace {self._admin.namespace}"
            )
        return found[-1]

    def clear(self) -> None:
        self._admin.call("DELETE", "journal")

    @property
    def dropped(self) -> int:
        return int(self._admin.call("GET", "journal", limit=0)["dropped"])


class RemoteClock:
    def __init__(self, admin: _Admin) -> None:
        self._admin = admin

    def advance(self, seconds: float) -> None:
        self._admin.call("POST", "clock", {"advance": seconds})

    def time(self) -> float:
        return float(self._admin.call("GET", "clock")["time"])


class RemoteCloud:
    """A namespace of an external server, seen as the in-process ``FakeCloud`` is (the subset of
    its API that works over HTTP)."""

    def __init__(self, base_url: str, namespace: str, token: str | None = None) -> None:
        self._admin = _Admin(base_url, namespace, token)
        self.url = self._admin.url
        self.namespace = namespace
        self.faults = RemoteFaults(self._admin)
        self.journal = RemoteJournal(self._admin)
        self.clock = RemoteClock(self._admin)

    def reset(self) -> None:
        self._admin.call("POST", "reset")

    def seed(self, document: dict[str, Any]) -> RemoteCloud:
        self._admin.call("POST", "seed", document)
        return self

    def load(self, path: str | Path | dict[str, Any]) -> RemoteCloud:
        """A fixtures document (a path, a bundled scenario's name, or a dict), sent to the server."""
        if isinstance(path, dict):
            return self.seed(path)
        from .fixture_files import resolve

        try:
            found = resolve(path, near=Path.cwd())
        except FileNotFoundError as exc:
            raise documents.DocumentError("", str(exc)) from None
        return self.seed(json.loads(Path(found).read_text(encoding="utf-8")))

    def health(self) -> dict[str, Any]:
        return self._admin.call("GET", "health")

    @property
    def seed_value(self) -> Any:
        return self.health().get("seed")

    @property
    def auth(self) -> str:
        return str(self.health().get("auth"))


class RemoteServer:
    """What ``iotfake_session_server`` is in remote mode: the namespace's URL; its ``cloud`` is
    the test's :class:`RemoteCloud`."""

    mqtt = None

    def __init__(self, cloud: RemoteCloud) -> None:
        self.cloud = cloud
        self.url = cloud.url
        self.host = self.url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]


def namespace_name(worker: str | None) -> str:
    """This test process's namespace: one per xdist worker (and per process, so two suites that
    share a server never share a namespace)."""
    return f"pytest-{worker or 'main'}-{os.getpid()}"
