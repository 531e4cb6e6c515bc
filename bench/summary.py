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
