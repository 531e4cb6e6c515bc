"""Every leaf of a rich AWS snapshot, deleted, retyped or pushed out of range, then restored:
each is refused naming where, or served by every read of its kind without a 500 or a reply boto3
cannot parse (about 1,500 restores, half a minute; the default suite runs a sample of them,
``test_admin_state_mutations.py``)."""

from __future__ import annotations

import json

import pytest
from restore_mutations import check, leaves, mutations, rich_cloud


@pytest.mark.slow
def test_every_mutation_of_every_leaf_is_refused_or_served() -> None:
    snapshot = json.loads(rich_cloud().state_json())
    cases = [(path, label, value) for path, leaf in leaves(snapshot) for label, value in mutations(leaf)]
    assert len(cases) > 1000
    assert [problem for case in cases if (problem := check(snapshot, *case)) is not None] == []
