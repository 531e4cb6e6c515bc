"""The admin API's fault endpoints: list, add one or many, delete all or one; bad bodies get 400 JSON."""

from __future__ import annotations

import pytest
from enos_calls import create, make_product
from werkzeug.test import Client

from iotfake import FakeCloud

FAULTS = "/_iotfake/faults"
RULE = {"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}, "times": 2}


def test_post_one_rule_returns_its_id_and_it_fires(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    response = client.post(FAULTS, json=RULE)
    assert response.status_code == 200
    assert response.json == {"ids": ["rule-1"]}
    assert [create(client, pk).json["code"] for _ in range(3)] == [11714, 11714, 0]


def test_post_a_list_returns_every_id(client: Client) -> None:
    response = client.post(FAULTS, json=[RULE, {**RULE, "id": "mine"}])
    assert response.json == {"ids": ["rule-1", "mine"]}


def test_get_lists_rules_with_their_counters(client: Client) -> None:
    pk = make_product(client)
    client.post(FAULTS, json={**RULE, "id": "flaky"})
    create(client, pk)
    rules = client.get(FAULTS).json["rules"]
    assert [(r["id"], r["matched"], r["fired"], r["action"]) for r in rules] == [
        ("flaky", 1, 1, {"error": "11714"})
    ]
    one = client.get(f"{FAULTS}/flaky")
    assert one.status_code == 200 and one.json == rules[0]


def test_delete_one_and_all(cloud: FakeCloud, client: Client) -> None:
    client.post(FAULTS, json=[{**RULE, "id": "a"}, {**RULE, "id": "b"}, {**RULE, "id": "c"}])
    assert client.delete(f"{FAULTS}/b").json == {"removed": "b"}
    assert [r.id for r in cloud.faults] == ["a", "c"]
    assert client.delete(FAULTS).json == {"removed": 2}
    assert client.get(FAULTS).json == {"rules": []}


def test_unknown_rule_ids_are_404_json(client: Client) -> None:
    for response in (client.delete(f"{FAULTS}/nope"), client.get(f"{FAULTS}/nope")):
        assert response.status_code == 404
        assert response.json == {"error": "no fault rule 'nope'"}


def test_post_a_builtin_throttle_profile_by_name(client: Client) -> None:
    response = client.post(FAULTS, json={"profile": "no-such-profile"})
    assert response.status_code == 400
    assert response.json["path"] == "profile"
    assert "built in: aws-defaults" in response.json["error"]


@pytest.mark.parametrize(
    ("body", "status", "error", "path"),
    [
        (b"", 400, "a JSON body is required", None),
        (b"{not json", 400, "the body is not valid JSON", None),
        (b'"just a string"', 400, "expected a list of fault rules", ""),
        (b"[1]", 400, "a fault rule is a JSON object", "faults[0]"),
        (b'{"provider": "enos"}', 400, "a rule needs an action", "action"),
        (b'{"provider": "enos", "action": {"error": "1171"}}', 400, "nor a code enos knows", "action.error"),
        (
            b'[{"action": {"drop": true}}, {"action": {"latency_ms": "slow"}}]',
            400,
            "milliseconds",
            "faults[1].action.latency_ms",
        ),
        (b'{"id": "x", "action": {"drop": true}, "times": -1}', 400, "expected an integer >= 1", "times"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply", None),
    ],
)
def test_bad_bodies_get_400_json_and_add_nothing(
    cloud: FakeCloud, client: Client, body: bytes, status: int, error: str, path: str | None
) -> None:
    response = client.post(FAULTS, data=body, content_type="application/json")
    assert response.status_code == status
    assert error in response.json["error"]
    assert response.json.get("path") == path
    assert len(cloud.faults) == 0


def test_duplicate_ids_are_400(client: Client) -> None:
    client.post(FAULTS, json={**RULE, "id": "x"})
    response = client.post(FAULTS, json={**RULE, "id": "x"})
    assert response.status_code == 400
    assert response.json == {"error": "a fault rule with id 'x' exists already", "path": "id"}


def test_wrong_methods_are_405(client: Client) -> None:
    assert client.put(FAULTS, json=RULE).status_code == 405
    assert client.post(f"{FAULTS}/x", json=RULE).status_code == 405


THROTTLE = {"provider": "enos", "operation": "CreateDevice", "action": {"throttle": {"rate": 1, "burst": 1}}}


@pytest.mark.parametrize(
    ("tokens", "stamp"),
    [("nan", 0), (0, "-inf"), ("1.5", 0), (True, 0), (10**400, 0), (0, None)],
)
def test_a_rule_state_s_bucket_takes_finite_numbers_only(
    cloud: FakeCloud, client: Client, tokens, stamp
) -> None:
    """A bucket of "nan" was taken (``float("nan")``), and the state file it was saved to then
    held NaN, which no JSON reader takes: the server could not start on its own file. A number
    past a float's range answered 500."""
    before = cloud.state_json()
    bucket = {"tenant": "o1", "key": "CreateDevice", "tokens": tokens, "stamp": stamp}
    rule = {**THROTTLE, "id": "t", "state": {"random": None, "buckets": [bucket]}}
    for answer in (client.post(FAULTS, json=rule), client.post("/_iotfake/seed", json={"faults": [rule]})):
        assert answer.status_code == 400, answer.json
        assert answer.json["path"].endswith("state") and "not a rule state" in answer.json["error"]
    assert cloud.state_json() == before


def test_a_rule_state_s_random_state_past_its_range_is_400(client: Client) -> None:
    big = [10**400] * 625
    answer = client.post(FAULTS, json={**THROTTLE, "state": {"random": [3, big, None], "buckets": []}})
    assert answer.status_code == 400 and answer.json["path"] == "state"


def test_a_snapshot_s_rule_counter_is_bounded_so_generated_ids_stay_rule_ids(
    cloud: FakeCloud, client: Client
) -> None:
    """``next_id`` of any size was taken, and the next rule's generated id (``rule-<next_id>``)
    was then longer than a rule id may be: the cloud's own snapshot was refused from then on."""
    snapshot = cloud.snapshot()
    snapshot["faults"]["next_id"] = 10**150
    answer = client.put("/_iotfake/state", json=snapshot)
    assert answer.status_code == 400 and "faults.next_id" in answer.json["error"]
    snapshot["faults"]["next_id"] = 2**63 - 1  # the largest counter a rule's counts take
    assert client.put("/_iotfake/state", json=snapshot).status_code == 200
    assert client.post(FAULTS, json=RULE).json == {"ids": [f"rule-{2**63 - 1}"]}
    assert cloud.snapshot()["faults"]["next_id"] == 1  # it counts on from 1, skipping ids taken
    assert client.put("/_iotfake/state", json=cloud.snapshot()).status_code == 200
