"""Every ratio the benchmarks report, and the README's benchmark section, has its spread beside it.

The reports are rebuilt from the result files in bench/results/ (no benchmark runs here): a ratio
printed without the lowest and highest of its rounds, or its interval, can be over-read.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import aws, common, compare, listings, scale, summary, writes  # noqa: E402

RATIO = re.compile(r"\d[\d,]*(?:\.\d+)?x\b")
SPREAD = (" (rounds ", " (95% interval ", " (one round)")
#: a ratio that is a target, not a measurement
TARGET = re.compile(r"(?:target:? |within )$")


def bare_ratios(text: str) -> list[str]:
    """Ratios outside parentheses that are neither a target nor followed by their spread."""
    text = " ".join(text.split())  # a sentence may wrap between a ratio and its spread
    found = []
    for match in RATIO.finditer(text):
        before = text[: match.start()]
        if before.count("(") > before.count(")") or TARGET.search(before):
            continue  # a range's ends, or a note inside parentheses; or a target
        if not text[match.end() :].lstrip("*").startswith(SPREAD):
            found.append(f"{match.group(0)} in: ...{text[max(0, match.start() - 80) : match.end() + 40]}")
    return found


def load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


def readme_benchmarks() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Benchmarks") : text.index("## Reliability suite")]


REPORTS = {
    "aws.md": lambda: aws.report(load("aws")),
    "compare.md": lambda: compare.report(
        load("compare")["base"], load("compare")["rounds"], load("compare")["results"]
    ),
    "scale.md": lambda: scale.report(load("scale")),
    "listings.md": lambda: listings.report(load("listings")["listings"], load("listings")["sizes"]),
    "writes.md": lambda: listings.report(load("writes")["writes"], load("writes")["sizes"], writes.WHAT),
    "results/README.md": lambda: "\n".join(summary.headlines()),
    "README.md#benchmarks": readme_benchmarks,
    "docs/benchmark-history.md": lambda: (ROOT / "docs" / "benchmark-history.md").read_text(encoding="utf-8"),
}


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_reported_ratio_has_its_spread(name: str) -> None:
    text = REPORTS[name]()
    assert RATIO.search(text), "no ratio found: the check would pass vacuously"
    assert bare_ratios(text) == []


def test_the_check_finds_a_bare_ratio() -> None:
    assert bare_ratios("iotfake is **4.9x** faster (target 5x)") == [
        "4.9x in: ...iotfake is **4.9x** faster (target 5x)"
    ]
    assert bare_ratios("iotfake is **4.9x (rounds 1.9-8.0x)** faster") == []


def test_spreads_name_the_lowest_and_highest_round() -> None:
    assert common.spread(4.86, [1.9, 8.04, 4.86]) == "4.9x (rounds 1.9-8.0x)"
    assert common.spread(2.0, [2.0]) == "2.0x (one round)"
    assert common.spread(2.0, None) == "2.0x (spread not recorded)"


def test_the_fixture_comparison_is_interleaved_round_by_round() -> None:
    fixtures = load("aws")["fixtures"]
    rounds = fixtures["rounds_raw"]
    assert set(rounds) == set(aws.FIXTURES)
    assert len({len(values) for values in rounds.values()}) == 1 and len(rounds["iotfake"]) > 1
    assert fixtures["ratio_rounds"] == [
        m / i for m, i in zip(rounds["moto_aws"], rounds["iotfake"], strict=True)
    ]


def test_the_state_write_claim_has_a_result_file() -> None:
    points = {p["devices"]: p for p in load("state_write")["points"]}
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for devices in (1000, 10_000):
        shown = f"{points[devices]['median_ms']:.0f} ms at {devices:,}"
        assert shown in readme.replace(" EnOS devices", ""), shown
