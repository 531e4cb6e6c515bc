"""``iotfake serve`` and friends."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from . import __version__
from .cloud import AUTH_MODES, FakeCloud
from .documents import DocumentError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iotfake", description="A fake IoT cloud for tests.")
    parser.add_argument("--version", action="version", version=f"iotfake {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve every provider and the admin API on one port")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4510, help="port (0 picks a free one; default 4510)")
    serve.add_argument("--seed", help="seed for reproducible ids, keys and secrets")
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
    serve.add_argument("--quiet", action="store_true", help="no access log on stderr")
    return parser


def _seed(value: str | None) -> int | str | None:
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else value


def serve(args: argparse.Namespace) -> int:
    cloud = FakeCloud(seed=_seed(args.seed), auth=args.auth)
    for path in args.fixtures:
        try:
            cloud.load(path)
        except DocumentError as exc:
            print(f"iotfake: cannot load fixtures {path}: {exc}", file=sys.stderr)
            return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        server = cloud.serve(args.host, args.port, access_log=not args.quiet).start()
    except OSError as exc:
        print(f"iotfake: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"iotfake listening on {server.url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
