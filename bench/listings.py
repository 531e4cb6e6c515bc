"""Listings as the fleet grows: what one page costs at 1,000, 10,000 and 50,000 devices.

    python -m bench listings [--sizes 1000,10000,50000] [--calls 20]

A test that pages through a fleet, or counts it, calls a listing once per page: a listing whose
every page reads (or sorts) the whole fleet makes paging quadratic. Each row here is one page,
through the client a test would use, in process:
- boto3: ListThings (the first page and the one after it, and by an attribute 60 things have,
  spread over the fleet), ListThingsInThingGroup of a group holding every thing, SearchIndex by a
  name prefix and by an attribute's value the things with the rare attribute have (every thing
  has the attribute, with other values); GetPendingJobExecutions of a thing that two jobs of
  every thing (one SNAPSHOT, one CONTINUOUS) target;
- scriptr's device.query: a page, a page with its count, sorted by name, filtered;
- EnOS's SearchDevice: without an expression, and with one that reads every device.

The fleet is made with ``FakeCloud.populate`` (no HTTP). Each row's cost is the median of
``--calls`` calls; the last column is the largest fleet's over the smallest's: near 1 where a
page costs the same whatever the fleet, the fleet's growth where the listing must read every
device. A sort or a filter selects anew after each change ("the first page", timed after one)
and the pages after it read what it selected ("the next page").
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from iotfake import FakeCloud
from iotfake.providers.aws_iot.arns import DEFAULT_ACCOUNT, DEFAULT_REGION, tenant_id
from iotfake.registry.groups import Groups
from iotfake.transports import requests_session, route_botocore

from . import common
from .enos import HEADERS, ORG, PRODUCT_KEY, seeded_cloud
from .percall import boto3_client

PAGE = 50
#: an expression SearchDevice evaluates on every device (no productKey pins it)
SCAN = {"expression": "status = 'inactive'"}
#: the site of the things with the rare attribute (every other thing has a site of its own)
SITE = "bench-site"


#: the jobs of every thing (``fleet_of``), by id: one of each target selection
JOBS = {"rollout": "SNAPSHOT", "always": "CONTINUOUS"}


class Fleet(NamedTuple):
    """``devices`` devices for each provider, every AWS thing in the thing group "every-thing",
    which ``JOBS`` target, and the clients and scriptr headers the rows call them with (``bench
    writes`` too)."""

    cloud: FakeCloud
    things: list[str]
    scriptr_ids: list[str]
    enos_keys: list[str]
    iot: Any
    jobs: Any
    http: Any
    scriptr: dict[str, str]


def fleet_of(devices: int) -> Fleet:
    cloud = seeded_cloud(1)  # an EnOS org whose product has no quota, and its token
    things = cloud.populate("aws", devices)
    scriptr_ids = cloud.populate("scriptr", devices, account="acme")
    enos_keys = cloud.populate("enos", devices, org=ORG, product=PRODUCT_KEY)
    iot = route_botocore(boto3_client("iot"), cloud)
    jobs = route_botocore(boto3_client("iot-jobs-data"), cloud)
    iot.create_thing_group(thingGroupName="every-thing")
    group = Groups(cloud.registry.tenant("aws", tenant_id(DEFAULT_ACCOUNT, DEFAULT_REGION)))
    for name in things:  # the registry's own call (AddThingToThingGroup's): a group of the fleet
        group.add_member("every-thing", name)
    every_thing = iot.describe_thing_group(thingGroupName="every-thing")["thingGroupArn"]
    for job, selection in JOBS.items():  # an execution for every thing in each
        iot.create_job(jobId=job, targets=[every_thing], document='{"op": "x"}', targetSelection=selection)
    scriptr = {"Authorization": f"bearer {cloud.scriptr('acme').token}"}
    return Fleet(cloud, things, scriptr_ids, enos_keys, iot, jobs, requests_session(cloud), scriptr)


def fleet(devices: int) -> dict[str, Callable[[], Any]]:
    """A cloud of ``devices`` devices for each provider, and the calls the rows time on it."""
    cloud, things, _, _, iot, jobs, http, scriptr = fleet_of(devices)
    names = sorted(things)
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    token = iot.list_things(maxResults=PAGE)["nextToken"]
    prefix = names[len(names) // 2][:-1]  # a handful of names (the last character varies)
    for name in names[:: max(1, len(names) // (PAGE + 10))][: PAGE + 10]:  # spread over the fleet
        # every thing has a site (populate's): these alone have this one
        iot.update_thing(thingName=name, attributePayload={"attributes": {"rare": "yes", "site": SITE}})
    rare = {"attributeName": "rare", "attributeValue": "yes", "maxResults": PAGE}
    rare_token = iot.list_things(**rare)["nextToken"]
    site = {"queryString": f"attributes.site:{SITE}", "maxResults": PAGE}
    site_token = iot.search_index(**site)["nextToken"]

    pending = itertools.cycle(random.Random(3).sample(names, min(len(names), 500)))

    def site_first() -> Any:
        cloud.registry.changes.bump()
        return iot.search_index(**site)

    def rare_first() -> Any:
        cloud.registry.changes.bump()  # the selection is made again, as after any write
        return iot.list_things(**rare)

    def query(body: dict[str, Any], *, fresh: bool = False) -> Callable[[], Any]:
        """A device.query call; ``fresh``: after a change (a filtered or sorted selection is
        kept until the registry changes, so this times selecting it, the first page's cost)."""

        def call() -> Any:
            if fresh:
                cloud.registry.changes.bump()
            return _ok(http.post("/scriptr/device/query", headers=scriptr, json=body))

        return call

    def search(body: dict[str, Any], *, fresh: bool = False) -> Callable[[], Any]:
        """SearchDevice's second page (``fresh``: after a change, as ``query``)."""

        def call() -> Any:
            if fresh:
                cloud.registry.changes.bump()
            return _ok(
                http.post(
                    f"/connect-service/v2.1/devices?action=search&orgId={ORG}",
                    headers=HEADERS,
                    json={**body, "pagination": {"pageNo": 2, "pageSize": PAGE}},
                )
            )

        return call

    return {
        "ListThings, first page": lambda: iot.list_things(maxResults=PAGE),
        "ListThings, second page": lambda: iot.list_things(maxResults=PAGE, nextToken=token),
        "ListThings, a rare attribute: the first page": rare_first,
        "ListThings, a rare attribute: the next page": lambda: iot.list_things(**rare, nextToken=rare_token),
        "ListThingsInThingGroup, a group of every thing": lambda: iot.list_things_in_thing_group(
            thingGroupName="every-thing", maxResults=PAGE
        ),
        "SearchIndex, a rare site: the first page": site_first,
        "SearchIndex, a rare site: the next page": lambda: iot.search_index(**site, nextToken=site_token),
        "GetPendingJobExecutions, a thing picked at random (a job of every thing)": lambda: (
            jobs.get_pending_job_executions(thingName=next(pending))
        ),
        "SearchIndex, thingName:prefix*": lambda: iot.search_index(queryString=f"thingName:{prefix}*"),
        "scriptr device.query, a page": query({"resultsPerPage": PAGE}),
        "scriptr device.query, a page and the count": query({"resultsPerPage": PAGE, "count": True}),
        "scriptr device.query, sorted by name: the first page": query(
            {"resultsPerPage": PAGE, "sort": "name<ASC>"}, fresh=True
        ),
        "scriptr device.query, sorted by name: the next page": query(
            {"resultsPerPage": PAGE, "sort": "name<ASC>", "pageNumber": 2}
        ),
        "scriptr device.query, filtered: the first page": query(
            {"resultsPerPage": PAGE, "query": 'name like "%a%"'}, fresh=True
        ),
        "EnOS SearchDevice, a page": search({}),
        "EnOS SearchDevice, an expression: the first page": search(SCAN, fresh=True),
        "EnOS SearchDevice, an expression: the next page": search(SCAN),
    }


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"the listing failed: {response.status_code} {response.text[:200]}")
    return response


def timed_ms(call: Callable[[], Any], calls: int) -> list[float]:
    """Each call's time, in ms, after one untimed call (which builds what later ones reuse)."""
    call()
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1e3)
    return times


def measure(
    sizes: list[int], calls: int, make: Callable[[int], dict[str, Callable[[], Any]]] = fleet
) -> dict[str, dict[str, Any]]:
    """Per row of ``make(size)`` (a listing; ``bench writes``: a write): the median ms at each
    size, and the largest size's over the smallest's with a 95% interval resampled from the
    calls (``common.bootstrap_interval``)."""
    for call in make(min(sizes)).values():  # untimed: the first fleet paid for a cold process
        timed_ms(call, calls)
    samples: dict[str, dict[int, list[float]]] = {}
    for size in sizes:
        for name, call in make(size).items():
            samples.setdefault(name, {})[size] = timed_ms(call, calls)
    out: dict[str, dict[str, Any]] = {}
    for name, by_size in samples.items():
        largest, smallest = by_size[max(sizes)], by_size[min(sizes)]
        out[name] = {
            "ms": {str(size): statistics.median(times) for size, times in by_size.items()},
            "ratio": statistics.median(largest) / statistics.median(smallest),
            "interval": common.bootstrap_interval(largest, smallest, paired=False),
        }
    return out


def report(data: dict[str, dict[str, Any]], sizes: list[int], what: str = "a page of 50 (in process)") -> str:
    first, last = sizes[0], sizes[-1]
    rows = [
        (
            name,
            *(f"{row['ms'][str(size)]:.2f}" for size in sizes),
            common.interval(row["ratio"], row["interval"], digits=1),
        )
        for name, row in data.items()
    ]
    header = [what, *(f"ms at {size:,}" for size in sizes), f"{last:,} / {first:,}"]
    return common.table(header, rows)


def main(argv: list[str]) -> None:
    run(argv, "listings", __doc__ or "", fleet, "a page of 50 (in process)", "listing")


def run(
    argv: list[str],
    name: str,
    doc: str,
    make: Callable[[int], dict[str, Callable[[], Any]]],
    what: str,
    noun: str,
) -> None:
    """``python -m bench NAME``: ``make``'s rows timed at each fleet size, reported and kept as
    ``NAME`` (``bench writes`` runs its rows through this too)."""
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=doc.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="fleet sizes, comma-separated")
    parser.add_argument("--calls", type=int, default=20, help=f"calls of each {noun} per size")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    data = measure(sizes, args.calls, make)
    text = report(data, sizes, what)
    print(text)
    common.write(name, {"sizes": sizes, "calls": args.calls, name: data}, text)
