"""bench/results/README.md: the headline numbers of whatever results are there, with links."""

from __future__ import annotations

import json
from typing import Any

from . import common

LINKS = {
    "aws": "iotfake vs moto, side by side",
    "enos": "EnOS CreateDevice throughput",
    "scale": "scale curve, 1,000 to 1,000,000 devices",
    "compare": "before and after this branch's optimisations",
    "state_write": "one `--state` write at 1,000 and 10,000 devices",
    "percall": "the fake's own share per in-process call",
    "operations": "the fake's own share of 17 common AWS operations",
    "listings": "one page of a listing at 1,000 to 50,000 devices",
    "writes": "one delete or membership change at 1,000 to 50,000 devices",
    "instructions": "one in-process call, counted (replayed alone)",
    "instructions_in_situ": "one in-process call, counted between its client's calls",
    "locks": "registry lock holds at 100,000 devices",
    "mqtt": "MQTT broker connections and round trips",
    "console": "console render time",
    "namespaces": "namespaces: memory and the router's cost",
}


def _load(name: str) -> dict[str, Any] | None:
    path = common.RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def headlines() -> list[str]:
    lines: list[str] = []
    aws = _load("aws")
    if aws:
        from .aws import ratios

        found = ratios(aws)

        def shown(key: str, digits: int = 1) -> str:
            value, rounds = found[key]
            return common.spread(value, rounds, digits)

        replayed = aws.get("replayed", {}).get("ratio", {})
        if replayed:
            each = ", ".join(
                f"**{shown(f'replayed x{n}')}** over {'one connection' if n == '1' else f'{n} connections'}"
                for n in replayed
            )
            lines.append(
                "- server throughput under boto3's CreateThing+DescribeThing requests, replayed "
                f"(target 5x): iotfake serve answers moto_server's pairs/s {each}"
            )
        if "http" in found:
            lines.append(
                "- the same through one sequential boto3 client, end to end: "
                f"**{shown('http')}** moto_server's throughput; "
                f"the server alone spends **{shown('http cpu')}** less CPU per pair"
            )
        if "in process" in found:
            lines.append(
                f"- the same in process (transports vs `mock_aws`): **{shown('in process')}** end to end; "
                f"with boto3's own time taken out, {shown('in process fake only')[:-1]}; "
                f"{found['in process fake only, from medians'][0]:.1f}x from the medians): a range, "
                "not a figure"
            )
        if "fresh" in found:
            lines.append(
                "- a fresh fake (target 50x): `FakeCloud()` + `reset()` is "
                f"**{shown('fresh', 0)}** cheaper than `with mock_aws():`"
            )
        fixtures = aws.get("fixtures")
        if fixtures:
            if "fixture own" in found:
                note = f"; {shown('fixture own', 0)} with pytest's own fixture machinery taken out"
            elif "own_us" in fixtures:
                note = " (most of what it costs is pytest's own fixture machinery)"
            else:
                note = ""
            lines.append(
                "- per test, the `iotfake` pytest fixture is "
                f"**{shown('fixture', 0)}** cheaper than a `mock_aws` fixture{note}"
            )
    enos = _load("enos")
    if enos:
        rates = enos["creates_per_second"]
        cpu = enos.get("cpu_creates_per_second", {}).get("wsgi-direct")
        by_cpu = f" (**{cpu:,.0f}/s** by CPU time)" if cpu else ""
        lines.append(
            f"- EnOS CreateDevice (target 10,000/s in process): **{rates['wsgi-direct']:,.0f}/s** "
            f"calling the WSGI app{by_cpu}, {rates['werkzeug-client']:,.0f}/s through werkzeug's Client, "
            f"{rates['http-subprocess']:,.0f}/s over loopback HTTP with `requests`"
        )
    scale = _load("scale")
    if scale:
        first, last = scale["points"][0], scale["points"][-1]

        def medians(point: dict[str, Any]) -> str:
            return ", ".join(
                f"{name} {point[key]['median']:.2f} ms"
                for name, key in (("create", "create_ms"), ("get", "get_ms"), ("search", "search_page_ms"))
            )

        line = (
            f"- {last['devices']:,} EnOS devices (target 1 GiB): **{last['rss_mib']:,.0f} MiB** RSS, "
            f"{last['bytes_per_device']:,} bytes/device; medians {medians(last)}"
        )
        reference = last.get("reference")
        if reference:
            from .scale import relative_shown

            ratios = ", ".join(f"{name} {shown}" for name, shown in relative_shown(last).items())
            line += f"; against a {reference['devices']:,}-device org timed alongside (target 1.5x): {ratios}"
        else:
            line += f" (at {first['devices']:,}: {medians(first)})"
        lines.append(line)
    state = _load("state_write")
    if state:
        each = ", ".join(
            f"{p['devices']:,} devices **{p['median_ms']:,.0f} ms** "
            f"({p['min_ms']:,.0f}-{p['max_ms']:,.0f} ms)"
            for p in state["points"]
        )
        lines.append(
            f"- one `--state` write (JSON, temp file, fsync, rename; {state['rounds']} writes each): {each}"
        )
    lines += _later_headlines()
    return lines


def _later_headlines() -> list[str]:
    """The benchmarks added after the first ones: per-call share, locks, MQTT, console, namespaces."""
    lines: list[str] = []
    percall = _load("percall")
    if percall:
        from .percall import GOAL_OF_FLOOR, GOAL_US

        rows = percall["rows"]
        each = "; ".join(
            f"{row} {e['share_us']:.0f} µs, {e['share_of_floor']:.0%} of the floor" for row, e in rows.items()
        )
        line = (
            f"- the fake's own share per in-process call (goal: at most {GOAL_US} µs and "
            f"{GOAL_OF_FLOOR:.0%} of what the client costs alone): {each}"
        )
        least = [e["least_of_floor"] for e in rows.values() if "least_of_floor" in e]
        if least:
            line += f"; the least any fake adds is {min(least):.0%} to {max(least):.0%} of the floor"
        aws = rows.get("boto3 -> AWS", {})
        if "moto_over_iotfake" in aws:
            shown = common.spread(aws["moto_over_iotfake"], aws.get("moto_over_iotfake_rounds"))
            line += f"; moto's share of a boto3 call is **{shown}** iotfake's"
        lines.append(line)
    counted = _load("instructions_in_situ")
    if counted:
        rows = counted["rows"]
        each = ", ".join(
            f"{row} {e['instructions'] / 1000:.0f}k/{e['l1i_misses']:,.0f}" for row, e in rows.items()
        )
        lines.append(
            "- the same counted under valgrind between the client's calls (instructions/L1i misses a call, "
            f"which no noisy neighbour moves): {each}"
        )
    locks = _load("locks")
    if locks:
        longest = max(locks["rows"], key=lambda row: row["max_hold_ms"])
        lines.append(
            f"- registry locks at {locks['devices']:,} EnOS devices plus as many AWS things (target: no hold "
            f"over 50 ms): the longest hold **{longest['max_hold_ms']:.1f} ms** ({longest['operation']})"
        )
    mqtt = _load("mqtt")
    if mqtt:
        parts = [
            f"{what} {name[len('iotfake ') :]} **{entry['median_per_s']:,.0f}/s** "
            f"({common.spread(entry['vs_baseline'], entry.get('vs_baseline_rounds'), 2)} the baseline's)"
            for what, key in (("connect+disconnect", "connections"), ("QoS 1 round trips", "round_trips"))
            for name, entry in mqtt[key].items()
            if name.startswith("iotfake ")
        ]
        lines.append("- MQTT broker, paho clients: " + ", ".join(parts))
    console = _load("console")
    if console:
        pages = console["pages"]
        page = pages.get("device list, page 1")
        if page:
            lines.append(
                f"- the console: a page of a {console['devices']:,}-device tenant's device list in "
                f"**{page['ms']:.1f} ms** (median of {console['rounds']})"
            )
    namespaces = _load("namespaces")
    if namespaces:
        memory, router = namespaces["memory"], namespaces["router"]
        lines.append(
            f"- namespaces: {memory['count']:,} of them take {memory['bytes'] / 2**20:.1f} MiB "
            f"({memory['bytes_each'] / 1024:.1f} KiB each); the router adds "
            f"**{router['routed_us'] - router['direct_us']:.1f} µs** to a call on the default path"
        )
    return lines


def write() -> None:
    common.RESULTS.mkdir(exist_ok=True)
    present = [name for name in LINKS if (common.RESULTS / f"{name}.md").exists()]
    profiles = sorted(p.name for p in common.RESULTS.glob("profile_*.txt"))
    machine = next((data["machine"] for name in present if (data := _load(name))), common.machine())
    text = [
        "# Benchmark results",
        "",
        f"Made by `python -m bench` on {machine['cpus']} CPUs, Python {machine['python']}, "
        f"{machine['date']}; a shared machine, so ratios (interleaved rounds, medians) say more "
        "than absolute numbers.",
        "",
        *headlines(),
        "",
        *[f"- [{LINKS[name]}]({name}.md)" for name in present],
        *[f"- profile: [{name}]({name})" for name in profiles],
    ]
    (common.RESULTS / "README.md").write_text("\n".join(text).rstrip() + "\n")
