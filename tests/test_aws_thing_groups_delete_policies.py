"""DeleteThingGroup takes the group's policy attachments with it.

Left behind, they kept the deleted group in ListTargetsForPolicy, made DeletePolicy fail with
DeleteConflictException, and passed the policy on to a new group of the same name.
"""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY

DOC = json.dumps(POLICY)


def test_deleting_a_group_detaches_its_policies(iot) -> None:
    iot.create_policy(policyName="p1", policyDocument=DOC)
    iot.create_policy(policyName="p2", policyDocument=DOC)
    group = iot.create_thing_group(thingGroupName="fleet")["thingGroupArn"]
    other = iot.create_thing_group(thingGroupName="other")["thingGroupArn"]
    iot.attach_policy(policyName="p1", target=group)
    iot.attach_policy(policyName="p2", target=group)
    iot.attach_policy(policyName="p2", target=other)
    iot.delete_thing_group(thingGroupName="fleet")
    assert iot.list_targets_for_policy(policyName="p1")["targets"] == []
    assert iot.list_targets_for_policy(policyName="p2")["targets"] == [other]
    iot.delete_policy(policyName="p1")
    reborn = iot.create_thing_group(thingGroupName="fleet")["thingGroupArn"]
    assert reborn == group
    assert iot.list_attached_policies(target=reborn)["policies"] == []


def test_a_refused_delete_keeps_the_attachments(iot) -> None:
    iot.create_policy(policyName="p1", policyDocument=DOC)
    group = iot.create_thing_group(thingGroupName="fleet")["thingGroupArn"]
    iot.create_thing_group(thingGroupName="child", parentGroupName="fleet")
    iot.attach_policy(policyName="p1", target=group)
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.delete_thing_group(thingGroupName="fleet")
    assert iot.list_targets_for_policy(policyName="p1")["targets"] == [group]
