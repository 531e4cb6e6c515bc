"""A rejected fixtures document changes nothing at all: the state is byte for byte what it was.

Each document below first changes what a seeded cloud already holds (tokens, settings, limits,
records), then fails on its last item, so the rollback has real work to undo.
"""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from iotfake import DocumentError, FakeCloud

SEEDED = {
    "enos": {
        "orgs": [
            {
                "orgId": "o1",
                "apps": [{"appKey": "app1", "appSecret": "s1"}],
                "products": [{"productKey": "p1", "productName": "Meter", "quota": 5}],
                "devices": [{"productKey": "p1", "deviceKey": "meter1", "deviceName": "M1"}],
            }
        ]
    },
    "aws": {
        "accounts": [
            {
                "accountId": "123456789012",
                "region": "us-east-1",
                "things": [{"thingName": "t1", "attributes": {"a": "1"}}],
                "thingGroups": [{"thingGroupName": "g1", "things": ["t1"]}],
                "maxThings": 10,
            }
        ]
    },
    "scriptr": {
        "accounts": [
            {
                "name": "acme",
                "token": "OWNER1",
                "groups": ["ops"],
                "devices": [{"id": "d1", "name": "D1", "token": "D1TOKEN"}],
                "users": [{"id": "ann", "name": "Ann", "token": "ANNTOKEN"}],
            }
        ]
    },
    "faults": [
        {
            "id": "f1",
            "provider": "enos",
            "operation": "GetDevice",
            "action": {"error": "Internal"},
            "times": 1,
        }
    ],
}

REJECTED = {
    "enos": {
        "orgs": [
            {
                "orgId": "o1",
                "apps": [{"appKey": "app2", "appSecret": "s2"}],
                "products": [{"productKey": "p2", "productName": "Inverter"}],
                "devices": [
                    {"productKey": "p2", "deviceName": "generated key"},
                    {"productKey": "p1", "deviceKey": "meter1", "deviceName": "taken"},
                ],
            }
        ]
    },
    "aws": {
        "accounts": [
            {
                "accessKeys": [{"accessKeyId": "AKIAANOTHERKEY000001", "secretAccessKey": "s"}],
                "maxThings": 99,
                "thingGroups": [{"thingGroupName": "g2", "parentGroupName": "g1", "things": ["t1"]}],
                "things": [{"thingName": "t2"}, {"thingName": "bad name"}],
            }
        ]
    },
    "scriptr": {
        "accounts": [
            {
                "name": "acme",
                "token": "OWNER2",
                "groups": ["ops", "field"],
                "maxDevices": 3,
                "devices": [{"id": "d2", "name": "D2", "token": "D2TOKEN"}, {"id": "bad id!", "name": "x"}],
            }
        ]
    },
    "faults": [{"id": "f2", "action": {"error": "Internal"}}, {"id": "f1", "action": {"error": "Internal"}}],
}


def seeded() -> FakeCloud:
    return FakeCloud(seed=3, auth="strict").seed(SEEDED)


@pytest.mark.parametrize("section", ["enos", "aws", "scriptr", "faults"])
def test_a_rejected_section_leaves_the_state_as_it_was(section: str) -> None:
    cloud = seeded()
    before = cloud.state_json()
    with pytest.raises(DocumentError):
        cloud.seed({section: REJECTED[section]})
    assert cloud.state_json() == before


def test_a_document_rejected_in_its_last_section_undoes_the_others() -> None:
    cloud = seeded()
    before = cloud.state_json()
    with pytest.raises(DocumentError):
        cloud.seed({**REJECTED, "faults": [{"id": "f1", "action": {"error": "Internal"}}]})
    assert cloud.state_json() == before


def test_after_a_rejected_owner_token_change_the_old_owner_token_still_works() -> None:
    cloud = seeded()
    client = Client(cloud.wsgi_app)
    with pytest.raises(DocumentError):
        cloud.seed({"scriptr": REJECTED["scriptr"]})

    def status(token: str) -> str:
        answer = client.post(
            "/scriptr/device/get", json={"id": "d1"}, headers={"Authorization": f"bearer {token}"}
        )
        return answer.json["response"]["metadata"]["status"]

    assert status("OWNER1") == "success"
    assert status("D1TOKEN") == "success"
    assert status("OWNER2") == "failure"
    assert status("D2TOKEN") == "failure"
