"""A fixtures document holds JSON values only: anything else is refused with its path, before any change.

Python callers can hand ``cloud.seed`` objects JSON has no form for (dates, sets, tuples, NaN);
once in the state they would break every snapshot, state file and GET /_iotfake/state.
"""

from __future__ import annotations

import datetime
import json

import pytest
from _enos import Enos

from iotfake import DocumentError, FakeCloud


def enos_device(value: object) -> dict:
    return {
        "enos": {
            "orgs": [
                {
                    "orgId": "o1",
                    "products": [{"productKey": "p1", "productName": "Meter"}],
                    "devices": [
                        {"productKey": "p1", "deviceKey": "meter-1", "deviceName": "M1"},
                        {
                            "productKey": "p1",
                            "deviceKey": "meter-2",
                            "deviceName": "M2",
                            "deviceAttributes": {"commissioned": value},
                        },
                    ],
                }
            ]
        }
    }


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (datetime.date(2024, 1, 1), "date"),
        ({1, 2}, "set"),
        ((1, 2), "tuple"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        ({1: "a"}, "keys are strings"),
        ([b"raw"], "bytes"),
        pytest.param("a\ud800b", "lone surrogate", id="lone-surrogate"),
        pytest.param({"\udc80": 1}, "lone surrogate", id="lone-surrogate-key"),
        pytest.param(10**5000, "4300 digits", id="past-4300-digits"),
    ],
)
def test_a_value_json_cannot_hold_is_refused_with_its_path(value: object, problem: str) -> None:
    cloud = FakeCloud(seed=1)
    before = cloud.state_json()
    with pytest.raises(DocumentError) as caught:
        cloud.seed(enos_device(value))
    assert caught.value.path.startswith("enos.orgs[0].devices[1].deviceAttributes.commissioned")
    assert problem in caught.value.message
    assert cloud.state_json() == before


def test_json_values_still_load_and_the_state_serialises() -> None:
    value = {"on": "2024-01-01", "ok": [True, None, 1.5, 0, -7, 10**20], "at": {"site": "Zürich"}}
    cloud = FakeCloud(seed=1).seed(enos_device(value))
    stored = stored_attributes(cloud)
    assert stored == {"commissioned": value}
    assert [type(v) for v in stored["commissioned"]["ok"]] == [bool, type(None), float, int, int, int]
    restored = FakeCloud.from_snapshot(json.loads(cloud.state_json()))
    assert stored_attributes(restored) == {"commissioned": value}


def stored_attributes(cloud: FakeCloud) -> object:
    """meter-2's attributes as EnOS GetDevice answers them."""
    answer = Enos.wsgi(cloud).get(productKey="p1", deviceKey="meter-2")
    assert answer["code"] == 0, answer
    return answer["data"]["deviceAttributes"]


def test_scriptr_and_aws_sections_are_checked_too() -> None:
    cloud = FakeCloud(seed=1)
    with pytest.raises(DocumentError) as caught:
        cloud.seed(
            {
                "scriptr": {
                    "accounts": [{"name": "acme", "devices": [{"id": "d1", "name": "D", "x": object()}]}]
                }
            }
        )
    assert caught.value.path == "scriptr.accounts[0].devices[0].x"
    with pytest.raises(DocumentError) as caught:
        cloud.seed(
            {"aws": {"accounts": [{"things": [{"thingName": "t", "attributes": {"a": datetime.time()}}]}]}}
        )
    assert caught.value.path == "aws.accounts[0].things[0].attributes.a"


def test_nesting_deeper_than_the_wire_allows_is_refused() -> None:
    deep: object = "bottom"
    for _ in range(5000):
        deep = {"next": deep}
    with pytest.raises(DocumentError, match="nested more than 100 levels deep"):
        FakeCloud(seed=1).seed(enos_device(deep))


def test_what_json_holds_but_no_state_file_can_read_back_is_refused_in_rules_and_seeds() -> None:
    """A lone surrogate is written as a ``\\udXXX`` escape that the state file's parser (and
    ``PUT /_iotfake/state``) refuses, and an integer past 4300 digits cannot be written at all:
    a rule or a cloud seed holding one was accepted, then no state could be saved or read back."""
    cloud = FakeCloud(seed=1)
    rule = {"provider": "aws", "operation": "CreateThing", "error": "Internal"}
    for fields, where in (
        ({"description": "x\udfff"}, "description"),
        ({"match": {"thingName": "t\ud800"}}, "match.thingName"),
        ({"seed": "s\ud800"}, "seed"),
        ({"seed": 10**5000, "probability": 0.5}, "seed"),
    ):
        with pytest.raises(DocumentError) as caught:
            cloud.faults.add(**rule, **fields)
        assert caught.value.path == where
    assert len(cloud.faults) == 0
    for seed in ("s\ud800", 10**5000):
        with pytest.raises(ValueError, match="seed"):
            FakeCloud(seed=seed)
        with pytest.raises(ValueError, match="seed"):
            cloud.reset(seed=seed)
    cloud.faults.add(**rule, description="Zürich", seed=10**4000, probability=0.5)
    FakeCloud.from_snapshot(json.loads(cloud.state_json()))
