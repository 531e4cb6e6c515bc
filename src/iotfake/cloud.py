"""FakeCloud: one fake IoT cloud - registry, clock, ids, faults, journal - behind one WSGI app."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import documents, jsonio, migrations
from .clock import Clock
from .faults import FaultEngine
from .ids import ALPHANUMERIC, Ids
from .journal import Journal
from .numbers import check_whole
from .providers import provider_classes
from .registry import Registry
from .registry.changes import Changes
from .registry.copying import copy_json, paused_gc

if TYPE_CHECKING:
    from .app import App
    from .authority import Authority
    from .mqtt.broker import Broker
    from .namespaces import CloudSet
    from .providers.aws_iot import AwsIotProvider
    from .providers.base import Provider
    from .providers.scriptr import Account as ScriptrAccount
    from .server import Server

AUTH_MODES = ("off", "lenient", "strict")
DEFAULT_ADMIN_BODY = 512 * 1024 * 1024
STATE_FORMAT = "iotfake-state"
#: ``reset()``'s default: keep the cloud's seed
KEEP_SEED: Any = object()
#: held while a cloud makes its namespace set (once per cloud, on first use)
_NAMESPACES_MADE = threading.Lock()
STATE_VERSION = migrations.CURRENT
#: the most entries a journal keeps (``iotfake serve --journal-size``'s bound too)
MAX_JOURNAL = 100_000_000


class FixturesFileError(documents.DocumentError):
    """A fixtures file ``load`` refused: ``file`` names it (as the caller gave it), ``path`` and
    ``message`` are the document's error. With two files loaded, ``enos.orgs[0].quota`` alone did
    not say which one held the bad field."""

    def __init__(self, file: str, error: documents.DocumentError, *, named: bool) -> None:
        super().__init__(error.path, error.message)
        self.file = file
        if not named:  # a read error names the file already: not twice
            self.args = (f"{file}: {self.args[0]}",)


class FakeCloud:
    """An in-memory IoT cloud that speaks EnOS, AWS IoT and scriptr over one WSGI app.

    ``seed`` makes every generated id, key, secret and name reproducible - all but certificates'
    key pairs, random like real key generation, and so the certificate ids that hash them (see
    ``providers/aws_iot/keypool``). ``auth`` is ``"off"``
    (accept anything), ``"lenient"`` (a credential must be present; ones the fake issued must still
    be valid) or ``"strict"`` (only issued or seeded credentials, signatures verified). The admin
    API answers loopback clients (and in-process ones) only, plus, if ``admin_token`` is given,
    clients that send ``Authorization: Bearer <admin_token>``.
    """

    def __init__(
        self,
        seed: int | str | None = None,
        *,
        auth: str = "lenient",
        device_key_length: int = 10,
        device_key_alphabet: str = ALPHANUMERIC,
        journal_size: int = 10_000,
        max_body: int = 1024 * 1024,
        max_admin_body: int = DEFAULT_ADMIN_BODY,
        admin_token: str | None = None,
        admin_hosts: str | Iterable[str] = (),
    ) -> None:
        if auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {', '.join(AUTH_MODES)}, not {auth!r}")
        _check_admin_token(admin_token)
        _check_seed(seed)  # a list failed later, at the first id drawn, in random's words
        # what the CLI refuses is refused here too, by name, before it fails a call far away
        check_whole("journal_size", journal_size, 1, MAX_JOURNAL, note=" (calls kept: at least one entry)")
        check_whole("max_body", max_body, 0, None, "bytes")
        check_whole("max_admin_body", max_admin_body, 0, None, "bytes")
        self.seed_value = seed
        self.auth = auth
        self.max_body = max_body
        #: the admin API's own limit: a snapshot of 100k devices is tens of megabytes, and ``GET
        #: state`` then ``PUT state`` must round-trip whatever the server holds
        self.max_admin_body = max_admin_body
        #: lets clients off the loopback use the admin API (``Authorization: Bearer <token>``)
        self.admin_token = admin_token
        #: Host names besides the loopback ones that the admin API answers to (see admin.py)
        self.admin_hosts = _admin_hosts(admin_hosts)
        self.clock = Clock()
        self.ids = Ids(seed, device_key_length=device_key_length, device_key_alphabet=device_key_alphabet)
        #: moves on every change to the state: the registry's writes, fault counters, admin calls
        self.changes = Changes()
        self.registry = Registry(self.clock, self.ids, self.changes)
        self.journal = Journal(journal_size)
        self.faults = FaultEngine(self)
        self.journal.rule_ids = lambda: [rule.id for rule in self.faults]
        self.providers: dict[str, Provider] = {cls.name: cls(self) for cls in provider_classes()}
        self._app: App | None = None
        self._namespaces: CloudSet | None = None
        #: called after each admin call that may change state (``--state`` saves at once then:
        #: fault rules, the clock and resets are not registry changes the log could replay)
        self.on_admin_write: Callable[[], str | None] | None = None
        #: set when the state was saved for the last time (``iotfake serve`` stopping): calls still
        #: running then are answered 503, since what they change is saved nowhere
        self.sealed = False
        #: why nothing more can be acknowledged (the state cannot be saved: a full disk), once a
        #: write-ahead log write failed; every later call is answered 503 until a restart
        self.unsaved: str | None = None
        self._authority: Authority | None = None
        #: the cloud whose root CA this one uses (``share_authority``), until it needs one
        self._authority_source: FakeCloud | None = None
        #: the MQTT broker serving this cloud, while one does (``mqtt.broker``; set by the broker)
        self.broker: Broker | None = None
        #: the URL of the HTTP server serving this cloud, while one does (set by ``server.Server``):
        #: a failing test's report names its console there
        self.served_url: str | None = None

    # -- the root CA ----------------------------------------------------------------------------------
    @property
    def authority(self) -> Authority:
        """The cloud's root CA (see ``authority``): made on first use, kept through ``reset()``."""
        if self._authority is None:
            source = self._authority_source
            if source is not None:
                self._authority = source.authority
                return self._authority
            with self.registry.lock:
                if self._authority is None:
                    from .authority import Authority

                    self._authority = Authority.create()
                    self.changes.bump()  # part of the state: the next save keeps it
        return self._authority

    @authority.setter
    def authority(self, value: Authority) -> None:
        self._authority = value

    def share_authority(self, source: FakeCloud) -> None:
        """Use ``source``'s root CA (one server, one identity), fetched when this cloud first
        needs one: making it imports ``cryptography`` and draws a key, which a namespace that
        never serves TLS or issues a certificate should not pay for."""
        self._authority, self._authority_source = None, source

    @property
    def ca_pem(self) -> str:
        """The PEM of the root CA that the fake's TLS endpoints chain to: what clients trust."""
        return self.authority.pem

    @property
    def wsgi_app(self) -> App:
        """The WSGI application; hand it to any WSGI client or server."""
        if self._app is None:
            from .app import App

            self._app = App(self)
        return self._app

    @property
    def namespaces(self) -> CloudSet:
        """The set of clouds this one is the default namespace of: a WSGI app that routes
        ``X-Iotfake-Namespace`` / ``/_ns/NAME`` requests to isolated clouds made on first use.
        Live servers serve it; ``wsgi_app`` is this cloud alone (the in-process fast path)."""
        if self._namespaces is None:
            from .namespaces import CloudSet

            # a server's first requests arrive together: two sets would each hold a half of
            # every namespace made meanwhile (a rule added in one, the calls served by the other)
            with _NAMESPACES_MADE:
                if self._namespaces is None:
                    CloudSet(self)  # it registers itself as this cloud's set
        assert self._namespaces is not None
        return self._namespaces

    @namespaces.setter
    def namespaces(self, cloud_set: CloudSet) -> None:
        self._namespaces = cloud_set

    @property
    def aws(self) -> AwsIotProvider:
        """AWS IoT's Python side: ``pre_provisioning_hook``, ``fleet_provision``, ``ca_certificate_pem``."""
        return self.providers["aws"]  # type: ignore[return-value]

    def scriptr(self, account: str = "default") -> ScriptrAccount:
        """A scriptr.io account as scriptr's own modules: ``.device.create({...})``, ``.user``, ``.token``."""
        return self.providers["scriptr"].account(account)  # type: ignore[attr-defined]

    # -- seeding ------------------------------------------------------------------------------------
    def seed(self, document: dict[str, Any]) -> FakeCloud:
        """Load a fixtures document (all or nothing); raises DocumentError naming the bad path."""
        documents.apply(self, document)
        return self

    def load(self, path: str | Path | dict[str, Any]) -> FakeCloud:
        """Load a fixtures document from a JSON file: a path (relative to the working directory),
        or the name of a scenario iotfake ships (``"flaky_key_allocation"``). A document already
        in hand (a dict) is loaded as :meth:`seed` loads it."""
        from .fixture_files import resolve

        if isinstance(path, dict):
            return self.seed(path)

        name = str(path)
        try:
            found = resolve(path, near=Path.cwd())
        except FileNotFoundError as exc:  # the message names the file
            raise FixturesFileError(name, documents.DocumentError("", str(exc)), named=True) from None
        try:
            document = documents.read(found)
        except documents.DocumentError as exc:  # "cannot read FILE", "FILE is not valid JSON"
            raise FixturesFileError(name, exc, named=True) from None
        try:
            return self.seed(document)
        except documents.DocumentError as exc:  # only the bad field's path: name the file too
            raise FixturesFileError(name, exc, named=False) from None

    def populate(self, provider: str, devices: int, **options: Any) -> list[str]:
        """Add ``devices`` realistic, seeded devices (all or none); returns their keys.

        ``populate("enos", 1000, org="o1", product="p1")``, ``populate("aws", 500, account=...,
        region=...)``, ``populate("scriptr", 200, account="acme")``; ``seed``, ``kind``, ``country``
        and the provider's own device fields work as in a fixtures generator (``iotfake.generate``).
        """
        from .generate import populate

        return populate(self, provider, devices, **options)

    def invoke(self, provider: str, operation: str, values: dict[str, Any], **options: Any) -> dict[str, Any]:
        """Run an operation without HTTP, as the MQTT side does: ``values`` is its input, the
        answer its output; faults, validation and the journal apply (``transport="MQTT"``,
        ``path=topic`` name how it came). Raises the provider's error (``AwsError``)."""
        from .operations import invoke

        return invoke(self, provider, operation, values, **options)

    # -- lifecycle ----------------------------------------------------------------------------------
    def reset(self, seed: Any = KEEP_SEED) -> None:
        """Back to a fresh cloud with the same seed: same ids again, no state, no faults. A
        ``seed`` given (``None``: unseeded) replaces the cloud's, as if it had been made with it:
        how a namespace of a shared server starts each test of a remote pytest run afresh."""
        if seed is not KEEP_SEED:
            _check_seed(seed)
        broker = getattr(self, "broker", None)
        if broker is not None:  # before the lock: the broker's disconnects write to the registry
            broker.reset()
        with self.registry.lock:
            if seed is not KEEP_SEED:
                self.seed_value = self.ids.seed = seed
            self.registry.clear()
            self.ids.reset()
            self.journal.clear()
            self.faults.reset()
            self.clock.reset()
            for provider in self.providers.values():
                provider.reset()

    @property
    def generation(self) -> int:
        """A number that moves whenever the state changes (durable.py saves when it differs from
        the one it saved); compare it for equality (see ``registry.changes.Changes``)."""
        return self.changes.value

    def mark_dirty(self) -> None:
        """Note a change the registry cannot see (the clock, for one); the admin API calls this."""
        self.changes.bump()

    def snapshot(self) -> dict[str, Any]:
        """All state as a JSON-able document: registry (tokens included), the ids' random state,
        the clock offset, fault rules with their counters. Not the journal: it is a log.

        The document is the caller's: it shares nothing with the cloud, so neither changes the other.
        """
        with paused_gc():
            return self._state(copy=True)

    def _state(self, *, copy: bool) -> dict[str, Any]:
        """Everything is taken together under the registry lock (fault counters and id streams
        move with the registry's writes); the snapshot is built after the lock is released."""
        with self.registry.lock:
            faults = self.faults.snapshot()
            parts = (self.clock.snapshot(), self.ids.snapshot(), self.registry.capture())
        clock, ids, registry = parts
        state = {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "settings": self._settings(),
            "clock": clock,
            "ids": ids,
            "registry": registry.snapshot(copy=copy),
            "faults": copy_json(faults) if copy else faults,
        }
        if self._authority is not None:
            state["authority"] = self._authority.to_json()
        return state

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace the whole state with a snapshot taken by :meth:`snapshot`, or change nothing.

        The cloud's own settings (seed, auth, key shape) stay; :meth:`from_snapshot` takes them
        from the snapshot instead. The cloud keeps copies: later edits of ``snapshot`` change nothing.
        """
        if not isinstance(snapshot, dict) or snapshot.get("format") != STATE_FORMAT:
            raise ValueError("not an iotfake state snapshot (missing format marker)")
        if snapshot.get("version") != STATE_VERSION:
            snapshot = migrations.migrate(copy_json(snapshot))
        authority = None
        if snapshot.get("authority") is not None:
            from .authority import Authority

            authority = Authority.from_json(snapshot["authority"])
        with paused_gc():
            # built and checked without the lock (seconds at 100k devices); swapped in under it
            prepared = self.registry.prepare(snapshot.get("registry", {}))
            self._check_sections(snapshot)  # before the broker's clients go: a refusal changes nothing
            broker = getattr(self, "broker", None)
            if broker is not None:  # its sessions hold the replaced tenants, and were admitted by
                broker.reset()  # credentials the snapshot may not have: they connect again
            with self.registry.lock:
                before = {"clock": self.clock.snapshot(), "ids": self.ids.snapshot()}
                faults = copy_json(self.faults.snapshot())
                try:
                    _section("clock", self.clock.restore, snapshot.get("clock", {}))
                    _section("ids", self.ids.restore, snapshot.get("ids", {}))
                    self.faults.restore(copy_json(snapshot.get("faults", [])))
                    old = self.registry.install(prepared)
                    if authority is not None:  # a snapshot without one keeps this cloud's
                        self._authority = authority
                except BaseException:
                    self.clock.restore(before["clock"])
                    self.ids.restore(before["ids"])
                    self.faults.restore(faults)
                    raise
            del old  # the replaced state is taken apart after the lock is released

    def _check_sections(self, snapshot: dict[str, Any]) -> None:
        """Refuse a snapshot's bad clock, ids or faults section as ``restore`` would, on copies
        of them: found only under the lock, after the broker had let every client go, a refused
        restore still disconnected them all."""
        ids = self.ids
        _section("clock", Clock().restore, snapshot.get("clock", {}))
        spare = Ids(
            None, device_key_length=ids.device_key_length, device_key_alphabet=ids.device_key_alphabet
        )
        _section("ids", spare.restore, snapshot.get("ids", {}))
        FaultEngine(self).restore(copy_json(snapshot.get("faults", [])))

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any], **options: Any) -> FakeCloud:
        """A new cloud built with the snapshot's settings (``options`` override them) and state."""
        settings = snapshot.get("settings") if isinstance(snapshot, dict) else None
        cloud = cls(**{**(settings if isinstance(settings, dict) else {}), **options})
        cloud.restore(snapshot)
        return cloud

    def _settings(self) -> dict[str, Any]:
        return {
            "seed": self.seed_value,
            "auth": self.auth,
            "device_key_length": self.ids.device_key_length,
            "device_key_alphabet": self.ids.device_key_alphabet,
            "journal_size": self.journal.size,
            "max_body": self.max_body,
            "max_admin_body": self.max_admin_body,
        }

    def state_json(self) -> str:
        """The snapshot as JSON (what ``--state`` files and ``GET /_iotfake/state`` hold)."""
        with paused_gc():
            # serialised at once, so the snapshot need not copy the records' nested maps (which
            # the registry replaces rather than edits)
            return json.dumps(self._state(copy=False), separators=(",", ":"))

    # -- serving ------------------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Server:
        """A live threaded HTTP server for this cloud; use it as a context manager."""
        from .server import Server

        return Server(self, host=host, port=port, **options)

    def __repr__(self) -> str:
        return f"FakeCloud(seed={self.seed_value!r}, auth={self.auth!r})"


def _check_admin_token(token: Any) -> None:
    if token is None:
        return
    if not isinstance(token, str):
        raise TypeError(f"admin_token takes a string or None, not {type(token).__name__}")
    if not token.strip():
        raise ValueError("an empty admin token would let anyone in: give a real one, or none")


def _admin_hosts(hosts: Any) -> tuple[str, ...]:
    """The host names, lower-cased. One string is one host: ``admin_hosts="ci.internal"`` means
    that name (read as a sequence it became one-letter hosts, none of them the one meant); a
    name with a comma or a space is refused, as two names written as one."""
    if hosts == ():  # the default: nothing to check
        return ()
    if isinstance(hosts, str):
        hosts = (hosts,)
    try:
        names = tuple(hosts)
    except TypeError:
        raise TypeError(f"admin_hosts takes host names (a list, or one name), not {hosts!r}") from None
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"admin_hosts takes host names (strings), not {name!r}")
        if not name or any(c in name for c in ", \t\r\n/"):
            raise ValueError(f"admin_hosts takes one host name each, not {name!r}: give a list of names")
    return tuple(name.lower() for name in names)


def _check_seed(seed: Any) -> None:
    if not (seed is None or (isinstance(seed, int | str) and not isinstance(seed, bool))):
        raise ValueError(f"a seed is a whole number, a string or None, not {seed!r}")
    # snapshots keep the seed: one no state file can give back made every save fail
    problem = None if seed is None else jsonio.unwritable(seed)
    if problem is not None:
        raise ValueError(f"the seed {problem}")


def _section(name: str, restore: Callable[[Any], None], data: Any) -> None:
    """Restore one section of a snapshot, its refusal naming it (a hand-made ``"clock": 5`` was
    a bare AttributeError)."""
    try:
        restore(data)
    except (AttributeError, OverflowError, TypeError, ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"{name}: cannot be restored: {exc}") from None
