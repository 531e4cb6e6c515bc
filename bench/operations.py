"""The fake's own share of each common AWS IoT operation through boto3, in process (issue: the
cheapest fake per call).

    python -m bench operations [--things 1000] [--calls 100] [--rounds 7]

``percall`` times one create and one read per provider; a provisioning suite calls many more
operations, some of which read a whole table (ListThings, SearchIndex). Each row here is one
operation, called on an account that already holds ``things`` things (plus a certificate, a
policy, a thing group, a shadow, a registry index, and two jobs of one thing, the first of which
it is running), timed two ways in interleaved rounds:

* **floor**: the same boto3 call answered at its ``before-send`` hook with the fake's own answer
  to it, recorded once: what boto3 costs when the server costs nothing;
* **iotfake**: the call through ``route_botocore`` to the cloud.

The share is iotfake minus floor, per call, with its per-round spread; the goal line counts the
operations within ``percall``'s 120 µs. CreateKeysAndCertificate is left out: its RSA-2048 key
costs tens of milliseconds of CPU whoever makes it (the fake keeps a few ready, see
``keypool``), which says nothing of the fake's own cost.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from iotfake import FakeCloud

from . import common
from .percall import GOAL_US, boto3_client

Call = Callable[[Any], Any]
_names = itertools.count()


def _canned(service: str, answer: tuple[int, dict[str, str], bytes]) -> Any:
    """A client whose every call gets ``answer`` at its ``before-send`` hook."""
    from botocore.awsrequest import AWSResponse

    client = boto3_client(service)
    status, headers, body = answer

    def send(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, status, headers, common.RawBody(body))

    client.meta.events.register("before-send", send)
    return client


#: the boto3 services the rows call
SERVICES = ("iot", "iot-data", "iot-jobs-data")


def account(things: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The ``iot``, ``iot-data`` and ``iot-jobs-data`` clients of a fresh cloud whose account holds ``things``
    things (at least ten: the rows name the first ten) and one of each record the rows read, and
    the certificate's id and ARN."""
    from iotfake.transports import route_botocore

    cloud = FakeCloud(seed=1)
    clients = {service: route_botocore(boto3_client(service), cloud) for service in SERVICES}
    iot = clients["iot"]
    iot.create_thing_type(thingTypeName="meter")
    for number in range(max(things, 10)):
        iot.create_thing(
            thingName=f"thing-{number:07d}",
            **({"thingTypeName": "meter"} if number % 2 else {}),
            attributePayload={"attributes": {"site": f"site-{number % 10}"}},
        )
    made = iot.create_keys_and_certificate(setAsActive=True)
    cert = {"id": made["certificateId"], "arn": made["certificateArn"]}
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
    iot.create_policy(policyName="bench", policyDocument=json.dumps(policy))
    iot.attach_thing_principal(thingName="thing-0000001", principal=cert["arn"])
    iot.create_thing_group(thingGroupName="bench")
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    clients["iot-data"].update_thing_shadow(
        thingName="thing-0000002", payload=b'{"state":{"reported":{"t":1}}}'
    )
    thing = iot.describe_thing(thingName="thing-0000003")["thingArn"]
    for job in ("bench-1", "bench-2"):  # one for the device to run, one queued behind it
        iot.create_job(jobId=job, targets=[thing], document='{"op": "update"}')
    clients["iot-jobs-data"].start_next_pending_job_execution(thingName="thing-0000003")
    return clients, cert


def operations(cert: dict[str, str]) -> dict[str, tuple[str, Call]]:
    """name -> (service, the call); calls that create name a new record every time."""
    shadow = b'{"state":{"reported":{"t":2}}}'
    return {
        "DescribeThing": ("iot", lambda c: c.describe_thing(thingName="thing-0000005")),
        "UpdateThing": (
            "iot",
            lambda c: c.update_thing(thingName="thing-0000006", attributePayload={"attributes": {"a": "1"}}),
        ),
        "ListThings (a page of 25)": ("iot", lambda c: c.list_things(maxResults=25)),
        "ListThings (of a type)": ("iot", lambda c: c.list_things(thingTypeName="meter", maxResults=25)),
        "ListThings (by attribute)": (
            "iot",
            lambda c: c.list_things(attributeName="site", attributeValue="site-3", maxResults=25),
        ),
        "DescribeCertificate": ("iot", lambda c: c.describe_certificate(certificateId=cert["id"])),
        "AttachThingPrincipal": (
            "iot",
            lambda c: c.attach_thing_principal(thingName="thing-0000007", principal=cert["arn"]),
        ),
        "ListThingPrincipals": ("iot", lambda c: c.list_thing_principals(thingName="thing-0000001")),
        "AttachPolicy": ("iot", lambda c: c.attach_policy(policyName="bench", target=cert["arn"])),
        "GetPolicy": ("iot", lambda c: c.get_policy(policyName="bench")),
        "AddThingToThingGroup": (
            "iot",
            lambda c: c.add_thing_to_thing_group(thingGroupName="bench", thingName="thing-0000008"),
        ),
        "DescribeThingGroup": ("iot", lambda c: c.describe_thing_group(thingGroupName="bench")),
        "DescribeEndpoint": ("iot", lambda c: c.describe_endpoint(endpointType="iot:Data-ATS")),
        "SearchIndex (a name prefix)": (
            "iot",
            lambda c: c.search_index(queryString="thingName:thing-00001*"),
        ),
        "UpdateThingShadow": (
            "iot-data",
            lambda c: c.update_thing_shadow(thingName="thing-0000002", payload=shadow),
        ),
        "GetThingShadow": ("iot-data", lambda c: c.get_thing_shadow(thingName="thing-0000002")),
        "GetPendingJobExecutions": (
            "iot-jobs-data",
            lambda c: c.get_pending_job_executions(thingName="thing-0000003"),
        ),
        "UpdateJobExecution": (  # the one in progress, its step reported again
            "iot-jobs-data",
            lambda c: c.update_job_execution(
                jobId="bench-1", thingName="thing-0000003", status="IN_PROGRESS", statusDetails={"step": "2"}
            ),
        ),
        # last: the things it makes would change what the rows before it read
        "CreateThing": ("iot", lambda c: c.create_thing(thingName=f"new-{next(_names)}")),
    }


def _recorded(client: Any, call: Call) -> tuple[int, dict[str, str], bytes]:
    """The fake's answer to one ``call``, as boto3 received it."""
    seen: dict[str, Any] = {}

    def keep(http_response: Any, **_: Any) -> None:
        seen["answer"] = (http_response.status_code, dict(http_response.headers), http_response.content)

    client.meta.events.register("after-call", keep)
    try:
        call(client)
    finally:
        client.meta.events.unregister("after-call", keep)
    return seen["answer"]


def _timed(client: Any, call: Call, calls: int) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            call(client)
        return calls / (time.perf_counter() - started)

    return run


def measure(things: int, calls: int, rounds: int, only: str = "") -> dict[str, Any]:
    clients, cert = account(things)
    out: dict[str, Any] = {}
    for name, (service, call) in operations(cert).items():
        if only not in name:
            continue
        real = clients[service]
        floor = _canned(service, _recorded(real, call))
        runs = {"floor": _timed(floor, call, calls), "iotfake": _timed(real, call, calls)}
        for run in runs.values():
            run()  # warm up
        series = common.interleaved(runs, rounds)
        per_call = {who: [1e6 / rate for rate in s.rates] for who, s in series.items()}
        shares = [i - f for i, f in zip(per_call["iotfake"], per_call["floor"], strict=True)]
        of_floor = [s / f for s, f in zip(shares, per_call["floor"], strict=True)]
        out[name] = {
            "floor_us": statistics.median(per_call["floor"]),
            "iotfake_us": statistics.median(per_call["iotfake"]),
            "share_us": statistics.median(shares),
            "share_rounds": [min(shares), max(shares)],
            "share_of_floor": statistics.median(of_floor),
        }
    return out


def report(data: dict[str, Any], things: int) -> str:
    rows = [
        (
            name,
            f"{e['floor_us']:.0f}",
            f"{e['iotfake_us']:.0f}",
            f"{e['share_us']:.0f} ({e['share_rounds'][0]:.0f} to {e['share_rounds'][1]:.0f})",
            f"{e['share_of_floor']:.0%}",
        )
        for name, e in data.items()
    ]
    table = common.table(
        [
            "operation (boto3, in process)",
            "floor µs/call",
            "iotfake µs/call",
            "fake's share µs (rounds)",
            "share / floor",
        ],
        rows,
    )
    within = [name for name, e in data.items() if e["share_us"] <= GOAL_US]
    over = [name for name in data if name not in within]
    goal = (
        f"On an account of {things:,} things, {len(within)} of {len(data)} operations are within "
        f"{GOAL_US} µs of the fake's own share" + (f"; over it: {', '.join(over)}." if over else ".")
    )
    return table + "\n\n" + goal


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench operations", description=__doc__.split("\n\n")[0])
    parser.add_argument("--things", type=int, default=1000, help="things in the account the operations read")
    parser.add_argument("--calls", type=int, default=100, help="calls of an operation per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", default="", help="the operations whose name holds this text")
    args = parser.parse_args(argv)
    data = measure(args.things, args.calls, args.rounds, args.only)
    text = report(data, args.things)
    print(text)
    if not args.only:
        common.write(
            "operations",
            {"things": args.things, "calls": args.calls, "rounds": args.rounds, "operations": data},
            text,
        )
