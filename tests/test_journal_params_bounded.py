"""The journal keeps a bounded summary of each request: the fields a provider's model knows,
each string cut to a few hundred characters, so 10,000 entries of junk-laden requests stay small."""

from __future__ import annotations

from _enos import TOKEN
from aws_helpers import SIGNED
from werkzeug.test import Client

from iotfake import FakeCloud

BIG = "x" * 500_000
#: the README's documented bounds ("Hostile input": strings cut to 256 characters, at most 32
#: items per object), as literals so that a change to the code's own constants fails here
CHARS = 256
ITEMS = 32


def _size(params: object) -> int:
    return len(repr(params))


def test_aws_journals_model_members_only() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    client.post("/things/t1?junk=" + "q" * 5000, json={"junk": BIG, "thingTypeName": None}, headers=SIGNED)
    [entry] = cloud.journal.calls(operation="CreateThing")
    assert "junk" not in entry.params
    assert entry.params["thingName"] == "t1"
    assert _size(entry.params) < 1000


def test_long_values_of_known_fields_are_cut() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    client.post("/things/t1", json={"thingTypeName": BIG}, headers=SIGNED)
    client.post(
        "/connect-service/v2.1/devices?action=create&orgId=o1", json={"deviceKey": BIG}, headers=TOKEN
    )
    client.post("/scriptr/device/get", json={"id": BIG}, headers={"Authorization": "bearer t"})
    aws, enos, scriptr = cloud.journal.calls()
    for value in (aws.params["thingTypeName"], enos.params["deviceKey"], scriptr.params["id"]):
        assert value == "x" * CHARS + "... (500000 characters)"
    assert client.get("/_iotfake/journal").status_code == 200
    assert all(_size(e.params) < 1000 for e in cloud.journal.calls())


def test_register_thing_parameters_are_bounded_in_count() -> None:
    cloud = FakeCloud(seed=1)
    parameters = {f"p{i}": "v" for i in range(5000)}
    Client(cloud.wsgi_app).post(
        "/things", json={"templateBody": "{}", "parameters": parameters}, headers=SIGNED
    )
    [entry] = cloud.journal.calls(operation="RegisterThing")
    assert len(entry.params["parameters"]) == ITEMS


def test_fault_rules_still_match_on_model_members_and_query_members() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    cloud.faults.add(
        provider="aws", operation="CreateThing", match={"thingTypeName": "tt"}, error="ThrottlingException"
    )
    cloud.faults.add(
        provider="aws", operation="ListThings", match={"attributeName": "a"}, error="ThrottlingException"
    )
    made = client.post("/things/t1", json={"thingTypeName": "tt"}, headers=SIGNED)
    listed = client.get("/things?attributeName=a&attributeValue=b", headers=SIGNED)
    assert made.headers["x-amzn-ErrorType"] == "ThrottlingException:"
    assert listed.headers["x-amzn-ErrorType"] == "ThrottlingException:"
