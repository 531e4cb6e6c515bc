"""Where a request's time goes: pyinstrument over the hot paths, written to bench/results/.

    python -m bench profile [--count 5000]

* EnOS CreateDevice, the WSGI app called with a prepared environ (the fake alone);
* AWS CreateThing + DescribeThing, boto3 through ``iotfake.transports`` (client included);
* EnOS CreateDevice over loopback HTTP, profiled in the server thread (the stdlib server included);
* AWS CreateThing + DescribeThing over loopback HTTP, boto3's requests recorded and replayed from
  another process (bench/replay.py), profiled in the server thread.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from iotfake import FakeCloud

from . import common
from .enos import BODY as ENOS_BODY
from .enos import CREATE, HEADERS, seeded_cloud
from .wsgi import prepare


def _profiler() -> Any:
    from pyinstrument import Profiler

    return Profiler(interval=0.0002)


def _text(profiler: Any) -> str:
    return profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)


def enos_in_process(count: int) -> str:
    app = seeded_cloud().wsgi_app
    call = prepare("POST", CREATE, ENOS_BODY, HEADERS)
    for _ in range(200):
        call(app)
    profiler = _profiler()
    profiler.start()
    for _ in range(count):
        call(app)
    profiler.stop()
    return _text(profiler)


def aws_in_process(count: int) -> str:
    from iotfake.transports import BASE_URL, route_botocore

    from .aws import boto3_client

    client = route_botocore(boto3_client(BASE_URL), FakeCloud(seed=1))
    for n in range(50):
        client.create_thing(thingName=f"warm-{n}")
    profiler = _profiler()
    profiler.start()
    for n in range(count // 5):
        client.create_thing(thingName=f"thing-{n}")
        client.describe_thing(thingName=f"thing-{n}")
    profiler.stop()
    return _text(profiler)


@contextmanager
def _server_thread_profiled() -> Iterator[Any]:
    """Profile every request the live server's handler threads serve meanwhile (one at a time)."""
    from iotfake import server

    profiler = _profiler()
    handle = server.QuietHandler.handle_one_request

    def profiled(self: Any) -> None:
        profiler.start()
        try:
            handle(self)
        finally:
            profiler.stop()

    server.QuietHandler.handle_one_request = profiled  # type: ignore[method-assign]
    try:
        yield profiler
    finally:
        server.QuietHandler.handle_one_request = handle  # type: ignore[method-assign]


def enos_server(count: int) -> str:
    """The server thread's view: requests arrive from a client in another process."""
    with seeded_cloud().serve() as live, _server_thread_profiled() as profiler:
        client = (
            "import json, requests\n"
            f"s = requests.Session(); data = json.dumps({ENOS_BODY!r}).encode()\n"
            f"url = {live.url + CREATE!r}\n"
            f"for _ in range({count // 2}): s.post(url, data=data, headers={HEADERS!r})\n"
        )
        subprocess.run([sys.executable, "-c", client], check=True)
    return _text(profiler)


def aws_server(count: int) -> str:
    """boto3's CreateThing + DescribeThing bytes, replayed over one connection by another process."""
    from . import replay
    from .aws import boto3_client

    with FakeCloud(seed=1).serve() as live, tempfile.TemporaryDirectory() as folder:
        client = boto3_client(live.url)
        replay.replay(live.url, replay.record(client, [f"warm-{n}" for n in range(100)]), 1)
        recorded = Path(folder) / "pairs.pickle"
        recorded.write_bytes(pickle.dumps(replay.record(client, [f"thing-{n}" for n in range(count // 2)])))
        script = (
            "import pickle, sys\n"
            "from bench import replay\n"
            f"pairs = pickle.loads(open({str(recorded)!r}, 'rb').read())\n"
            f"outcome = replay.replay({live.url!r}, pairs, 1)\n"
            "sys.exit(f'failures: {outcome.statuses} {outcome.errors}' if outcome.failures else 0)\n"
        )
        with _server_thread_profiled() as profiler:
            subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parent.parent)
    return _text(profiler)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="requests per profile")
    args = parser.parse_args(argv)
    common.RESULTS.mkdir(exist_ok=True)
    written = {}
    for name, run in (
        ("profile_enos_in_process", enos_in_process),
        ("profile_aws_in_process", aws_in_process),
        ("profile_enos_server", enos_server),
        ("profile_aws_server", aws_server),
    ):
        path = common.RESULTS / f"{name}.txt"
        path.write_text(run(args.count))
        written[name] = str(path)
        print(f"wrote {path}")
    return written
