"""The fleet indexing operations: SearchIndex, Get/UpdateIndexingConfiguration, DescribeIndex,
ListIndices.

SearchIndex evaluates the query over the things (or thing groups) of the account and region at
the moment of the call: the fake's index is never stale, where AWS's lags updates by seconds.
Of the things, it reads only those the query can match by name (``plan``): every thing, unless
the query names them.
Results come in name order, ``maxResults`` at most ``MAX_RESULTS`` (the API reference: "This
maximum number cannot exceed 100"), with a ``nextToken`` that holds the last name returned.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ..context import Context
from ..paging import decode, encode
from ..wire import AwsError, invalid
from . import configuration
from .configuration import GROUPS, THINGS
from .document import (
    SHADOWS_TABLE,
    Thing,
    group_answer,
    group_document,
    memberships,
    thing_answer,
    thing_document,
)
from .evaluate import matches, predicate
from .plan import candidates, exact
from .query import Node, QueryError, parse

MAX_RESULTS = 100
DEFAULT_RESULTS = 100


def search(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    index = args.get("indexName", THINGS)
    config = configuration.current(ctx.tenant)
    _require(config, index)
    size = args.get("maxResults", DEFAULT_RESULTS)
    if size > MAX_RESULTS:
        raise invalid(f"maxResults {size} is too large: it cannot exceed {MAX_RESULTS}")
    try:
        query = parse(args["queryString"])
    except QueryError as exc:
        raise AwsError("InvalidQueryException", str(exc)) from None
    after = None
    if args.get("nextToken") is not None:
        key = decode(args["nextToken"], "nextToken")
        if len(key) != 1 or not isinstance(key[0], str):
            raise invalid(f"The nextToken is invalid: {args['nextToken']}")
        after = key[0]
    if index == GROUPS:
        groups, token = _groups(ctx, query, after, size)
        return {"thingGroups": groups, "nextToken": token}
    things, token = _things(ctx, config, query, after, size)
    return {"things": things, "nextToken": token}


def _require(config: dict[str, Any], index: str) -> None:
    on = {THINGS: configuration.things_on, GROUPS: configuration.groups_on}.get(index)
    if on is None or not on(config):
        raise AwsError("ResourceNotFoundException", f"Index {index} does not exist")


Page = tuple[list[dict[str, Any]], str | None]


def _things(ctx: Context, config: dict[str, Any], query: Node, after: str | None, size: int) -> Page:
    tenant, groups = ctx.tenant, ctx.groups
    view = configuration.view(config)
    # read without the lock, as ListThings does: devices and shadow entries are replaced, never
    # edited, so a search sees each thing whole (and a writer never waits for a search)
    keys, table = tenant.keys, tenant.table(SHADOWS_TABLE)
    names = candidates(tenant, query)
    test = None if exact(query) else predicate(query)  # a name's token or prefix: no test
    found: list[dict[str, Any]] = []
    groups_of = memberships(tenant, groups)
    for name in names[0 if after is None else bisect_right(names, after) :]:
        device = keys.get(name)
        if device is None:
            continue
        thing = Thing(device, groups_of, table)
        if test is None or test(thing_document(thing, view)):
            if len(found) == size:
                return found, encode([found[-1]["thingName"]])
            found.append(thing_answer(thing, view))
    return found, None


def _groups(ctx: Context, query: Node, after: str | None, size: int) -> Page:
    groups = ctx.groups
    table, test = groups.table(), predicate(query)
    found: list[dict[str, Any]] = []
    for name in sorted(table):
        if after is not None and name <= after:
            continue
        record, parents = table[name], groups.ancestors(name)
        if test(group_document(record, parents)):
            if len(found) == size:
                return found, encode([found[-1]["thingGroupName"]])
            found.append(group_answer(record, parents))
    return found, None


def get_configuration(ctx: Context) -> dict[str, Any]:
    return configuration.describe(configuration.current(ctx.tenant))


def update_configuration(ctx: Context) -> dict[str, Any]:
    configuration.update(ctx.tenant, ctx.input)
    return {}


def describe_index(ctx: Context) -> dict[str, Any]:
    index = ctx.input["indexName"]
    config = configuration.current(ctx.tenant)
    _require(config, index)
    return {"indexName": index, "indexStatus": "ACTIVE", "schema": configuration.schema(config, index)}


def list_indices(ctx: Context) -> dict[str, Any]:
    """The indexes that are on (two at most: one page, whatever ``maxResults`` says)."""
    config = configuration.current(ctx.tenant)
    names = [THINGS] if configuration.things_on(config) else []
    if configuration.groups_on(config):
        names.append(GROUPS)
    return {"indexNames": names}


def matching_things(ctx: Context, query: Node) -> list[str]:
    """Every thing the query matches, in name order (a dynamic thing group's members)."""
    tenant, groups = ctx.tenant, ctx.groups
    view = configuration.view(configuration.current(tenant))
    keys, table, test = tenant.keys, tenant.table(SHADOWS_TABLE), predicate(query)
    groups_of = memberships(tenant, groups)
    return [
        name
        for name in candidates(tenant, query)
        if (device := keys.get(name)) is not None
        and test(thing_document(Thing(device, groups_of, table), view))
    ]


def thing_matches(ctx: Context, name: str, query: Node) -> bool:
    """Whether one thing matches the query (which dynamic groups a thing is in)."""
    tenant = ctx.tenant
    view = configuration.view(configuration.current(tenant))
    with tenant.lock:
        device = tenant.keys.get(name)
        table = tenant.table(SHADOWS_TABLE)
        if device is None:
            return False
        return matches(query, thing_document(Thing(device, memberships(tenant, ctx.groups), table), view))
