"""pytest plugin, installed by the ``pytest11`` entry point: fixtures and the ``iotfake`` marker.

Every test gets its own fresh, seeded cloud (``iotfake``); tests that need a socket share one live
server per process (``iotfake_server``) that is rebound to the current test's cloud, so a clean
state costs an attribute assignment rather than a server start. Settings fixtures (``iotfake_seed``,
``iotfake_auth``, ``iotfake_host``, ``iotfake_boto3_config``) are there to be overridden in a
conftest; the marker tunes one test, class or module and wins over them.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import pytest_remote
from .cloud import FakeCloud
from .documents import DocumentError
from .fixture_files import resolve
from .optional import install_hint

if TYPE_CHECKING:
    from .clients import ServiceSession
    from .journal import Entry
    from .mqtt.clients import MqttEndpoint
    from .server import Server

MARKER_KEYWORDS = ("fixtures", "faults", "seed", "auth", "throttle_profile")
MARKER_HELP = (
    "iotfake(fixtures=None, faults=None, seed=None, auth=None, throttle_profile=None): "
    "configure the test's fake IoT cloud (fixtures files resolve beside the test file, then bundled)"
)
CLOUD = pytest.StashKey[FakeCloud]()
REPORT_SECTION = "iotfake"

#: credentials the ready-made clients send; lenient auth takes unknown credentials as the owner's
ENOS_TOKEN = "iotfake-enos-token"
SCRIPTR_TOKEN = "iotfake-scriptr-token"
#: under ``strict`` auth, the app ``iotfake_enos`` is (seeded into ENOS_ORG and the cloud's orgs)
ENOS_APP = {"appKey": "iotfake-app", "appSecret": "iotfake-app-secret"}
ENOS_ORG = "o1"
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIAIOTFAKEEXAMPLE01",  # AWS-shaped: strict auth seeds it
    "AWS_SECRET_ACCESS_KEY": "iotfake-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
}
#: under ``strict`` auth, the account that key is seeded into
AWS_ACCOUNT = {
    "accountId": "123456789012",
    "region": AWS_ENVIRONMENT["AWS_DEFAULT_REGION"],
    "accessKeys": [
        {
            "accessKeyId": AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
            "secretAccessKey": AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        }
    ],
}
#: variables that would steer boto3 away from the fake (a profile, a real session, ignored endpoints)
AWS_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")


def pytest_addoption(parser: pytest.Parser) -> None:
    pytest_remote.add_options(parser)
    # an ini value, not a command-line option: declaring it twice (installed plugin plus the
    # source-checkout shim) must not be an error
    parser.addini(
        "iotfake_journal_tail",
        "how many of the fake's last calls a failing test's report shows (0: none)",
        default="10",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    journal_tail(config)  # a bad value stops the run at once, not at the first failing test
    keep_pytest_timing_real()


def keep_pytest_timing_real() -> None:
    """Let pytest time tests with the real clock while a test freezes time.

    pytest 9 reads ``perf_counter`` from ``_pytest.timing``, which freezegun's default ignore list
    misses: a ``freeze_time`` started in a fixture then reports setups of ~60 years in
    ``--durations``. Tests that freeze time are exactly the ones iotfake users write.
    """
    import freezegun
    from freezegun.config import settings

    if "_pytest.timing" not in settings.default_ignore_list:
        freezegun.configure(extend_ignore_list=["_pytest.timing"])


def journal_tail(config: pytest.Config) -> int:
    value = config.getini("iotfake_journal_tail")
    try:
        return max(0, int(value))
    except ValueError:
        raise pytest.UsageError(f"iotfake_journal_tail must be a whole number, not {value!r}") from None


# -- settings fixtures: override these in a conftest ---------------------------------------------------
def seed_for(nodeid: str) -> int:
    """The seed a test gets by default: stable across runs, processes and xdist workers."""
    return zlib.crc32(nodeid.encode("utf-8"))


class _FromTestId:
    def __repr__(self) -> str:
        return "FROM_TEST_ID"


#: ``iotfake_seed``'s default: every test's cloud is seeded from the test's node id
FROM_TEST_ID: Any = _FromTestId()


@pytest.fixture(scope="session")
def iotfake_seed() -> int | str | None:
    """Seed of each test's cloud: FROM_TEST_ID (each test's own, from its node id), a fixed seed,
    or None for an unseeded cloud. Session-scoped, so the default costs a test a cache lookup; override
    it at any scope."""
    return FROM_TEST_ID


@pytest.fixture(scope="session")
def iotfake_auth() -> str:
    """Auth mode of the test's cloud: ``off``, ``lenient`` (default) or ``strict`` (override at any scope)."""
    return "lenient"


@pytest.fixture(scope="session")
def iotfake_host() -> str:
    """Address the live server binds (session-scoped: one server per process)."""
    return "127.0.0.1"


@pytest.fixture(scope="session")
def iotfake_boto3_config() -> Any:
    """The botocore ``Config`` of ``iotfake_boto3``: retries off, so a fault shows on the first try."""
    _require("boto3", "iotfake_boto3")
    from botocore.config import Config

    return Config(retries={"total_max_attempts": 1, "mode": "standard"})


# -- the cloud ---------------------------------------------------------------------------------------
def marker_options(node: pytest.Item) -> dict[str, Any]:
    """The ``iotfake`` markers on a test, merged: the closest marker wins keyword by keyword."""
    options: dict[str, Any] = {}
    for marker in node.iter_markers("iotfake"):
        if marker.args:
            pytest.fail("@pytest.mark.iotfake takes keyword arguments only", pytrace=False)
        unknown = sorted(set(marker.kwargs) - set(MARKER_KEYWORDS))
        if unknown:
            pytest.fail(
                f"@pytest.mark.iotfake got unknown keyword {unknown[0]!r}; "
                f"expected one of {', '.join(MARKER_KEYWORDS)}",
                pytrace=False,
            )
        for key, value in marker.kwargs.items():
            options.setdefault(key, value)
    return options


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def configure(cloud: FakeCloud, options: dict[str, Any], near: Any = None) -> FakeCloud:
    """Apply a marker's ``fixtures``, ``faults`` and ``throttle_profile`` to ``cloud``."""
    for index, name in enumerate(_as_list(options.get("fixtures"))):
        if not isinstance(name, str | os.PathLike):  # a TypeError from deep in pathlib, before
            raise DocumentError(f"fixtures[{index}]", f"takes file names, not {type(name).__name__} {name!r}")
        cloud.load(resolve(name, near))
    rules = _as_list(options.get("faults"))
    for index, rule in enumerate(rules):
        if isinstance(rule, str | Path):
            raise DocumentError(
                f"faults[{index}]",
                f"{str(rule)!r} is a file name, and faults= takes rules (dicts); a fixtures "
                f"document, faults included, goes in fixtures={str(rule)!r}",
            )
    if rules:
        cloud.faults.load(rules, "faults")
    profile = options.get("throttle_profile")
    if profile is not None:
        # a built-in name, or a profile file found the way fixtures files are
        cloud.faults.apply_profile(resolve(profile, near) if str(profile).endswith(".json") else profile)
    return cloud


@pytest.fixture(scope="session")
def iotfake_remote(pytestconfig: pytest.Config) -> Iterator[pytest_remote.Remote | None]:
    """This process's namespace of the ``--iotfake-url`` server, or None (clouds in process)."""
    url = pytest_remote.configured_url(pytestconfig)
    if url is None:
        yield None
        return
    remote = pytest_remote.Remote(url, pytest_remote.namespace_name())
    try:
        yield remote
    finally:
        remote.close()


@pytest.fixture
def iotfake(
    request: pytest.FixtureRequest,
    iotfake_seed: int | str | None,
    iotfake_auth: str,
    iotfake_remote: pytest_remote.Remote | None,
) -> FakeCloud:
    """A fresh ``FakeCloud`` for this test, seeded from the test id so that a failure reproduces
    (with ``--iotfake-url``: this process's namespace of that server, reset)."""
    options = marker_options(request.node)
    seed = options.get("seed", iotfake_seed)
    if seed is FROM_TEST_ID:
        seed = seed_for(request.node.nodeid)
    if iotfake_remote is not None:
        try:
            remote = pytest_remote.cloud_for(iotfake_remote, options, seed)
            request.node.stash[CLOUD] = remote  # type: ignore[assignment]
            return configure(remote, options, request.path.parent)  # type: ignore[arg-type, return-value]
        except (ValueError, FileNotFoundError, pytest_remote.RemoteError) as exc:
            problem = str(exc)
        pytest.fail(f"@pytest.mark.iotfake (--iotfake-url): {problem}", pytrace=False)
    try:
        cloud = FakeCloud(seed=seed, auth=options.get("auth", iotfake_auth))
        request.node.stash[CLOUD] = cloud
        return configure(cloud, options, request.path.parent)
    except (ValueError, FileNotFoundError) as exc:  # DocumentError is a ValueError
        problem = str(exc)
    # the marker, or with none the settings fixtures (iotfake_seed, iotfake_auth) gave the value
    source = "@pytest.mark.iotfake" if options else "the iotfake fixture (iotfake_seed, iotfake_auth)"
    # outside the except block: the user needs the one line, not a chain of tracebacks
    pytest.fail(f"{source}: {problem}", pytrace=False)


# -- the live server ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def iotfake_session_server(iotfake_host: str) -> Iterator[Server]:
    """This process's one live server (port 0: never clashes, xdist workers included).

    Between tests it serves an idle cloud of its own; ``iotfake_server`` rebinds it per test.
    """
    try:
        server = FakeCloud(auth="off").serve(host=iotfake_host, port=0).start()
    except (OSError, ValueError) as exc:
        problem = f"the iotfake_host fixture's {iotfake_host!r}: {exc}"
    else:
        try:
            yield server
        finally:
            server.stop()
        return
    # outside the except block: one line, not a chain of socket tracebacks
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def iotfake_server(iotfake: FakeCloud, request: pytest.FixtureRequest) -> Iterator[Server]:
    """The live server, serving this test's cloud; ``IOTFAKE_URL``, ``AWS_ENDPOINT_URL_IOT`` and
    dummy AWS credentials point unmodified client code at it for the test (under ``strict`` auth
    that key is seeded into account 123456789012, so it verifies)."""
    if iotfake.auth == "strict":  # the dummy key below must be one the fake knows
        iotfake.seed({"aws": {"accounts": [AWS_ACCOUNT]}})
    if isinstance(iotfake, pytest_remote.RemoteCloud):
        with _client_environment(iotfake.remote.url):
            yield pytest_remote.RemoteServer(iotfake.remote.url, iotfake)  # type: ignore[misc]
        return
    server: Server = request.getfixturevalue("iotfake_session_server")
    idle, server.cloud = server.cloud, iotfake
    try:
        with _client_environment(server.url):
            yield server
    finally:
        server.cloud = idle


@pytest.fixture
def iotfake_mqtt(iotfake_server: Server) -> Iterator[MqttEndpoint]:
    """The live server's MQTT broker: ``host``, ``port`` (EnOS's login), ``tls_port`` (AWS's
    mutual TLS), ``ca_file`` to trust, and ``aws_client(...)`` / ``enos_client(...)`` that return
    connected device clients from registry credentials (disconnected after the test)."""
    from .mqtt.clients import MqttEndpoint

    if getattr(iotfake_server, "mqtt", None) is None:
        pytest.fail(
            "the iotfake_mqtt fixture needs an in-process broker: pip install 'iotfake[mqtt]'", pytrace=False
        )
    endpoint = MqttEndpoint.of(iotfake_server)
    yield endpoint
    endpoint.close()


@contextlib.contextmanager
def _client_environment(url: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as env:
        for name in AWS_UNSET:
            env.delenv(name, raising=False)
        for name, value in AWS_ENVIRONMENT.items():
            env.setenv(name, value)
        env.setenv("IOTFAKE_URL", url)
        env.setenv("AWS_ENDPOINT_URL_IOT", url)
        before = _swap_boto3_session(None)
        try:
            yield
        finally:
            _swap_boto3_session(before)


def _swap_boto3_session(session: Any) -> Any:
    """Put ``session`` in ``boto3.DEFAULT_SESSION``; the one there before. ``boto3.client()``
    makes that session from the environment the first time and keeps it, credentials included:
    the test's dummy key would outlive the test in it, and a session made before the test would
    bring the real key in. boto3 not imported yet has none to swap."""
    boto3 = sys.modules.get("boto3")
    if boto3 is None:
        return None
    previous, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, session
    return previous


# -- ready-made clients ------------------------------------------------------------------------------
def _require(module: str, fixture: str) -> None:
    """Optional client libraries: a missing one fails the test with the install line, not a traceback."""
    try:
        importlib.import_module(module)
    except ImportError:
        problem = f"the {fixture} fixture needs {module}: {install_hint(module)}"
    else:
        return
    pytest.fail(problem, pytrace=False)


@functools.cache
def _boto3_session() -> Any:
    """One boto3 Session per process: it caches the loaded service models, so clients come cheap."""
    import boto3

    return boto3.Session()


@pytest.fixture
def iotfake_boto3(iotfake_server: Server, iotfake_boto3_config: Any) -> Iterator[Any]:
    """A boto3 ``iot`` client for the live server (retries off; see ``iotfake_boto3_config``)."""
    _require("boto3", "iotfake_boto3")
    client = _boto3_session().client(
        "iot",
        endpoint_url=iotfake_server.url,
        region_name=AWS_ENVIRONMENT["AWS_DEFAULT_REGION"],
        aws_access_key_id=AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        config=iotfake_boto3_config,
    )
    yield client
    client.close()


def _session(
    base_url: str, headers: dict[str, str], fixture: str, auth: Any = None
) -> Iterator[ServiceSession]:
    _require("requests", fixture)
    from .clients import ServiceSession

    with ServiceSession(base_url, headers) as session:
        session.auth = auth
        yield session


@pytest.fixture
def iotfake_enos(iotfake_server: Server) -> Iterator[ServiceSession]:
    """A ``requests.Session`` for EnOS: base URL set, ``apim-accesstoken`` sent, ``url(path)``.

    Under ``strict`` auth the session is a real app: ``ENOS_APP`` is seeded into org ``o1`` and
    every org the cloud has, and each request carries the app's live token from the fake's token
    service and its ``apim-signature``, so the same test passes in every mode.
    """
    _require("requests", "iotfake_enos")
    cloud = iotfake_server.cloud
    auth = _enos_app(_local(cloud, "iotfake_enos")) if cloud.auth == "strict" else None
    yield from _session(iotfake_server.url, {"apim-accesstoken": ENOS_TOKEN}, "iotfake_enos", auth)


def _local(cloud: Any, fixture: str) -> FakeCloud:
    """Strict credentials come from the cloud in process; an external server's are the suite's."""
    if isinstance(cloud, pytest_remote.RemoteCloud):
        pytest.fail(
            f"{fixture} under --auth strict needs credentials the server issued, and with "
            "--iotfake-url they are yours to seed and send (the in-process fixtures ask the cloud)",
            pytrace=False,
        )
    return cloud


def _enos_app(cloud: FakeCloud) -> Any:
    """Seed ``ENOS_APP`` and sign with its tokens, asked of the token service in process: the
    fixture's own credentials show in no journal and meet no fault rule."""
    from .clients import EnosGatewayAuth
    from .providers.enos.tokens import live_token

    orgs = {tenant.id for tenant in cloud.registry.tenants("enos")} | {ENOS_ORG}
    cloud.seed({"enos": {"orgs": [{"orgId": org, "apps": [ENOS_APP]} for org in sorted(orgs)]}})
    provider = cloud.providers["enos"]
    return EnosGatewayAuth(lambda: live_token(provider, ENOS_APP["appKey"]).value, ENOS_APP["appSecret"])


@pytest.fixture
def iotfake_scriptr(iotfake_server: Server) -> Iterator[ServiceSession]:
    """A ``requests.Session`` for scriptr: base URL set, bearer token sent, ``url(path)``.

    Under ``strict`` auth the token is the ``default`` account's real owner token (what any other
    token stands for in the laxer modes), so the same test passes in every mode.
    """
    cloud = iotfake_server.cloud
    token = (
        _local(cloud, "iotfake_scriptr").scriptr("default").token if cloud.auth == "strict" else SCRIPTR_TOKEN
    )
    yield from _session(iotfake_server.url, {"Authorization": f"bearer {token}"}, "iotfake_scriptr")


# -- what the fake saw, in the failure report --------------------------------------------------------
def format_calls(entries: list[Entry]) -> list[str]:
    """One aligned line per journal entry: what was asked, what was answered, which rule fired."""
    rows = [
        (
            f"#{e.seq}",
            e.provider,
            e.operation,
            e.tenant or "-",
            f"{e.method} {e.path}",
            str(e.status),
            f"code={e.code}" if e.code is not None else "",
            e.outcome,
            f"rule={e.rule}" if e.rule is not None else "",
        )
        for e in entries
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(9)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def console_url(cloud: FakeCloud) -> str | None:
    """The web console of the server the test used, if one was live (in process: none)."""
    remote = getattr(cloud, "remote", None)  # a namespace of an --iotfake-url server
    base = remote.url if remote is not None else getattr(cloud, "served_url", None)
    return None if base is None else f"{base}/_iotfake/console"


def describe(cloud: FakeCloud, tail: int) -> str:
    seed = cloud.seed_value
    again = (
        "unseeded: ids differ on every run"
        if seed is None
        else f"FakeCloud(seed={seed!r}) generates the same ids, keys and secrets; "
        "certificates' key pairs are random"
    )
    lines = [f"seed={seed!r} auth={cloud.auth} ({again})"]
    console = console_url(cloud)
    if console is not None:
        lines.append(f"console (while the server runs): {console}")
    if tail > 0:
        entries = cloud.journal.calls()
        shown = entries[-tail:]
        if shown:
            lines.append(f"last {len(shown)} of {len(entries) + cloud.journal.dropped} calls the fake saw:")
            lines.extend("  " + line for line in format_calls(shown))
        else:
            lines.append("no call reached the fake")
    return "\n".join(lines)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A marker on a test that uses no iotfake fixture does nothing: say so instead of ignoring it."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if item.get_closest_marker("iotfake") is not None and "iotfake" not in fixtures:
            item.warn(
                pytest.PytestWarning(
                    "@pytest.mark.iotfake has no effect here: the test uses no iotfake fixture "
                    "(iotfake, iotfake_server, iotfake_boto3, iotfake_enos, iotfake_scriptr)"
                )
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    cloud = item.stash.get(CLOUD, None)
    if cloud is not None:
        if report.failed:
            report.sections.append((REPORT_SECTION, describe(cloud, journal_tail(item.config))))
        if call.when == "teardown":
            del item.stash[CLOUD]  # items live all session; their clouds must not
    return report
