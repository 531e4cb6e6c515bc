"""The fake's own share of a call, per in-process transport and provider (issue: the cheapest fake
per call).

    python -m bench percall [--pairs 400] [--rounds 7] [--profile]

Each row is one client library talking to one provider in process, create then get/describe of
a new record, timed three ways in interleaved rounds:

* **floor**: the same client answered at its own transport hook (boto3's ``before-send``, a
  ``requests`` adapter, an ``httpx.MockTransport``) with the fake's own answer to that call, its
  status, headers and body recorded once from a fresh cloud: what the client costs when the
  server costs nothing;
* **iotfake**: the client through iotfake's transport (``route_botocore``, ``WSGIAdapter``,
  ``httpx_transport``) to a fresh ``FakeCloud``;
* **least**: the floor's hook doing, before it answers, the least work any fake must do
  (``least_work``: split the URL, decode the body, keep or find the record, encode an answer),
  so its share over the floor is the part of a fake's share no design can remove;
* **moto** (boto3 only): the same client under ``mock_aws``;
* **alone**: the requests the client sent, replayed straight into the fake's in-process entry
  (``transports._exchange``: environ, app, answer) with no client code in between.

The fake's share is iotfake minus floor, per call (a pair is two calls), with the per-round
spread; the goal is at most 120 µs per call and at most 20% of the floor. The share is about
twice "alone": run between a client's calls, the fake's code and data fall out of the CPU's
caches and the client's fall out in turn, so each side runs slower than it does alone. The last
line times the AWS row's replayed calls alone and each after 8 MB streamed through the caches.
``--profile`` adds a cProfile of the fake's part (the transport and the app, without the client)
for each row.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import orjson

from iotfake import FakeCloud

from . import common

_names = itertools.count()
ENOS_TOKEN = {"apim-accesstoken": "bench"}
PRODUCT = {
    "productName": {"defaultValue": "Meter"},
    "productType": "Device",
    "dataFormat": "Json",
    "modelId": "meter",
    "biDirectionalAuth": False,
}
Pair = Callable[[str], None]


# -- recorded answers -----------------------------------------------------------------------------
#: the name a pair is recorded with; the floor's AWS answers carry the asked name in its place
RECORDED = "recorded-0"


class Recording:
    """The fake's own answers to one pair (create, then get), recorded once from a fresh cloud.

    The floor answers with these bytes, so the client parses the very status, headers and body
    the fake sends: what it costs to read them is the client's, not the fake's. A recording
    made ``least()`` also does, before answering, the least work any fake must do (see
    ``least_work``).
    """

    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud
        self.answers: list[tuple[int, list[tuple[str, str]], bytes]] = []
        #: the requests as sent: method, URL, headers, body
        self.requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        self._next = 0
        #: the records ``least_work`` keeps, by name; None: the floor, which does no work
        self.kept: dict[str, Any] | None = None

    def least(self) -> Recording:
        """The same answers, each after ``least_work`` on the request it answers."""
        other = Recording(self.cloud)
        other.answers, other.requests, other.kept = self.answers, self.requests, {}
        return other

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        query = environ.get("QUERY_STRING", "")
        url = "http://iotfake" + environ["PATH_INFO"] + (f"?{query}" if query else "")
        headers = [(key[5:].replace("_", "-"), value) for key, value in environ.items() if key[:5] == "HTTP_"]
        if "CONTENT_TYPE" in environ:
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        self.requests.append((environ["REQUEST_METHOD"], url, headers, body))
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = b"".join(self.cloud.wsgi_app(environ, capture))
        self.answers.append((int(seen["status"].split(" ", 1)[0]), list(seen["headers"]), body))
        return [body]

    def answer(self, name: str | None = None, request: Any = None) -> tuple[int, dict[str, str], bytes]:
        """The next recorded answer (create, get, create, ...), naming ``name`` where it named
        the recorded one; ``request`` is the client's, which ``least_work`` reads (the floor
        only passes it on)."""
        if self.kept is not None and request is not None:
            least_work(self.kept, self._next % 2 == 0, *_parts(request))
        status, headers, body = self.answers[self._next % len(self.answers)]
        self._next += 1
        if name is not None:
            body = body.replace(RECORDED.encode(), name.encode())
        fields = {k: v for k, v in headers if k.lower() != "content-length"}
        fields["Content-Length"] = str(len(body))
        return status, fields, body


def _parts(request: Any) -> tuple[str, str, Any]:
    """Method, URL and body of a client's request: botocore's and requests' hold the URL as text
    and the body as ``body``; httpx's hold a URL object and the body as ``content``."""
    if isinstance(request.url, str):
        return request.method, request.url, request.body
    return request.method, str(request.url), request.content


def least_work(kept: dict[str, Any], creating: bool, method: str, url: str, body: Any) -> bytes:
    """What any fake must do with a call and nothing more: split the URL into its path and
    query, decode the JSON body, keep the new record by its name or find it, encode an answer.
    No route table, credentials, validation, journal, ids or error shapes. Its share over the
    floor is how much of the fake's share no design can remove: it is paid between the
    client's calls, with the fake's code and data fetched again each time."""
    path, _, query = url.partition("?")
    fields = dict(part.partition("=")[::2] for part in query.split("&")) if query else {}
    given = orjson.loads(body) if body else {}
    name = given.get("id") or given.get("deviceKey") or fields.get("deviceKey") or path.rsplit("/", 1)[-1]
    if creating:
        kept[name] = given
        return orjson.dumps({"name": name, "record": given})
    return orjson.dumps(kept.get(name))


def replayed(
    requests: list[tuple[str, str, list[tuple[str, str]], bytes]], cloud: FakeCloud, session: bool = False
) -> Pair:
    """A pair's recorded requests (``Recording.requests``), renamed, sent to ``cloud`` with no
    client in between. ``session``: their headers as a session's (``SessionHeaders``), as the
    requests and httpx transports pass them (boto3's are a list: signed anew for every call)."""
    from iotfake.environ import SessionHeaders
    from iotfake.transports import _exchange

    app, old = cloud.wsgi_app, RECORDED.encode()
    if session:
        requests = [(m, url, SessionHeaders(headers), body) for m, url, headers, body in requests]  # type: ignore[misc]

    def pair(name: str) -> None:
        new = name.encode()
        for method, url, headers, body in requests:
            status, _, content = _exchange(
                app, method, url.replace(RECORDED, name), headers, body.replace(old, new)
            )
            assert status == 200 and succeeded(content), (method, url, status, content[:200])

    return pair


def succeeded(content: bytes) -> bool:
    """Whether an answer of HTTP 200 is a success: EnOS and scriptr answer their errors with
    200 too (a replay past a product's quota of 10,000 devices would time error answers)."""
    if content.startswith(b'{"code":'):
        return content.startswith(b'{"code":0,')
    return b'"status":"failure"' not in content[:160]


def recorded(make: Callable[[Any], Any], pair_of: Callable[[Any], Pair], cloud: FakeCloud) -> Recording:
    """Run one pair named RECORDED through ``make``'s transport against ``cloud``, recording."""
    recording = Recording(cloud)
    pair_of(make(recording.app))(RECORDED)
    assert len(recording.answers) == 2, recording.answers
    return recording


# -- clients ------------------------------------------------------------------------------------------
def boto3_client(service: str = "iot", endpoint_url: str | None = "http://iotfake") -> Any:
    """The benches' boto3 client: fixed region and keys, one attempt (a retry would time twice)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="AKIDBENCHMARK",
        aws_secret_access_key="bench-secret",
        config=Config(retries={"total_max_attempts": 1}),
    )


def _boto3(target: Any | None) -> Any:
    from iotfake.transports import route_botocore

    client = boto3_client(endpoint_url=None if target is None else "http://iotfake")
    if isinstance(target, Recording):
        from botocore.awsrequest import AWSResponse

        def send(request: Any, **_: Any) -> AWSResponse:
            status, headers, body = target.answer(request.url.rsplit("/", 1)[1], request)
            return AWSResponse(request.url, status, headers, common.RawBody(body))

        client.meta.events.register("before-send", send)
    elif target is not None:
        route_botocore(client, target)
    return client


def aws_pair(client: Any) -> Pair:
    def pair(name: str) -> None:
        client.create_thing(thingName=name)
        assert client.describe_thing(thingName=name)["thingName"] == name

    return pair


def _requests(target: Any) -> Any:
    import requests

    from iotfake.transports import WSGIAdapter

    session = requests.Session()
    if isinstance(target, Recording):
        from requests.adapters import BaseAdapter
        from requests.models import Response
        from requests.structures import CaseInsensitiveDict
        from requests.utils import get_encoding_from_headers

        class Canned(BaseAdapter):
            def send(self, request: Any, **_: Any) -> Response:
                status, headers, body = target.answer(None, request)
                response = Response()
                response.status_code = status
                response.headers = CaseInsensitiveDict(headers)
                response.encoding = get_encoding_from_headers(response.headers)
                response._content = body
                response.url, response.request = request.url, request
                return response

            def close(self) -> None:
                pass

        session.mount("http://iotfake", Canned())
    else:
        session.mount("http://iotfake", WSGIAdapter(target))
    return session


def _httpx(target: Any) -> Any:
    import httpx

    from iotfake.transports import httpx_transport

    if isinstance(target, Recording):

        def canned(request: httpx.Request) -> httpx.Response:
            status, headers, body = target.answer(None, request)
            return httpx.Response(status, headers=headers, content=body)

        transport: Any = httpx.MockTransport(canned)
    else:
        transport = httpx_transport(target)
    return httpx.Client(transport=transport, base_url="http://iotfake")


def enos_pair(http: Any, product_key: str) -> Pair:
    base = "http://iotfake/connect-service/v2.1/devices"

    def pair(name: str) -> None:
        body = {
            "productKey": product_key,
            "deviceKey": name,
            "timezone": "+08:00",
            "deviceName": {"defaultValue": name},
        }
        made = http.post(f"{base}?action=create&orgId=o1", json=body, headers=ENOS_TOKEN).json()
        assert made["code"] == 0, made
        got = http.get(
            f"{base}?action=get&orgId=o1&productKey={product_key}&deviceKey={name}", headers=ENOS_TOKEN
        )
        assert got.json()["code"] == 0

    return pair


def scriptr_pair(http: Any, token: str) -> Pair:
    headers = {"Authorization": f"bearer {token}"}

    def pair(name: str) -> None:
        made = http.post(
            "http://iotfake/scriptr/device/create",
            json={"id": name, "name": name, "password": "pw-123456"},
            headers=headers,
        )
        assert made.json()["response"]["metadata"]["status"] == "success", made.text
        got = http.post("http://iotfake/scriptr/device/get", json={"id": name}, headers=headers)
        assert got.json()["response"]["metadata"]["status"] == "success"

    return pair


# -- rows ---------------------------------------------------------------------------------------------
def _enos_cloud() -> tuple[FakeCloud, str]:
    from iotfake.transports import requests_session

    cloud = FakeCloud(seed=1)
    answer = (
        requests_session(cloud)
        .post("/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT, headers=ENOS_TOKEN)
        .json()
    )
    return cloud, answer["data"]


def _scriptr_cloud() -> tuple[FakeCloud, str]:
    cloud = FakeCloud(seed=1)
    return cloud, cloud.scriptr("acme").token


def _aws_row() -> dict[str, Pair]:
    floor = recorded(_boto3, aws_pair, FakeCloud(seed=1))
    return {
        "floor": aws_pair(_boto3(floor)),
        "least": aws_pair(_boto3(floor.least())),
        "iotfake": aws_pair(_boto3(FakeCloud(seed=1))),
        "alone": replayed(floor.requests, FakeCloud(seed=1)),
    }


def _enos_row(make: Callable[[Any], Any]) -> dict[str, Pair]:
    cloud, product = _enos_cloud()
    answers = recorded(make, _enos_pair_of(product), _enos_cloud()[0])
    return {
        "floor": enos_pair(make(answers), product),
        "least": enos_pair(make(answers.least()), product),
        "iotfake": enos_pair(make(cloud), product),
        "alone": replayed(answers.requests, _enos_cloud()[0], session=True),  # seeded: the same product key
    }


def _scriptr_row(make: Callable[[Any], Any]) -> dict[str, Pair]:
    cloud, token = _scriptr_cloud()
    answers = recorded(make, _scriptr_pair_of(token), _scriptr_cloud()[0])
    return {
        "floor": scriptr_pair(make(answers), token),
        "least": scriptr_pair(make(answers.least()), token),
        "iotfake": scriptr_pair(make(cloud), token),
        "alone": replayed(answers.requests, _scriptr_cloud()[0], session=True),  # seeded: the same token
    }


#: row name -> what makes its contenders (each row on its own, for ``bench instructions``)
ROWS: dict[str, Callable[[], dict[str, Pair]]] = {
    "boto3 -> AWS": _aws_row,
    "requests -> EnOS": lambda: _enos_row(_requests),
    "requests -> scriptr": lambda: _scriptr_row(_requests),
    "httpx -> EnOS": lambda: _enos_row(_httpx),
    "httpx -> scriptr": lambda: _scriptr_row(_httpx),
}


@contextmanager
def rows(stack: ExitStack) -> Iterator[dict[str, dict[str, Pair]]]:
    """Row name -> contender name -> the pair it runs."""
    table = {name: make() for name, make in ROWS.items()}
    try:
        from moto import mock_aws

        stack.enter_context(mock_aws())
        table["boto3 -> AWS"]["moto"] = aws_pair(_boto3(None))
    except ImportError:
        pass
    yield table


def _enos_pair_of(product: str) -> Callable[[Any], Pair]:
    return lambda http: enos_pair(http, product)


def _scriptr_pair_of(token: str) -> Callable[[Any], Pair]:
    return lambda http: scriptr_pair(http, token)


def _timed(pair: Pair, pairs: int) -> Callable[[], float]:
    def run() -> float:
        names = [f"bench-{next(_names)}" for _ in range(pairs)]
        started = time.perf_counter()
        for name in names:
            pair(name)
        return pairs / (time.perf_counter() - started)

    return run


def measure(pairs: int, rounds: int, only: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    with ExitStack() as stack, rows(stack) as table:
        for row, contenders in table.items():
            if only not in row:
                continue
            runs = {name: _timed(pair, pairs) for name, pair in contenders.items()}
            for run in runs.values():
                run()  # warm up
            series = common.interleaved(runs, rounds)
            per_call = {name: [1e6 / rate / 2 for rate in s.rates] for name, s in series.items()}
            shares = [f - c for f, c in zip(per_call["iotfake"], per_call["floor"], strict=True)]
            of_floor = [s / f for s, f in zip(shares, per_call["floor"], strict=True)]
            least = [m - c for m, c in zip(per_call["least"], per_call["floor"], strict=True)]
            least_of = [m / f for m, f in zip(least, per_call["floor"], strict=True)]
            entry = {
                "alone_us": statistics.median(per_call["alone"]),
                "share_over_alone": statistics.median(
                    s / a for s, a in zip(shares, per_call["alone"], strict=True)
                ),
                "floor_us": statistics.median(per_call["floor"]),
                "iotfake_us": statistics.median(per_call["iotfake"]),
                "share_us": statistics.median(shares),
                "share_rounds": [min(shares), max(shares)],
                "share_of_floor": statistics.median(of_floor),
                "share_of_floor_rounds": [min(of_floor), max(of_floor)],
                "least_us": statistics.median(least),
                "least_rounds": [min(least), max(least)],
                "least_of_floor": statistics.median(least_of),
            }
            if "moto" in per_call:
                moto = [m - c for m, c in zip(per_call["moto"], per_call["floor"], strict=True)]
                over = [m / s for m, s in zip(moto, shares, strict=True)]
                entry["moto_share_us"] = statistics.median(moto)
                entry["moto_over_iotfake"] = statistics.median(over)
                entry["moto_over_iotfake_rounds"] = [min(over), max(over)]
            out[row] = entry
    return out


def cold(pairs: int, rounds: int) -> dict[str, list[float]]:
    """The AWS row's replayed calls timed alone, and each after 8 MB streamed through the CPU's
    caches: what the fake costs with its working set cached and with it fetched again."""
    import hashlib

    recording = recorded(_boto3, aws_pair, FakeCloud(seed=1))
    pair, names, flood = replayed(recording.requests, FakeCloud(seed=1)), itertools.count(), bytes(8 << 20)
    out: dict[str, list[float]] = {"alone_us": [], "after_flood_us": []}
    for _ in range(pairs):
        pair(f"w{next(names)}")
    for _ in range(rounds):
        for label, before in (("alone_us", None), ("after_flood_us", flood)):
            spent = 0.0
            for _ in range(pairs):
                if before is not None:
                    hashlib.md5(before).digest()
                started = time.perf_counter()
                pair(f"c{next(names)}")
                spent += time.perf_counter() - started
            out[label].append(spent / pairs / 2 * 1e6)
    return out


def profile(pairs: int) -> dict[str, str]:
    """cProfile of each row's iotfake contender, the fake's own functions first."""
    texts = {}
    with ExitStack() as stack, rows(stack) as table:
        for row, contenders in table.items():
            pair = contenders["iotfake"]
            _timed(pair, 50)()
            profiler = cProfile.Profile()
            profiler.enable()
            _timed(pair, pairs)()
            profiler.disable()
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats("iotfake|werkzeug", 25)
            texts[row] = buffer.getvalue()
    return texts


#: the issue's goal for the fake's own share of one call: at most this many µs, and at most
#: this part of what the client costs on its own (the floor)
GOAL_US, GOAL_OF_FLOOR = 120, 0.20


def _rounds(value: float, rounds: list[float] | None, shown: str) -> str:
    """A per-round figure with its lowest and highest round, where the run recorded them."""
    if not rounds:
        return shown.format(value)
    return f"{shown.format(value)} ({shown.format(rounds[0])} to {shown.format(rounds[1])})"


def report(data: dict[str, Any]) -> str:
    lines = [
        "| transport -> provider | floor µs/call | iotfake µs/call | fake's share µs/call (rounds) "
        "| share / floor (rounds) | least µs/call (rounds; of floor) | alone µs/call (share / alone) "
        "| moto's share |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row, e in data.items():
        moto = (
            f"{e['moto_share_us']:.0f} µs: "
            f"{common.spread(e['moto_over_iotfake'], e.get('moto_over_iotfake_rounds'))} iotfake's"
            if "moto_share_us" in e
            else "-"
        )
        lines.append(
            f"| {row} | {e['floor_us']:.0f} | {e['iotfake_us']:.0f} "
            f"| {_rounds(e['share_us'], e['share_rounds'], '{:.0f}')} "
            f"| {_rounds(e['share_of_floor'], e.get('share_of_floor_rounds'), '{:.0%}')} "
            f"| {_least(e)} | {e['alone_us']:.0f} ({e['share_over_alone']:.1f}x) | {moto} |"
        )
    return "\n".join(lines) + "\n\n" + goal(data)


def _least(entry: dict[str, Any]) -> str:
    if "least_us" not in entry:  # results made before the least contender
        return "-"
    return (
        f"{_rounds(entry['least_us'], entry.get('least_rounds'), '{:.0f}')} ({entry['least_of_floor']:.0%})"
    )


def goal(data: dict[str, Any]) -> str:
    """Which rows meet the goal (their medians): a share of at most GOAL_US and GOAL_OF_FLOOR;
    and how much of the floor the least contender adds."""
    rows = len(data)
    cheap = [row for row, e in data.items() if e["share_us"] <= GOAL_US]
    small = [row for row, e in data.items() if e["share_of_floor"] <= GOAL_OF_FLOOR]
    text = (
        f"Goal: a share of at most {GOAL_US} µs a call, met by {len(cheap)} of {rows} rows; "
        f"at most {GOAL_OF_FLOOR:.0%} of the floor, met by {len(small)} of {rows}"
        + (f" ({', '.join(small)})." if small else ".")
    )
    least = [e["least_of_floor"] for e in data.values() if "least_of_floor" in e]
    if least:
        text += (
            f" The least any fake adds (least_work) is {min(least):.0%} to {max(least):.0%} of the "
            "floor: the rest of the share is what the fake's behaviour costs (routes, credentials, "
            "validation, ids, journal, the providers' answers)."
        )
    return text


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench percall", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also write a profile of each row")
    parser.add_argument("--only", default="", help="the rows whose name holds this text (not saved)")
    args = parser.parse_args(argv)
    data = measure(args.pairs, args.rounds, args.only)
    text = report(data)
    print(text)
    if args.only:  # a partial table is for a quick look, not the results
        return
    flooded = cold(args.pairs, args.rounds)
    alone, after = (statistics.median(flooded[k]) for k in ("alone_us", "after_flood_us"))
    ratios = [b / a for a, b in zip(flooded["alone_us"], flooded["after_flood_us"], strict=True)]
    text += (
        f"\n\nThe AWS row's calls replayed alone: {alone:.0f} µs a call; each after 8 MB streamed through "
        f"the CPU's caches: {after:.0f} µs, {common.spread(statistics.median(ratios), ratios)}."
    )
    print(text.rsplit("\n", 1)[1])
    common.RESULTS.mkdir(exist_ok=True)
    (common.RESULTS / "percall.json").write_text(
        json.dumps({"machine": common.machine(), "rows": data, "cold": flooded}, indent=2)
    )
    (common.RESULTS / "percall.md").write_text(
        f"# The fake's own share per call\n\n"
        f"`python -m bench percall --pairs {args.pairs} --rounds {args.rounds}`\n\n{text}\n"
    )
    if args.profile:
        for row, body in profile(args.pairs).items():
            slug = row.replace(" -> ", "_").replace(" ", "").lower()
            (common.RESULTS / f"percall_profile_{slug}.txt").write_text(body)
