"""iotfake against moto, side by side, with the same boto3 workload: CreateThing then DescribeThing.

    python -m bench aws [--pairs 300] [--replay-pairs 600] [--rounds 5] [--fresh 300] [--fixture-tests 150]

Five comparisons, each interleaved round by round, each ratio reported with its per-round spread:

* server throughput: boto3's requests recorded once, then replayed at full speed against
  ``iotfake serve`` and ``moto_server`` over a few keep-alive connections (``replay.py`` says how
  and why), so the servers and not boto3 set the pace;
* over loopback HTTP, end to end: the same servers driven by one sequential boto3 client;
* in process: iotfake's botocore transport (no socket; before ``iotfake.transports`` exists,
  boto3 against ``cloud.serve()`` in a thread) and moto's ``mock_aws``;
* a fresh fake: ``FakeCloud()`` plus ``reset()``, and ``with mock_aws():``;
* per test, the ``iotfake`` pytest fixture and a ``mock_aws`` one (one pytest session per fixture
  per round, ``fixture_costs``).

Besides wall-clock rates, the HTTP comparison reads each server's own CPU time from /proc: the
client (boto3) costs the same on both sides and dilutes the end-to-end ratio.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from iotfake import FakeCloud

from . import common, replay

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "AKIDBENCHMARK", "aws_secret_access_key": "bench-secret"}
_names = itertools.count()


def iotfake_has_aws() -> bool:
    return "aws" in FakeCloud().providers


def boto3_client(endpoint_url: str | None = None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "iot",
        region_name=REGION,
        endpoint_url=endpoint_url,
        config=Config(retries={"total_max_attempts": 1}),
        **CREDENTIALS,
    )


def workload(client: Any, pairs: int) -> Callable[[], float]:
    """Pairs per second: CreateThing then DescribeThing of a new thing."""

    def run() -> float:
        names = [f"bench-{next(_names)}" for _ in range(pairs)]

        def work() -> None:
            for name in names:
                client.create_thing(thingName=name)
                assert client.describe_thing(thingName=name)["thingName"] == name

        return common.rate(pairs, work)

    return run


# -- over HTTP ----------------------------------------------------------------------------------------
def over_http(pairs: int, rounds: int) -> dict[str, Any]:
    contenders: dict[str, Callable[[], float]] = {}
    cpu: dict[str, list[float]] = {}
    with ExitStack() as stack:
        children = {"moto_server": stack.enter_context(common.moto_server())}
        if iotfake_has_aws():
            children["iotfake serve"] = stack.enter_context(common.iotfake_server())
        for name, child in children.items():
            samples = cpu.setdefault(name, [])
            contenders[name] = _with_cpu(child, workload(boto3_client(child.url), pairs), pairs, samples)
            contenders[name]()  # warm both: first calls load botocore models and moto backends
            cpu[name].clear()
        series = common.interleaved(contenders, rounds)
    return _summary(series, cpu_us={name: statistics.median(v) for name, v in cpu.items()}, cpu_rounds=cpu)


def _with_cpu(
    child: common.Child, run: Callable[[], float], pairs: int, samples: list[float]
) -> Callable[[], float]:
    """Also note the server process's CPU microseconds per pair."""

    def timed() -> float:
        before = child.cpu()
        result = run()
        samples.append((child.cpu() - before) / pairs * 1e6)
        return result

    return timed


# -- server throughput: boto3's bytes replayed ---------------------------------------------------------
#: client connections per replay: one (each request waits for the previous answer) and a few at once
CONNECTIONS = (1, replay.CONNECTIONS)


def server_throughput(pairs: int, rounds: int) -> dict[str, Any]:
    """Pairs per second each server sustains under boto3's exact requests, per connection count."""
    contenders: dict[str, Callable[[], float]] = {}
    tallies: dict[str, dict[str, Any]] = {}
    with ExitStack() as stack:
        children = {"moto_server": stack.enter_context(common.moto_server())}
        if iotfake_has_aws():
            children["iotfake serve"] = stack.enter_context(common.iotfake_server())
        for name, child in children.items():
            client = boto3_client(child.url)
            replay.replay(child.url, replay.record(client, _fresh_names(50)))  # warm the server
            for connections in CONNECTIONS:
                label = f"{name} x{connections}"
                tallies[label] = tally = {"server_cpu_us": [], "client_cpu_us": [], "failures": {}}
                tally["reconnects"] = 0
                contenders[label] = _replayed(child, client, pairs, connections, tally)
        series = common.interleaved(contenders, rounds)
    data: dict[str, Any] = {
        "per_second": {name: s.median for name, s in series.items()},
        "rounds_raw": {name: s.rates for name, s in series.items()},
        "server_cpu_us": {name: statistics.median(t["server_cpu_us"]) for name, t in tallies.items()},
        "server_cpu_rounds": {name: t["server_cpu_us"] for name, t in tallies.items()},
        "client_cpu_us": {name: statistics.median(t["client_cpu_us"]) for name, t in tallies.items()},
        "failures": {name: t["failures"] for name, t in tallies.items()},
        "reconnects": {name: t["reconnects"] for name, t in tallies.items()},
        "requests": {name: 2 * pairs * rounds for name in tallies},
        "ratio": {},
    }
    if "iotfake serve" in children:
        for connections in CONNECTIONS:
            fake, moto = series[f"iotfake serve x{connections}"], series[f"moto_server x{connections}"]
            data["ratio"][str(connections)] = common.ratio(fake, moto)
    return data


def _fresh_names(count: int) -> list[str]:
    return [f"bench-{next(_names)}" for _ in range(count)]


def _replayed(
    child: common.Child, client: Any, pairs: int, connections: int, tally: dict[str, Any]
) -> Callable[[], float]:
    """One round: record fresh pairs (untimed), replay them, keep the server's CPU and the failures."""

    def run() -> float:
        recorded = replay.record(client, _fresh_names(pairs))
        before = child.cpu()
        outcome = replay.replay(child.url, recorded, connections)
        tally["server_cpu_us"].append((child.cpu() - before) / pairs * 1e6)
        tally["client_cpu_us"].append(outcome.client_cpu / pairs * 1e6)
        failures = tally["failures"]
        for status, count in outcome.statuses.items():
            if status != 200:
                failures[str(status)] = failures.get(str(status), 0) + count
        for error, count in outcome.errors.items():
            failures[error] = failures.get(error, 0) + count
        tally["reconnects"] += outcome.reconnects
        return outcome.per_second

    return run


# -- in process ---------------------------------------------------------------------------------------
@contextmanager
def iotfake_in_process() -> Iterator[tuple[Any, str]]:
    """A boto3 client wired to a fresh cloud without a socket if the transport exists."""
    cloud = FakeCloud(seed=1)
    try:
        from iotfake.transports import BASE_URL, route_botocore  # type: ignore[attr-defined]
    except ImportError:
        with cloud.serve() as server:
            yield boto3_client(server.url), "boto3 -> cloud.serve() (thread; no in-process transport yet)"
        return
    yield route_botocore(boto3_client(BASE_URL), cloud), "boto3 -> iotfake.transports (no socket)"


@contextmanager
def moto_in_process() -> Iterator[Any]:
    from moto import mock_aws

    with _env(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x"), mock_aws():
        yield boto3_client()


def canned_client() -> Any:
    """boto3 answered instantly with fixed bodies: what the client alone costs per pair."""
    from botocore.awsrequest import AWSResponse

    client = boto3_client("http://canned")

    def send(request: Any, **_: Any) -> AWSResponse:
        name = request.url.rsplit("/", 1)[1]
        arn = f"arn:aws:iot:{REGION}:123456789012:thing/{name}"
        body: dict[str, Any] = {"thingName": name, "thingArn": arn, "thingId": "0" * 8}
        if request.method == "GET":
            body.update(attributes={}, version=1, defaultClientId=name)
        raw = common.RawBody(json.dumps(body).encode())
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, raw)

    client.meta.events.register("before-send", send)
    return client


def in_process(pairs: int, rounds: int) -> dict[str, Any]:
    with ExitStack() as stack:
        contenders = {
            "moto mock_aws": workload(stack.enter_context(moto_in_process()), pairs),
            "boto3 alone": workload(canned_client(), pairs),
        }
        how = None
        if iotfake_has_aws():
            client, how = stack.enter_context(iotfake_in_process())
            contenders["iotfake"] = workload(client, pairs)
        for run in contenders.values():
            run()
        series = common.interleaved(contenders, rounds)
    data = {**_summary(series), "iotfake_path": how}
    if "iotfake" in series:
        data["ratio"] = common.ratio(series["iotfake"], series["moto mock_aws"])
        data["fake_only_ratio"] = statistics.median(fake_only_rounds(data["rounds_raw"]))
    return data


def fake_only_rounds(raw: dict[str, list[float]]) -> list[float]:
    """Per round: moto's time per pair over iotfake's, boto3's own time (the canned row) taken out
    of both. A difference of noisy timings divided by another: it swings widely between rounds."""
    return [
        (1 / m - 1 / c) / (1 / i - 1 / c)
        for m, c, i in zip(raw["moto mock_aws"], raw["boto3 alone"], raw["iotfake"], strict=True)
    ]


# -- fresh fakes --------------------------------------------------------------------------------------
def fresh(count: int, rounds: int) -> dict[str, Any]:
    from moto import mock_aws

    def clouds() -> float:
        def work() -> None:
            for _ in range(count):
                FakeCloud().reset()

        return common.rate(count, work)

    def mocks() -> float:
        def work() -> None:
            for _ in range(count):
                with mock_aws():
                    pass

        return common.rate(count, work)

    with _env(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x"):
        clouds(), mocks()
        series = common.interleaved({"FakeCloud() + reset()": clouds, "with mock_aws():": mocks}, rounds)
    return _summary(series)


MOTO_FIXTURE = """
import pytest
from moto import mock_aws


@pytest.fixture
def moto_aws():
    with mock_aws():
        yield


# pytest's own share: fixtures with the same signatures that do nothing
@pytest.fixture
def floor_moto_aws():
    yield


@pytest.fixture
def floor_iotfake(request, iotfake_seed, iotfake_auth):
    return None
"""


FIXTURES = ("iotfake", "moto_aws", "floor_iotfake", "floor_moto_aws")


def fixture_costs(tests: int, rounds: int) -> dict[str, Any]:
    """Setup plus teardown of the ``iotfake`` fixture and of a ``mock_aws`` fixture, per test,
    pytest's own per-test cost subtracted (bench/fixture_cost.py's method), median µs.

    Each is also measured as a do-nothing fixture of the same signature (``floor_*``): what
    pytest's fixture machinery costs by itself (resolving ``iotfake``'s two session-scoped settings
    fixtures is most of it), so the fixtures' own work can be compared too.

    Interleaved like every other comparison here: each round runs one pytest session per fixture,
    the order reversed every other round, and the ratio is the median of the per-round ratios.
    """
    import tempfile
    from pathlib import Path

    per_round: dict[str, list[float]] = {name: [] for name in FIXTURES}
    with tempfile.TemporaryDirectory() as folder, _env(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x"):
        (Path(folder) / "conftest.py").write_text(MOTO_FIXTURE)
        for number in range(rounds):
            for fixture in FIXTURES if number % 2 == 0 else FIXTURES[::-1]:
                per_round[fixture].append(_fixture_us(fixture, tests, Path(folder), number))
    return fixture_summary(per_round)


def _fixture_us(fixture: str, tests: int, folder: Any, number: int) -> float:
    """One session's median setup + teardown µs per test, pytest's own per-test cost taken out."""
    from . import fixture_cost

    timings = fixture_cost.run(fixture, tests, folder, tag=f"r{number}")
    if timings is None:
        raise RuntimeError(f"the {fixture} fixture benchmark failed")
    samples: dict[str, list[float]] = {"nothing": [], fixture: []}
    for nodeid in timings.order:
        samples[nodeid.split("::test_")[1].split("__")[0]].append(timings.wall[nodeid])
    baseline = statistics.median(samples["nothing"])
    # the first test starts what the fixture shares (boto3's models, moto's backends)
    return statistics.median(t - baseline for t in samples[fixture][1:]) * 1e6


def fixture_summary(per_round: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {name: statistics.median(values) for name, values in per_round.items()}
    out["rounds_raw"] = per_round
    out["ratio_rounds"] = [m / i for m, i in zip(per_round["moto_aws"], per_round["iotfake"], strict=True)]
    out["ratio"] = statistics.median(out["ratio_rounds"])
    own = {
        name: [f - floor for f, floor in zip(per_round[name], per_round[f"floor_{name}"], strict=True)]
        for name in ("iotfake", "moto_aws")
    }
    out["own_us"] = {name: statistics.median(values) for name, values in own.items()}
    # a difference of two noisy medians: below ~10 µs in any round it says nothing, so no ratio
    if min(own["iotfake"]) >= 10 and min(own["moto_aws"]) > 0:
        out["own_ratio_rounds"] = [m / i for m, i in zip(own["moto_aws"], own["iotfake"], strict=True)]
        out["own_ratio"] = statistics.median(out["own_ratio_rounds"])
    return out


# -- results ------------------------------------------------------------------------------------------
def _summary(series: dict[str, common.Series], **extra: Any) -> dict[str, Any]:
    names = list(series)
    data: dict[str, Any] = {
        "per_second": {name: s.median for name, s in series.items()},
        "rounds_raw": {name: s.rates for name, s in series.items()},
        **extra,
    }
    if len(names) == 2:
        iot = next((n for n in names if "iotfake" in n or "FakeCloud" in n), None)
        other = next((n for n in names if n != iot), None)
        if iot is not None and other is not None:
            data["ratio"] = common.ratio(series[iot], series[other])
    return data


@contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def ratios(data: dict[str, Any]) -> dict[str, tuple[float, list[float] | None]]:
    """Every ratio the AWS comparison reports: (the median, its per-round values or None when the
    results file did not keep them). The report and bench/results/README.md both print these."""
    http, local, new, replayed = data["http"], data["in_process"], data["fresh"], data["replayed"]
    out: dict[str, tuple[float, list[float] | None]] = {}

    def per_round(part: dict[str, Any], fast: str, slow: str) -> list[float]:
        raw = part["rounds_raw"]
        return [a / b for a, b in zip(raw[fast], raw[slow], strict=True)]

    def cpu_rounds(rounds: dict[str, list[float]] | None, moto: str, fake: str) -> list[float] | None:
        if not rounds:
            return None
        # CPU time comes in clock ticks: a tiny run can read 0 for a round; it has no ratio
        return [m / f for m, f in zip(rounds[moto], rounds[fake], strict=True) if f] or None

    for connections, value in replayed["ratio"].items():
        fake, moto = f"iotfake serve x{connections}", f"moto_server x{connections}"
        out[f"replayed x{connections}"] = (value, per_round(replayed, fake, moto))
        cpu = replayed["server_cpu_us"]
        out[f"replayed cpu x{connections}"] = (
            cpu[moto] / cpu[fake] if cpu[fake] else float("inf"),
            cpu_rounds(replayed.get("server_cpu_rounds"), moto, fake),
        )
    if "ratio" in http:
        out["http"] = (http["ratio"], per_round(http, "iotfake serve", "moto_server"))
        cpu = http["cpu_us"]
        out["http cpu"] = (
            cpu["moto_server"] / cpu["iotfake serve"] if cpu["iotfake serve"] else float("inf"),
            cpu_rounds(http.get("cpu_rounds"), "moto_server", "iotfake serve"),
        )
    if "ratio" in local:
        out["in process"] = (local["ratio"], per_round(local, "iotfake", "moto mock_aws"))
        out["in process fake only"] = (local["fake_only_ratio"], fake_only_rounds(local["rounds_raw"]))
        medians = {name: [statistics.median(rates)] for name, rates in local["rounds_raw"].items()}
        out["in process fake only, from medians"] = (fake_only_rounds(medians)[0], None)
    if "ratio" in new:
        out["fresh"] = (new["ratio"], per_round(new, "FakeCloud() + reset()", "with mock_aws():"))
    fixtures = data.get("fixtures")
    if fixtures:
        out["fixture"] = (fixtures["ratio"], fixtures.get("ratio_rounds"))
        if "own_ratio" in fixtures:
            out["fixture own"] = (fixtures["own_ratio"], fixtures.get("own_ratio_rounds"))
    return out


def report(data: dict[str, Any]) -> str:
    lines = [
        "# iotfake vs moto: CreateThing + DescribeThing through boto3",
        "",
        f"Median of {data['rounds']} interleaved rounds; ratios are medians of per-round ratios. "
        "Regenerate: `python -m bench aws`.",
        "",
    ]
    if not data["iotfake_aws"]:
        lines += ["**iotfake's AWS provider is not on this branch yet: only moto's side was measured.**", ""]
    http, local, new, replayed = data["http"], data["in_process"], data["fresh"], data["replayed"]
    fixtures = data.get("fixtures")
    found = ratios(data)
    shown = {
        key: common.spread(value, rounds, 0 if key.startswith(("fresh", "fixture")) else 1)
        for key, (value, rounds) in found.items()
    }
    lines_out = []
    for connections in replayed["ratio"]:
        lines_out.append(
            f"- server throughput, boto3's requests replayed over {_connections(int(connections))}: "
            f"iotfake serve **{shown[f'replayed x{connections}']}** moto_server's pairs/s; "
            f"{shown[f'replayed cpu x{connections}']} less server CPU per pair"
        )
    if "http" in shown:
        lines_out.append(
            f"- loopback HTTP end to end, one sequential boto3 client: iotfake {shown['http']} "
            f"moto's throughput; the server alone spends {shown['http cpu']} "
            "less CPU per pair (boto3's own time per pair, the canned row, bounds this ratio)"
        )
    if "in process" in shown:
        lines_out.append(
            f"- in process: iotfake {shown['in process']} moto's throughput end to end; with boto3's own "
            f"time per pair (the canned row) taken out of both, {shown['in process fake only'][:-1]}; "
            f"{found['in process fake only, from medians'][0]:.1f}x from the three medians): a difference "
            "of noisy timings over another, so read it as a range, not a figure"
        )
    if "fresh" in shown:
        lines_out.append(f"- a fresh fake: iotfake {shown['fresh']} cheaper than `mock_aws`")
    if fixtures:
        line = f"- per-test pytest fixture: iotfake's {shown['fixture']} cheaper than a `mock_aws` one"
        if "fixture own" in shown:
            line += (
                "; with pytest's own fixture machinery (the same fixtures doing nothing) taken out of "
                f"both, {shown['fixture own']}"
            )
        elif "own_us" in fixtures:
            line += (
                "; iotfake's own share is lost in the noise of pytest's fixture machinery (a do-nothing "
                "fixture with its signature costs as much)"
            )
        lines_out.append(line)
    ratios_text = lines_out
    if ratios_text:
        lines += [
            "Ratios (targets: 5x moto's server throughput, 50x for a fresh fake), each the median of the "
            "per-round ratios with the lowest and highest round beside it:",
            "",
            *ratios_text,
            "",
        ]
    lines += _throughput_report(replayed, data["replay_pairs"])
    rows = []
    for name, rate in http["per_second"].items():
        rows.append((f"loopback HTTP, {name}", f"{rate:,.0f} pairs/s", f"{http['cpu_us'][name]:,.0f} µs"))
    for name, rate in local["per_second"].items():
        label = {"iotfake": local["iotfake_path"], "boto3 alone": "boto3 answered by canned bodies"}.get(
            name, name
        )
        rows.append((f"in process, {label}", f"{rate:,.0f} pairs/s", ""))
    for name, rate in new["per_second"].items():
        rows.append((f"fresh fake, {name}", f"{rate:,.0f} /s ({1e6 / rate:,.0f} µs each)", ""))
    if fixtures:
        labels = (
            ("iotfake", "`iotfake` fixture"),
            ("floor_iotfake", "a do-nothing fixture with `iotfake`'s signature"),
            ("moto_aws", "`mock_aws` fixture"),
            ("floor_moto_aws", "a do-nothing fixture with the `mock_aws` one's signature"),
        )
        for name, label in labels:
            if name in fixtures:
                rows.append((f"pytest, {label} setup + teardown", f"{fixtures[name]:,.0f} µs per test", ""))
    lines += [
        "## End to end, in process, fresh fakes",
        "",
        f"{data['pairs']} pairs per round, one boto3 client calling one operation after another.",
        "",
        common.table(["what", "median rate", "server CPU per pair"], rows),
    ]
    return "\n".join(lines)


def _connections(count: int) -> str:
    return "one connection" if count == 1 else f"{count} connections at once"


def _throughput_report(replayed: dict[str, Any], pairs: int) -> list[str]:
    rows = []
    for label, rate in replayed["per_second"].items():
        name, connections = label.rsplit(" x", 1)
        failures = replayed["failures"][label]
        rows.append(
            (
                name,
                connections,
                f"{rate:,.0f} pairs/s",
                f"{replayed['server_cpu_us'][label]:,.0f} µs",
                f"{replayed['client_cpu_us'][label]:,.0f} µs",
                ", ".join(f"{n} x {what}" for what, n in failures.items()) or "none",
                f"{replayed['reconnects'][label]:,} of {replayed['requests'][label]:,} requests",
            )
        )
    header = ["server", "connections", "median rate", "server CPU per pair", "client CPU per pair"]
    return [
        "## Server throughput: boto3's requests replayed",
        "",
        f"{pairs} CreateThing + DescribeThing pairs per round, serialised and SigV4-signed by boto3 "
        "(recorded through botocore's `before-send` hook), then replayed byte for byte over "
        "plain sockets; every answer's status is checked (both operations answer 200; anything else "
        "is a failure). Where a server answers `Connection: close`, the client reconnects before "
        "its next request and counts it (moto_server's werkzeug server closes after every answer; "
        "iotfake serve keeps connections alive). Method: bench/replay.py.",
        "",
        common.table([*header, "failures", "reconnections"], rows),
        "",
    ]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench aws", description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300, help="CreateThing+DescribeThing pairs per round")
    parser.add_argument(
        "--replay-pairs", type=int, default=600, help="pairs per round replayed for server throughput"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fresh", type=int, default=300, help="fresh fakes per round")
    parser.add_argument(
        "--fixture-tests",
        type=int,
        default=150,
        help="tests per pytest fixture session, one session per fixture per round (0: skip)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = {
        "pairs": args.pairs,
        "rounds": args.rounds,
        "iotfake_aws": iotfake_has_aws(),
        "replay_pairs": args.replay_pairs,
        "replayed": server_throughput(args.replay_pairs, args.rounds),
        "http": over_http(args.pairs, args.rounds),
        "in_process": in_process(args.pairs, args.rounds),
        "fresh": fresh(args.fresh, args.rounds),
        "fixtures": fixture_costs(args.fixture_tests, args.rounds) if args.fixture_tests else None,
    }
    data["seconds"] = round(time.perf_counter() - started, 1)
    text = report(data)
    common.write("aws", data, text)
    print(text)
    return data
