"""Registry events (the developer guide's "Registry events"): published over MQTT to the account's
subscribers once UpdateEventConfigurations enables their type, made from the registry's committed
changes whichever API wrote them, each checked against its receiver's policy."""

from __future__ import annotations

import json
import re

from .conftest import EVERYTHING

ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:us-east-1:{ACCOUNT}:"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def enable(iot, *types: str) -> None:
    iot.update_event_configurations(eventConfigurations={t: {"Enabled": True} for t in types})


def common(event: dict) -> dict:
    """The event without the fields every event has and no test can know (checked here)."""
    event = dict(event)
    assert UUID.fullmatch(event.pop("eventId"))
    assert isinstance(event.pop("timestamp"), int)
    return event


def test_thing_events_once_enabled(iot, thing, devices) -> None:
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/thing/#")
    iot.create_thing(thingName="before")  # not enabled yet: no event
    enable(iot, "THING")
    made = iot.create_thing(thingName="lamp", attributePayload={"attributes": {"room": "1"}})
    created = common(watcher.receive("$aws/events/thing/lamp/created"))
    assert created == {
        "eventType": "THING_EVENT",
        "operation": "CREATED",
        "accountId": ACCOUNT,
        "thingId": made["thingId"],
        "thingName": "lamp",
        "versionNumber": 1,
        "thingTypeName": None,
        "attributes": {"room": "1"},
    }
    iot.update_thing(thingName="lamp", attributePayload={"attributes": {"floor": "2"}, "merge": True})
    updated = common(watcher.receive("$aws/events/thing/lamp/updated"))
    assert updated == {
        **created,
        "operation": "UPDATED",
        "versionNumber": 2,
        "attributes": {"room": "1", "floor": "2"},
    }
    iot.delete_thing(thingName="lamp")
    deleted = common(watcher.receive("$aws/events/thing/lamp/deleted"))
    assert deleted == {**updated, "operation": "DELETED"}
    assert watcher.topics(settle=0) == []  # "before" made none, nor anything else


def test_a_connection_is_no_thing_update(iot, thing, devices) -> None:
    """Connectivity (fleet indexing's, written at each connect) is not the thing's registry
    record: its version does not move, and no ``updated`` event goes out."""
    enable(iot, "THING")
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/thing/+/updated")
    cert = thing("lamp")
    devices("lamp", cert).close()
    iot.update_thing(thingName="lamp", attributePayload={"attributes": {"a": "1"}})
    assert watcher.receive("$aws/events/thing/lamp/updated")["versionNumber"] == 2
    assert watcher.topics(settle=0) == []


def test_thing_group_membership_and_hierarchy_events(iot, thing, devices) -> None:
    watcher = devices("watcher", thing("watcher"))
    for topic in ("thingGroup", "thingGroupMembership", "thingGroupHierarchy"):
        watcher.subscribe(f"$aws/events/{topic}/#")
    iot.create_thing(thingName="lamp")
    enable(iot, "THING_GROUP", "THING_GROUP_MEMBERSHIP", "THING_GROUP_HIERARCHY")
    site = iot.create_thing_group(
        thingGroupName="site",
        thingGroupProperties={"thingGroupDescription": "HQ", "attributePayload": {"attributes": {"a": "1"}}},
    )
    assert common(watcher.receive("$aws/events/thingGroup/site/created")) == {
        "eventType": "THING_GROUP_EVENT",
        "operation": "CREATED",
        "accountId": ACCOUNT,
        "thingGroupId": site["thingGroupId"],
        "thingGroupName": "site",
        "versionNumber": 1,
        "parentGroupName": None,
        "parentGroupId": None,
        "description": "HQ",
        "rootToParentThingGroups": [],
        "attributes": {"a": "1"},
        "dynamicGroupMappingId": None,
    }
    floor = iot.create_thing_group(thingGroupName="floor", parentGroupName="site")
    made = common(watcher.receive("$aws/events/thingGroup/floor/created"))
    assert made["parentGroupName"] == "site" and made["parentGroupId"] == site["thingGroupId"]
    assert made["rootToParentThingGroups"] == [
        {"groupArn": ARN + "thinggroup/site", "groupId": site["thingGroupId"]}
    ]
    assert made["description"] is None and made["attributes"] == {}
    hierarchy = "$aws/events/thingGroupHierarchy/thingGroup/site/childThingGroup/floor"
    added = common(watcher.receive(hierarchy + "/added"))
    assert added == {
        "eventType": "THING_GROUP_HIERARCHY_EVENT",
        "operation": "ADDED",
        "accountId": ACCOUNT,
        "thingGroupId": site["thingGroupId"],
        "thingGroupName": "site",
        "childGroupId": floor["thingGroupId"],
        "childGroupName": "floor",
    }
    iot.add_thing_to_thing_group(thingGroupName="floor", thingName="lamp")
    membership = "$aws/events/thingGroupMembership/thingGroup/floor/thing/lamp"
    joined = common(watcher.receive(membership + "/added"))
    lamp = iot.describe_thing(thingName="lamp")
    assert UUID.fullmatch(joined.pop("membershipId"))
    assert joined == {
        "eventType": "THING_GROUP_MEMBERSHIP_EVENT",
        "operation": "ADDED",
        "accountId": ACCOUNT,
        "groupArn": floor["thingGroupArn"],
        "groupId": floor["thingGroupId"],
        "thingArn": lamp["thingArn"],
        "thingId": lamp["thingId"],
    }
    iot.update_thing_group(thingGroupName="floor", thingGroupProperties={"thingGroupDescription": "1st"})
    updated = common(watcher.receive("$aws/events/thingGroup/floor/updated"))
    assert (updated["versionNumber"], updated["description"]) == (2, "1st")
    iot.remove_thing_from_thing_group(thingGroupName="floor", thingName="lamp")
    assert common(watcher.receive(membership + "/removed"))["operation"] == "REMOVED"
    iot.delete_thing_group(thingGroupName="floor")
    assert common(watcher.receive(hierarchy + "/removed"))["operation"] == "REMOVED"
    deleted = common(watcher.receive("$aws/events/thingGroup/floor/deleted"))
    assert {k: v for k, v in deleted.items() if k != "operation"} == {
        k: v for k, v in updated.items() if k != "operation"
    }
    assert watcher.topics(settle=0) == []


def test_thing_type_and_association_events(iot, thing, devices) -> None:
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/thingType/#")
    watcher.subscribe("$aws/events/thingTypeAssociation/#")
    enable(iot, "THING_TYPE", "THING_TYPE_ASSOCIATION")
    made = iot.create_thing_type(
        thingTypeName="meter",
        thingTypeProperties={"thingTypeDescription": "Meters", "searchableAttributes": ["serial"]},
    )
    created = common(watcher.receive("$aws/events/thingType/meter/created"))
    assert created == {
        "eventType": "THING_TYPE_EVENT",
        "operation": "CREATED",
        "accountId": ACCOUNT,
        "thingTypeId": made["thingTypeId"],
        "thingTypeName": "meter",
        "isDeprecated": False,
        "deprecationDate": None,
        "searchableAttributes": ["serial"],
        "description": "Meters",
    }
    thing_id = iot.create_thing(thingName="m1", thingTypeName="meter")["thingId"]
    associated = common(watcher.receive("$aws/events/thingTypeAssociation/thing/m1/meter"))
    assert associated == {
        "eventType": "THING_TYPE_ASSOCIATION_EVENT",
        "operation": "CREATED",
        "thingId": thing_id,
        "thingName": "m1",
        "thingTypeName": "meter",
    }
    iot.update_thing(thingName="m1", removeThingType=True)
    gone = common(watcher.receive("$aws/events/thingTypeAssociation/thing/m1/meter"))
    assert gone == {**associated, "operation": "DELETED"}
    iot.deprecate_thing_type(thingTypeName="meter")
    deprecated = common(watcher.receive("$aws/events/thingType/meter/updated"))
    assert deprecated["isDeprecated"] is True and isinstance(deprecated["deprecationDate"], int)
    assert watcher.topics(settle=0) == []


def test_each_receiver_s_policy_decides(iot, thing, devices) -> None:
    """Registry events reach a subscriber as any message does: its ``iot:Receive`` decides."""
    only_lamps = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["iot:Connect", "iot:Subscribe"], "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": "iot:Receive",
                    "Resource": f"{ARN}topic/$aws/events/thing/lamp*",
                },
            ],
        }
    )
    watcher = devices("watcher", thing("watcher", only_lamps))
    watcher.subscribe("$aws/events/thing/+/created")
    enable(iot, "THING")
    iot.create_thing(thingName="secret")
    iot.create_thing(thingName="lamp1")
    assert watcher.receive("$aws/events/thing/lamp1/created")["thingName"] == "lamp1"
    assert watcher.topics(settle=0) == []  # delivered in commit order: secret's was withheld


def test_accounts_do_not_hear_each_other(cloud, thing, devices) -> None:
    from aws_helpers import in_process

    iot = in_process(cloud)
    watcher = devices("watcher", thing("watcher", EVERYTHING))
    watcher.subscribe("$aws/events/thing/#")
    enable(iot, "THING")
    west = in_process(cloud, region="eu-west-1")
    enable(west, "THING")
    west.create_thing(thingName="far")
    iot.create_thing(thingName="near")
    assert watcher.receive("$aws/events/thing/near/created")["thingName"] == "near"
    assert watcher.topics(settle=0) == []


def test_deleting_a_thing_ends_its_memberships_and_type_association(iot, thing, devices) -> None:
    """[I] The memberships and the type association a deletion ends are published as it is."""
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/thingGroupMembership/#")
    watcher.subscribe("$aws/events/thingTypeAssociation/#")
    watcher.subscribe("$aws/events/thing/+/deleted")
    iot.create_thing_type(thingTypeName="bulb")
    made = iot.create_thing(thingName="b1", thingTypeName="bulb")
    group = iot.create_thing_group(thingGroupName="hall")
    iot.add_thing_to_thing_group(thingGroupName="hall", thingName="b1")
    enable(iot, "THING", "THING_GROUP_MEMBERSHIP", "THING_TYPE_ASSOCIATION")
    iot.delete_thing(thingName="b1")
    assert common(watcher.receive("$aws/events/thing/b1/deleted"))["thingTypeName"] == "bulb"
    gone = common(watcher.receive("$aws/events/thingTypeAssociation/thing/b1/bulb"))
    assert (gone["operation"], gone["thingId"]) == ("DELETED", made["thingId"])
    left = common(watcher.receive("$aws/events/thingGroupMembership/thingGroup/hall/thing/b1/removed"))
    assert (left["groupId"], left["thingId"]) == (group["thingGroupId"], made["thingId"])
    assert watcher.topics(settle=0) == []
