"""PUT /_iotfake/state checks every record against its kind in the catalog before restoring:
400, the path of the bad field, no change, and no Python internals in the answer.

Each of these used to be accepted with 200 and fail later (an EnOS GetDevice answered 99500 for a
device whose ``extra`` was a string), or fail with a Python message
(``Token.__init__() got an unexpected keyword argument 'bogus'``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud

STATE = "/_iotfake/state"


def busy() -> FakeCloud:
    cloud = FakeCloud(seed=4)
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {
                        "orgId": "o1",
                        "products": [{"productKey": "p1", "productName": "Meter", "quota": 5}],
                        "devices": [
                            {"productKey": "p1", "deviceKey": "meter-1"},
                            {"productKey": "p1", "deviceKey": "meter-2"},
                        ],
                    }
                ]
            },
            "aws": {"accounts": [{"accountId": "123456789012", "things": [{"thingName": "t1"}]}]},
            "scriptr": {"accounts": [{"name": "acme", "devices": [{"id": "d1", "name": "D"}]}]},
        }
    )
    cloud.registry.tokens.issue(provider="enos", tenant="o1", subject="app", ttl=60)
    return cloud


def tenant(snapshot: dict[str, Any], provider: str) -> dict[str, Any]:
    return next(t for t in snapshot["registry"]["tenants"] if t["provider"] == provider)


def device_extra_is_a_string(s: dict[str, Any]) -> None:
    tenant(s, "enos")["devices"][0]["extra"] = "oops"


def device_attributes_are_a_list(s: dict[str, Any]) -> None:
    tenant(s, "enos")["devices"][1]["attributes"] = ["a"]


def device_version_is_text(s: dict[str, Any]) -> None:
    tenant(s, "aws")["devices"][0]["version"] = "1"


def device_version_is_a_boolean(s: dict[str, Any]) -> None:
    tenant(s, "aws")["devices"][0]["version"] = True


def device_has_an_unknown_field(s: dict[str, Any]) -> None:
    tenant(s, "enos")["devices"][0]["bogus"] = 1


def quota_below_device_count(s: dict[str, Any]) -> None:
    tenant(s, "enos")["products"][0]["quota"] = 1


def tenant_quota_below_device_count(s: dict[str, Any]) -> None:
    tenant(s, "aws")["quota"] = 0


def product_attributes_are_null(s: dict[str, Any]) -> None:
    tenant(s, "enos")["products"][0]["attributes"] = None


def token_has_an_unknown_field(s: dict[str, Any]) -> None:
    s["registry"]["tokens"][0]["bogus"] = 1


def token_lacks_its_subject(s: dict[str, Any]) -> None:
    del s["registry"]["tokens"][0]["subject"]


def token_state_is_unknown(s: dict[str, Any]) -> None:
    s["registry"]["tokens"][0]["state"] = "paused"


def tenant_has_an_unknown_field(s: dict[str, Any]) -> None:
    tenant(s, "scriptr")["devicez"] = []


def user_record_is_a_string(s: dict[str, Any]) -> None:
    tenant(s, "scriptr").setdefault("tables", {})["users"] = {"u1": "me"}


def group_record_names_another_key(s: dict[str, Any]) -> None:
    tenant(s, "aws").setdefault("tables", {})["thingGroups"] = {
        "g1": {"name": "g2", "id": "i1", "version": 1, "created": 0}
    }


@pytest.mark.parametrize(
    ("corrupt", "path", "message"),
    [
        (device_extra_is_a_string, "devices[0].extra", "expected an object or null, got a string"),
        (device_attributes_are_a_list, "devices[1].attributes", "expected an object or null, got a list"),
        (device_version_is_text, "devices[0].version", "expected an integer, got a string"),
        (device_version_is_a_boolean, "devices[0].version", "expected an integer, got a boolean"),
        (device_has_an_unknown_field, "devices[0].bogus", "unknown field"),
        (quota_below_device_count, "products[0].quota", "holds 2 devices, over its quota of 1"),
        (tenant_quota_below_device_count, ".quota", "holds 1 devices, over its quota of 0"),
        (product_attributes_are_null, "products[0].attributes", "expected an object, got null"),
        (token_has_an_unknown_field, "tokens[0].bogus", "unknown field"),
        (token_lacks_its_subject, "tokens[0].subject", "required"),
        (token_state_is_unknown, "tokens[0].state", "expected one of active, revoked"),
        (tenant_has_an_unknown_field, ".devicez", "unknown field"),
        (user_record_is_a_string, "tables.users.u1", "expected an object, got str"),
        (group_record_names_another_key, "tables.thingGroups.g1.name", "'g2' is not its key 'g1'"),
    ],
)
def test_a_snapshot_with_a_bad_record_is_refused_naming_the_field(
    corrupt: Callable[[dict], None], path: str, message: str
) -> None:
    cloud = busy()
    client = Client(cloud.wsgi_app)
    before = client.get(STATE).json
    broken = copy.deepcopy(before)
    corrupt(broken)
    response = client.put(STATE, data=json.dumps(broken), content_type="application/json")
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert path in error and message in error, error
    assert "registry.tenants[" in error or "registry.tokens[" in error, error
    assert "__init__" not in error and "keyword argument" not in error
    assert client.get(STATE).json == before


def test_the_good_snapshot_still_round_trips() -> None:
    cloud = busy()
    client = Client(cloud.wsgi_app)
    before = client.get(STATE).json
    response = client.put(STATE, data=json.dumps(before), content_type="application/json")
    assert response.status_code == 200, response.json
    assert client.get(STATE).json == before
