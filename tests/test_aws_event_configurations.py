"""Describe/UpdateEventConfigurations through boto3: every event type off on a new account (registry
events are "not available by default"), updates that name some types and leave the rest, the
model's event types and nothing else, per account and region, snapshots and restores."""

from __future__ import annotations

import copy

import pytest
from aws_helpers import conforms, in_process, lax

from iotfake import FakeCloud
from iotfake.registry.integrity import SnapshotError

TYPES = [
    "THING", "THING_GROUP", "THING_TYPE", "THING_GROUP_MEMBERSHIP", "THING_GROUP_HIERARCHY",
    "THING_TYPE_ASSOCIATION", "JOB", "JOB_EXECUTION", "POLICY", "CERTIFICATE", "CA_CERTIFICATE",
]  # fmt: skip


def enabled(answer: dict) -> list[str]:
    return sorted(t for t, c in answer["eventConfigurations"].items() if c["Enabled"])


def test_a_new_account_has_every_event_type_off(iot) -> None:
    answer = conforms("DescribeEventConfigurations", iot.describe_event_configurations())
    assert sorted(answer["eventConfigurations"]) == sorted(TYPES)
    assert enabled(answer) == []
    assert "creationDate" not in answer and "lastModifiedDate" not in answer


def test_an_update_changes_the_types_it_names(iot, aws_cloud: FakeCloud) -> None:
    iot.update_event_configurations(
        eventConfigurations={"THING": {"Enabled": True}, "THING_GROUP": {"Enabled": True}}
    )
    first = iot.describe_event_configurations()
    assert enabled(first) == ["THING", "THING_GROUP"]
    assert first["creationDate"] == first["lastModifiedDate"]
    aws_cloud.clock.advance(30)
    iot.update_event_configurations(eventConfigurations={"THING_GROUP": {"Enabled": False}, "JOB": {}})
    second = conforms("DescribeEventConfigurations", iot.describe_event_configurations())
    assert enabled(second) == ["THING"]  # a configuration without Enabled turns it off
    assert second["creationDate"] == first["creationDate"]
    assert 30 <= (second["lastModifiedDate"] - second["creationDate"]).total_seconds() < 31


def test_an_update_with_nothing_changes_nothing(iot) -> None:
    iot.update_event_configurations(eventConfigurations={"THING": {"Enabled": True}})
    iot.update_event_configurations()
    iot.update_event_configurations(eventConfigurations={})
    assert enabled(iot.describe_event_configurations()) == ["THING"]


@pytest.mark.parametrize("body", [{"SOMETHING": {"Enabled": True}}, {"THING": {"Enabled": "yes"}}])
def test_what_the_model_does_not_allow_is_refused(iot, body: dict) -> None:
    client = lax(iot)
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.update_event_configurations(eventConfigurations=body)
    assert enabled(iot.describe_event_configurations()) == []


def test_accounts_and_regions_are_apart(aws_cloud: FakeCloud) -> None:
    aws_cloud.reset()
    east, west = in_process(aws_cloud), in_process(aws_cloud, region="eu-west-1")
    east.update_event_configurations(eventConfigurations={"THING": {"Enabled": True}})
    assert enabled(east.describe_event_configurations()) == ["THING"]
    assert enabled(west.describe_event_configurations()) == []


def test_a_snapshot_keeps_them_and_a_broken_one_is_refused() -> None:
    cloud = FakeCloud(seed=3)
    iot = in_process(cloud)
    iot.update_event_configurations(eventConfigurations={"THING_TYPE": {"Enabled": True}})
    snapshot = cloud.snapshot()
    cloud.reset()
    cloud.restore(snapshot)
    assert enabled(in_process(cloud).describe_event_configurations()) == ["THING_TYPE"]
    for bad in (
        {"configurations": {"NOPE": {"Enabled": True}}, "created": 1, "updated": 1},
        {"configurations": {"THING": {"Enabled": 1}}, "created": 1, "updated": 1},
        {"configurations": {}, "created": "then"},
        ["THING"],
    ):
        broken = copy.deepcopy(snapshot)
        tenant = next(t for t in broken["registry"]["tenants"] if t["provider"] == "aws")
        tenant["settings"]["eventConfigurations"] = bad
        with pytest.raises(SnapshotError, match="eventConfigurations"):
            cloud.restore(broken)
