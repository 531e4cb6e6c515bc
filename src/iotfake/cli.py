"""``iotfake serve`` and friends."""

from __future__ import annotations

import argparse
import faulthandler
import math
import os
import signal
import sys
import threading
from collections.abc import Sequence

from . import __version__
from .cloud import AUTH_MODES, MAX_JOURNAL, FakeCloud
from .documents import DocumentError
from .durable import DEFAULT_INTERVAL, StateFileError, StateKeeper
from .numbers import whole_number
from .server import MAX_CONNECTIONS, MAX_CONNECTIONS_LIMIT
from .wal import FSYNC_POLICIES

#: the longest --save-interval: a day (and never infinity, which the saving thread cannot wait)
MAX_SAVE_INTERVAL = 86_400
#: the most entries --journal-size keeps


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iotfake", description="A fake IoT cloud for tests.")
    parser.add_argument("--version", action="version", version=f"iotfake {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve every provider and the admin API on one port")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=4510, help="port (0 picks a free one; default 4510)")
    serve.add_argument(
        "--seed", help="seed for reproducible ids, keys and secrets (certificates' key pairs are random)"
    )
    serve.add_argument(
        "--fixtures",
        action="append",
        default=[],
        metavar="FILE",
        help="fixtures document to load (repeatable)",
    )
    serve.add_argument(
        "--auth", choices=AUTH_MODES, default="lenient", help="credential checking (default lenient)"
    )
    serve.add_argument(
        "--state",
        metavar="FILE",
        help="load state from FILE at start (if it exists) and keep it saved there (see README)",
    )
    serve.add_argument(
        "--save-interval",
        type=_positive,
        metavar="SECONDS",
        help=f"with --state: how often unsaved changes are written (default {DEFAULT_INTERVAL:g})",
    )
    serve.add_argument(
        "--max-connections",
        type=_connections,
        default=MAX_CONNECTIONS,
        metavar="N",
        help=f"connections served at once; more are answered 503 at once (default {MAX_CONNECTIONS})",
    )
    serve.add_argument(
        "--fsync",
        choices=FSYNC_POLICIES,
        help="with --state: when the write-ahead log is fsynced (SIGKILL loses nothing either way; "
        "this is what a power loss may take): always, everysec (default), no",
    )
    serve.add_argument(
        "--throttle-profile",
        action="append",
        default=[],
        metavar="NAME",
        help="apply a throttle profile: a built-in name (aws-defaults) or a JSON file (repeatable)",
    )
    serve.add_argument(
        "--journal-size",
        type=_journal_size,
        default=10_000,
        metavar="N",
        help="calls the journal keeps (default 10000)",
    )
    serve.add_argument(
        "--admin-token",
        default=os.environ.get("IOTFAKE_ADMIN_TOKEN"),
        metavar="TOKEN",
        help="let clients off the loopback use /_iotfake/ with Authorization: Bearer TOKEN "
        "(default $IOTFAKE_ADMIN_TOKEN; without it the admin API answers loopback clients only)",
    )
    serve.add_argument(
        "--mqtt-port",
        type=_port,
        help="MQTT port (EnOS's secret-based login; 0 picks a free one; default 1883, or a free one "
        "with --port 0)",
    )
    serve.add_argument(
        "--mqtt-tls-port",
        type=_port,
        help="MQTT over TLS port (AWS IoT's mutual TLS; CA: GET /_iotfake/ca.pem; default 8883, or a "
        "free one with --port 0)",
    )
    serve.add_argument("--no-mqtt", action="store_true", help="serve HTTP only")
    serve.add_argument("--quiet", action="store_true", help="no access log on stderr")
    serve.set_defaults(command_parser=serve)  # its own usage for arguments it does not know
    return parser


def _mqtt_port(given: int | None, default: int, http_port: int) -> int:
    """An MQTT port: the one given; else the standard one, or a free one when ``--port 0`` says
    any port will do (parallel test servers must not fight over 1883)."""
    if given is not None:
        return given
    return 0 if http_port == 0 else default


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and 0 < value <= MAX_SAVE_INTERVAL):
        raise argparse.ArgumentTypeError(f"must be > 0 and at most {MAX_SAVE_INTERVAL} seconds")
    return value


def _port(text: str) -> int:
    port = whole_number(text, max_digits=5)
    if port is None or port > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0-65535)")
    return port


def _journal_size(text: str) -> int:
    size = whole_number(text, max_digits=9)
    if size is None or not 1 <= size <= MAX_JOURNAL:
        raise argparse.ArgumentTypeError(f"{text} is not a number of entries from 1 to {MAX_JOURNAL}")
    return size


def _seed(value: str | None) -> int | str | None:
    """A whole number seeds as that int (as ``FakeCloud(seed=7)`` does); any other text as text."""
    if value is None:
        return None
    number = whole_number(value, signed=True, max_digits=sys.get_int_max_str_digits())
    return value if number is None or value.startswith("+") else number


def _connections(text: str) -> int:
    value = whole_number(text)
    if value is None or not 1 <= value <= MAX_CONNECTIONS_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of connections from 1 to {MAX_CONNECTIONS_LIMIT}"
        )
    return value


def serve(args: argparse.Namespace) -> int:
    if args.admin_token is not None and not args.admin_token.strip():
        print(
            "iotfake: --admin-token (or IOTFAKE_ADMIN_TOKEN) is empty, which would let any client "
            "use the admin API; give a real token, or none",
            file=sys.stderr,
        )
        return 2
    if args.host not in ("127.0.0.1", "localhost", "::1") and args.admin_token is None:
        print(
            f"iotfake: listening on {args.host}: the providers are open to the network; the admin API "
            "is not (it answers loopback clients only until --admin-token is given)",
            file=sys.stderr,
        )
    _warn_of_unused(args)
    cloud = FakeCloud(
        seed=_seed(args.seed), auth=args.auth, journal_size=args.journal_size, admin_token=args.admin_token
    )
    if args.state is not None and not args.state.strip():  # an unset "$STATE": no silent in-memory run
        print("iotfake: --state is empty; give a file, or leave the flag out", file=sys.stderr)
        return 2
    keeper = StateKeeper(cloud, args.state, args.save_interval, fsync=args.fsync) if args.state else None
    try:
        resumed = keeper is not None and keeper.load()
    except StateFileError as exc:
        print(f"iotfake: refusing to start: {exc}. The file is left as it is.", file=sys.stderr)
        return 2
    except OSError as exc:  # the replayed log could not be written into the file
        print(f"iotfake: cannot write state to {keeper.path}: {exc.strerror or exc}", file=sys.stderr)  # type: ignore[union-attr]
        return 2
    if resumed:
        # fixtures and profiles set up a fresh state; a saved one already holds what they added
        if args.fixtures or args.throttle_profile:
            print(
                f"iotfake: resumed {args.state}; --fixtures and --throttle-profile skipped", file=sys.stderr
            )
    else:
        for path in args.fixtures:
            try:
                cloud.load(path)
            except DocumentError as exc:
                # load's errors name the file already (FixturesFileError): this line names it once
                print(f"iotfake: cannot load fixtures {path}: {_without_file(exc)}", file=sys.stderr)
                return _refused(keeper)
        for name in args.throttle_profile:
            try:
                cloud.faults.apply_profile(name)
            except DocumentError as exc:
                print(f"iotfake: cannot apply throttle profile {name}: {exc}", file=sys.stderr)
                return _refused(keeper)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 PID`: every thread's stack on stderr (a hang, diagnosed)
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    if keeper is not None:
        try:
            keeper.start()  # writes the file first: a path that cannot be written fails here, not later
        except OSError as exc:
            print(f"iotfake: cannot write state to {keeper.path}: {exc.strerror or exc}", file=sys.stderr)
            return _refused(keeper)
    try:
        server = cloud.serve(
            args.host,
            args.port,
            access_log=not args.quiet,
            max_connections=args.max_connections,
            mqtt=None if not args.no_mqtt else False,
            mqtt_port=_mqtt_port(args.mqtt_port, 1883, args.port),
            mqtt_tls_port=_mqtt_port(args.mqtt_tls_port, 8883, args.port),
        ).start()
    except OSError as exc:
        if keeper is not None:
            keeper.stop()
        port = getattr(exc, "port", args.port)
        hint = (
            " (--mqtt-port / --mqtt-tls-port pick others, --no-mqtt serves HTTP only)"
            if port != args.port
            else ""
        )
        detail = str(exc.strerror or exc)
        if not detail.startswith("cannot listen on"):  # the server's own errors say where already
            detail = f"cannot listen on {args.host}:{port}: {detail}"
        print(f"iotfake: {detail}{hint}", file=sys.stderr)
        return 2
    print(f"iotfake listening on {server.url}", flush=True)
    broker = server.mqtt
    if broker is not None:
        # DescribeEndpoint names a host that reaches this broker (device code connects where it says)
        loopback = args.host in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "::")
        cloud.providers["aws"].endpoint_host = "localhost" if loopback else args.host  # type: ignore[attr-defined]
        print(
            f"iotfake mqtt on mqtt://{args.host}:{broker.port} and mqtts://{args.host}:{broker.tls_port} "
            f"(trust {server.url}/_iotfake/ca.pem)",
            flush=True,
        )
    elif not args.no_mqtt:
        print("iotfake: no MQTT broker (pip install 'iotfake[mqtt]' adds one)", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()  # nothing is acknowledged after this returns
        if keeper is not None:
            try:
                keeper.stop()
            except OSError as exc:
                print(f"iotfake: cannot save state to {keeper.path}: {exc}", file=sys.stderr)
                return 1
    return 0


def _warn_of_unused(args: argparse.Namespace) -> None:
    """Say which flags given do nothing (a warning: they were taken silently before, and a
    script passing them must keep starting); then fill in the defaults of the state's flags."""
    groups = (
        (
            args.state is None,
            "without --state",
            (("--save-interval", args.save_interval), ("--fsync", args.fsync)),
        ),
        (
            args.no_mqtt,
            "with --no-mqtt",
            (("--mqtt-port", args.mqtt_port), ("--mqtt-tls-port", args.mqtt_tls_port)),
        ),
    )
    for applies, why, flags in groups:
        given = [flag for flag, value in flags if value is not None]
        if applies and given:
            verb = "has" if len(given) == 1 else "have"
            print(f"iotfake: {' and '.join(given)} {verb} no effect {why}", file=sys.stderr)
    if args.save_interval is None:
        args.save_interval = DEFAULT_INTERVAL
    if args.fsync is None:
        args.fsync = "everysec"


def _without_file(exc: DocumentError) -> str:
    """A fixtures document's error without the file's name in front (the line names it)."""
    return f"{exc.path}: {exc.message}" if exc.path else exc.message


def _refused(keeper: StateKeeper | None) -> int:
    """Exit code 2, the state file left to the next server (its lock file gone)."""
    if keeper is not None:
        keeper.release()
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args, unknown = _parser().parse_known_args(argv)
    if unknown:
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "serve":
        return serve(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
