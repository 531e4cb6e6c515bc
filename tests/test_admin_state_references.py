"""PUT /_iotfake/state refuses a snapshot whose references do not hold: 400, a path, no change.

A state file is JSON that people edit by hand. One whose thing groups form a cycle used to be
accepted and then hang the fake (under the registry lock) at the first DescribeThingGroup.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.registry.groups import Groups

STATE = "/_iotfake/state"
ACCOUNT = "123456789012/us-east-1"


def busy() -> FakeCloud:
    cloud = FakeCloud(seed=2)
    cloud.seed(
        {
            "aws": {
                "accounts": [
                    {
                        "accountId": "123456789012",
                        "region": "us-east-1",
                        "thingTypes": [{"thingTypeName": "meter"}],
                        "things": [{"thingName": "t1", "thingTypeName": "meter"}, {"thingName": "t2"}],
                        "thingGroups": [
                            {"thingGroupName": "root", "things": ["t1"]},
                            {"thingGroupName": "leaf", "parentGroupName": "root", "things": ["t2"]},
                        ],
                    }
                ]
            }
        }
    )
    return cloud


def aws_tenant(snapshot: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in snapshot["registry"]["tenants"] if t["provider"] == "aws")


def cycle(tenant: dict[str, Any]) -> None:
    tenant["tables"]["thingGroups"]["root"]["parent"] = "leaf"


def self_parent(tenant: dict[str, Any]) -> None:
    tenant["tables"]["thingGroups"]["root"]["parent"] = "root"


def missing_parent(tenant: dict[str, Any]) -> None:
    tenant["tables"]["thingGroups"]["leaf"]["parent"] = "ghost"


def missing_product(tenant: dict[str, Any]) -> None:
    tenant["devices"][0]["product"] = "inverter"


def duplicate_key(tenant: dict[str, Any]) -> None:
    tenant["devices"][1]["key"] = tenant["devices"][0]["key"]


def duplicate_id(tenant: dict[str, Any]) -> None:
    tenant["devices"][1]["id"] = tenant["devices"][0]["id"]


def one_sided_link(tenant: dict[str, Any]) -> None:
    tenant["tables"]["groupMembers"]["root"].append("t2")


def member_of_no_group(tenant: dict[str, Any]) -> None:
    tenant["tables"]["groupMembers"]["ghost"] = ["t1"]
    tenant["tables"]["groupMembers~"]["t1"].append("ghost")


def member_is_no_thing(tenant: dict[str, Any]) -> None:
    tenant["tables"]["groupMembers"]["root"].append("ghost")
    tenant["tables"]["groupMembers~"]["ghost"] = ["root"]


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (cycle, "thingGroups.root.parent: the thing group hierarchy has a cycle"),
        (self_parent, "thingGroups.root.parent: the thing group hierarchy has a cycle"),
        (missing_parent, "thingGroups.leaf.parent: no thing group 'ghost'"),
        (missing_product, "devices[0].product: no product 'inverter'"),
        (duplicate_key, "devices[1].key: 't1' is the key of registry.tenants[0].devices[0] too"),
        (duplicate_id, "devices[1].id:"),
        (one_sided_link, "tables.groupMembers~.t2: does not list 'root'"),
        (member_of_no_group, "tables.groupMembers.ghost: no thing group 'ghost'"),
        (member_is_no_thing, "tables.groupMembers.root: no device 'ghost'"),
    ],
)
def test_a_snapshot_with_broken_references_is_refused(corrupt: Callable[[dict], None], message: str) -> None:
    cloud = busy()
    client = Client(cloud.wsgi_app)
    before = client.get(STATE).json
    broken = copy.deepcopy(before)
    corrupt(aws_tenant(broken))
    response = client.put(STATE, data=json.dumps(broken), content_type="application/json")
    assert response.status_code == 400, response.json
    assert message in response.json["error"]
    assert "registry.tenants[" in response.json["error"]
    assert client.get(STATE).json == before
    groups = Groups(cloud.registry.tenant("aws", ACCOUNT))
    assert groups.ancestors("leaf") == ["root"]


def test_the_python_api_refuses_it_too() -> None:
    cloud = busy()
    broken = cloud.snapshot()
    cycle(aws_tenant(broken))
    with pytest.raises(ValueError, match="cycle"):
        cloud.restore(broken)
    with pytest.raises(ValueError, match="cycle"):
        FakeCloud.from_snapshot(broken)


class Lookups(dict):
    """A group table that gives up after many lookups instead of letting a loop run forever."""

    def __getitem__(self, key: str) -> Any:
        self.count = getattr(self, "count", 0) + 1
        if self.count > 1000:
            raise AssertionError("looked up 1000 parents: the walk does not end")
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - counts the lookup


def test_a_cycle_that_got_in_anyway_ends_the_walk_with_an_error() -> None:
    cloud = busy()
    tenant = cloud.registry.tenant("aws", ACCOUNT)
    table = Lookups(tenant.table("thingGroups"))
    table["root"] = {**table["root"], "parent": "leaf"}
    tenant.tables["thingGroups"] = table
    groups = Groups(tenant)
    with pytest.raises(Exception, match="cycle"):
        groups.ancestors("leaf")
    with pytest.raises(Exception, match="cycle"):
        groups.descendants("leaf")
