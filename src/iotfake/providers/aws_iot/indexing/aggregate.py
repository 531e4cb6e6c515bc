"""Fleet indexing's aggregation queries: GetStatistics, GetCardinality, GetPercentiles,
GetBucketsAggregation, over the things (or thing groups) a query matches.

The guide's rules ("Querying for aggregate data", "Troubleshooting aggregation queries"): the
aggregation field must be a managed field of the index or a custom field of the indexing
configuration (else InvalidAggregationException), and its configured type decides the answer: a
String field gives GetStatistics only a count, a Boolean one counts true as 1 and false as 0, a
Number one every statistic; a value that does not fit the field's type is left out. Without a
field, GetStatistics aggregates ``registry.version`` (the guide) and so does GetCardinality (the
fake's choice; the guide names no default); GetPercentiles needs a Number field and defaults to
the percents 1, 5, 25, 50, 75, 95, 99. Percentiles interpolate linearly between the sorted values
where AWS estimates them (its answers are approximate).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from ..context import Context
from ..wire import AwsError
from . import configuration
from .configuration import GROUPS, THINGS
from .document import SHADOWS_TABLE, Thing, Value, group_document, memberships, thing_document
from .evaluate import predicate
from .query import Node, QueryError, parse

DEFAULT_PERCENTS = (1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0)
DEFAULT_BUCKETS = 10
#: managed field names that are stored under another name in the index document
THING_ALIASES = {"registry.thingTypeName": "thingTypeName", "registry.thingGroupNames": "thingGroupNames"}
GROUP_ALIASES = {"description": "thingGroupDescription"}

Values = Callable[[str], list[Value]]


def statistics(ctx: Context) -> dict[str, Any]:
    kind, values = _aggregate(ctx, required=False)
    if kind == "String":
        return {"statistics": {"count": len(values)}}
    numbers = _numbers(kind, values)
    if not numbers:
        return {"statistics": {"count": 0}}
    count, total = len(numbers), _sum(numbers)
    average = total / count
    variance = _sum([(n - average) * (n - average) for n in numbers]) / count
    return {
        "statistics": {
            "count": count,
            "average": average,
            "sum": total,
            "minimum": min(numbers),
            "maximum": max(numbers),
            "sumOfSquares": _sum([n * n for n in numbers]),
            "variance": variance,
            "stdDeviation": math.sqrt(variance) if variance >= 0 else math.nan,
        }
    }


def _sum(numbers: list[float]) -> float:
    """An exact sum (``fsum``) where it fits a float; past that an infinity (or NaN, for
    infinities of both signs), which the answer shows as null, where ``fsum`` raised
    OverflowError (two values of 1e308) and a 500 followed."""
    try:
        return math.fsum(numbers)
    except (OverflowError, ValueError):
        return sum(numbers)


def cardinality(ctx: Context) -> dict[str, Any]:
    kind, values = _aggregate(ctx, required=False)
    return {"cardinality": len({_key(kind, v) for v in values if _fits(kind, v)})}


def percentiles(ctx: Context) -> dict[str, Any]:
    kind, values = _aggregate(ctx, required=True)
    if kind != "Number":
        raise AwsError(
            "InvalidAggregationException",
            f"GetPercentiles needs a Number field; {ctx.input['aggregationField']} is a {kind} field",
        )
    numbers = sorted(_numbers(kind, values))
    if not numbers:
        return {"percentiles": []}
    percents = ctx.input.get("percents") or DEFAULT_PERCENTS
    return {"percentiles": [{"percent": float(p), "value": _percentile(numbers, p)} for p in percents]}


def buckets(ctx: Context) -> dict[str, Any]:
    terms = (ctx.input.get("bucketsAggregationType") or {}).get("termsAggregation") or {}
    size = terms.get("maxBuckets", DEFAULT_BUCKETS)
    counts: Counter[str] = Counter()
    total = 0
    field, kind, each = _prepare(ctx, required=True)
    for values in each:
        total += 1
        counts.update({_key(kind, v) for v in values(field) if _fits(kind, v)})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:size]
    return {"totalCount": total, "buckets": [{"keyValue": key, "count": count} for key, count in ranked]}


# -- the common part ---------------------------------------------------------------------------------
def _aggregate(ctx: Context, required: bool) -> tuple[str, list[Value]]:
    """The field's type and its values over every match."""
    field, kind, each = _prepare(ctx, required)
    return kind, [value for values in each for value in values(field)]


def _prepare(ctx: Context, required: bool) -> tuple[str, str, Iterator[Values]]:
    args = ctx.input
    index = args.get("indexName", THINGS)
    config = configuration.current(ctx.tenant)
    on = {THINGS: configuration.things_on, GROUPS: configuration.groups_on}.get(index)
    if on is None or not on(config):
        raise AwsError("ResourceNotFoundException", f"Index {index} does not exist")
    try:
        query = parse(args["queryString"])
    except QueryError as exc:
        raise AwsError("InvalidQueryException", str(exc)) from None
    field = args.get("aggregationField")
    if field is None:
        if required:
            raise AwsError("InvalidAggregationException", "An aggregationField is required")
        field = "registry.version" if index == THINGS else "version"
    kind = field_type(config, index, field)
    each = _groups(ctx, query) if index == GROUPS else _things(ctx, config, query)
    return field, kind, each


def field_type(config: dict[str, Any], index: str, name: str) -> str:
    """The type of a managed or custom field of the index; InvalidAggregationException if it is
    neither."""
    part = configuration.describe(config)[
        "thingIndexingConfiguration" if index == THINGS else "thingGroupIndexingConfiguration"
    ]
    for entry in [*part.get("managedFields", ()), *part.get("customFields", ())]:
        pattern = re.escape(entry["name"]).replace(r"\*", r"[^.]+")
        if re.fullmatch(pattern, name):
            return str(entry["type"])
    raise AwsError(
        "InvalidAggregationException",
        f"{name} is neither a managed field of {index} nor one of its customFields: "
        "add it to customFields with UpdateIndexingConfiguration",
    )


#: the managed fields that hold a shadow's version (not searchable, but aggregated)
SHADOW_VERSION = re.compile(r"shadow(?:\.name\.([^.]+))?\.version")


def _things(ctx: Context, config: dict[str, Any], query: Node) -> Iterator[Values]:
    tenant, groups = ctx.tenant, ctx.groups
    view = configuration.view(config)
    keys, table, test = tenant.keys, tenant.table(SHADOWS_TABLE), predicate(query)
    # every thing, in the order they were made, whatever the query names: an aggregation's ties
    # (0.0 and -0.0) come out as they always did (a search reads ``plan``'s candidates instead)
    groups_of = memberships(tenant, groups)
    for device in list(keys.values()):
        thing = Thing(device, groups_of, table)
        document = thing_document(thing, view)
        if test(document):

            def values(name: str, document: Any = document, thing: Thing = thing) -> list[Value]:
                if name == "registry.version":
                    return [Value.of(thing.device.version)]
                shadow = SHADOW_VERSION.fullmatch(name)
                if shadow is not None:
                    sections = thing.indexed_shadows(view).get(shadow.group(1) or "", {})
                    return [Value.of(sections["version"])] if "version" in sections else []
                return document.values(THING_ALIASES.get(name, name))

            yield values


def _groups(ctx: Context, query: Node) -> Iterator[Values]:
    groups, test = ctx.groups, predicate(query)
    for name, record in list(groups.table().items()):
        document = group_document(record, groups.ancestors(name))
        if test(document):

            def values(field: str, document: Any = document, version: int = record["version"]) -> list[Value]:
                if field == "version":
                    return [Value.of(version)]
                return document.values(GROUP_ALIASES.get(field, field))

            yield values


def _fits(kind: str, value: Value) -> bool:
    if kind == "Number":
        return value.number is not None
    if kind == "Boolean":
        return value.text in ("true", "false")
    return True


def _key(kind: str, value: Value) -> str:
    if kind == "Boolean":
        return value.text
    if kind == "Number" and value.number is not None:
        return repr(value.number)
    return value.raw if isinstance(value.raw, str) else value.text


def _numbers(kind: str, values: list[Value]) -> list[float]:
    if kind == "Boolean":
        return [1.0 if v.text == "true" else 0.0 for v in values if _fits(kind, v)]
    return [v.number for v in values if v.number is not None and math.isfinite(v.number)]


def _percentile(ordered: list[float], percent: float) -> float:
    rank = percent / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
