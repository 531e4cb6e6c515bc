"""Differential fuzzing of the express lane: drawn call sequences answer, journal and change state
exactly as on the general path.

The lane (``App.express``) serves in-process calls from their parts, without the environ the
general path builds; it must take a call only where the two agree. ``test_express_lane`` holds
hand-written cases; here each provider's calls are drawn (odd URLs, ports, header shapes and
values, bodies, methods, credentials; see ``differential``), run as sequences on two seed-7
clouds with the fixture loaded, once with the lane open and once closed, under each auth mode.
A fuzzer of this kind found a header value neither text nor bytes and a port of non-ASCII digits
answered differently on the two paths (``test_express_lane`` keeps both cases).

The quick form (15 sequences per provider and auth mode) runs in the default suite; the long form
(150 each, about half a minute) with ``pytest -m slow tests/reliability``. Both draw the same calls
every run (``hostile.fuzz_settings`` derandomizes runs under 1,000 examples).
"""

from __future__ import annotations

from typing import Any

import pytest
from differential import Call, fixture_clouds, send
from differential_aws import aws_calls
from differential_enos import enos_calls
from differential_scriptr import scriptr_calls
from hostile import fuzz_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from test_compiled_operations import compiled_calls
from test_express_lane import both

from iotfake import FakeCloud

CALLS = {"aws": aws_calls(), "enos": enos_calls(), "scriptr": scriptr_calls()}


@pytest.mark.parametrize("auth", ["off", "lenient", "strict"])
@pytest.mark.parametrize("provider", sorted(CALLS))
@pytest.mark.parametrize(
    "examples", [pytest.param(15, id="quick"), pytest.param(150, id="long", marks=pytest.mark.slow)]
)
def test_the_lane_answers_drawn_calls_as_the_general_path(provider: str, auth: str, examples: int) -> None:
    counts = {"calls": 0, "taken": 0}

    @settings(fuzz_settings(examples))
    @given(calls=st.lists(CALLS[provider], min_size=1, max_size=6))
    def differential(calls: list[Call]) -> None:
        def scenario(cloud: FakeCloud) -> list[Any]:
            return [send(cloud, call) for call in calls]

        _, taken = both(scenario, auth, clouds=fixture_clouds)
        counts["calls"] += len(calls)
        counts["taken"] += taken

    with compiled_calls() as compiled:
        differential()
    # a lane that took nothing, or whose compiled operations handed every call back (a bind that
    # raises does), would make this test vacuous
    assert counts["taken"] * 10 >= counts["calls"], counts
    if auth != "strict" or provider == "scriptr":  # strict AWS and EnOS calls are checked on the general path
        assert any(compiled), "no drawn call was answered by a compiled operation"
