"""Adding, listing and removing fault rules; every bad rule is refused naming its field."""

from __future__ import annotations

import pytest

from iotfake import DocumentError, FakeCloud, Rule


def test_add_returns_the_rule_with_a_generated_id(cloud: FakeCloud) -> None:
    first = cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", times=2)
    second = cloud.faults.add(provider="enos", error="Internal")
    assert isinstance(first, Rule)
    assert (first.id, second.id) == ("rule-1", "rule-2")
    assert cloud.faults.rules == [first, second]
    assert first.to_dict() == {
        "id": "rule-1",
        "provider": "enos",
        "operation": "CreateDevice",
        "match": {},
        "action": {"error": "11714"},
        "times": 2,
        "after": 0,
        "every": None,
        "probability": None,
        "seed": None,
        "from": None,
        "until": None,
        "matched": 0,
        "fired": 0,
    }


def test_add_rule_takes_the_json_shape_and_keeps_a_given_id(cloud: FakeCloud) -> None:
    rule = cloud.faults.add_rule(
        {
            "id": "slow-orgs",
            "provider": "enos",
            "operation": "Create*",
            "match": {"orgId": ["o1", "o2"], "productKey": "p1"},
            "action": {"latency_ms": [5, 10]},
            "every": 3,
            "seed": 9,
            "from": "2030-01-01T00:00:00Z",
            "until": 1_900_000_000,
        }
    )
    assert rule.id == "slow-orgs"
    data = rule.to_dict()
    assert data["match"] == {"orgId": ["o1", "o2"], "productKey": "p1"}
    assert data["action"] == {"latency_ms": [5.0, 10.0]}
    assert data["from"] == 1_893_456_000.0
    assert Rule.from_dict(data).to_dict() == data


def test_generated_ids_skip_ids_taken_by_hand(cloud: FakeCloud) -> None:
    cloud.faults.add(id="rule-1", error="Internal")
    assert cloud.faults.add(error="Internal").id == "rule-2"


def test_duplicate_ids_are_refused(cloud: FakeCloud) -> None:
    cloud.faults.add(id="x", error="Internal")
    with pytest.raises(DocumentError) as caught:
        cloud.faults.add(id="x", error="Internal")
    assert caught.value.path == "id"
    assert "exists already" in caught.value.message


@pytest.mark.parametrize(
    ("rule", "path", "words"),
    [
        ({"provider": "enos"}, "action", "needs an action"),
        ({"action": {}}, "action", "needs one of"),
        ({"action": {"explode": True}}, "action.explode", "unknown action"),
        ({"action": {"error": "Internal", "drop": True}}, "action", "one action per rule"),
        ({"action": {"error": ""}}, "action.error", "error code"),
        ({"action": {"error": 11714}}, "action.error", "error code"),
        ({"action": {"drop": False}}, "action.drop", "expected true"),
        ({"action": {"lost_response": "yes"}}, "action.lost_response", "expected true"),
        ({"action": {"throttle": {"rate": 0}}}, "action.throttle.rate", "> 0"),
        ({"action": {"throttle": {"rate": 5, "burst": 0.5}}}, "action.throttle.burst", ">= 1"),
        ({"action": {"throttle": {"rate": 5, "size": 2}}}, "action.throttle.size", "unknown field"),
        ({"action": {"throttle": "fast"}}, "action.throttle", "rate"),
        ({"action": {"latency_ms": -1}}, "action.latency_ms", "0 <= min"),
        ({"action": {"latency_ms": [10, 5]}}, "action.latency_ms", "0 <= min"),
        ({"action": {"latency_ms": [1, 2, 3]}}, "action.latency_ms", "[min, max]"),
        ({"action": {"latency_ms": 10**9}}, "action.latency_ms", "300000"),
        ({"action": {"drop": True}, "times": 0}, "times", ">= 1"),
        ({"action": {"drop": True}, "times": True}, "times", "integer"),
        ({"action": {"drop": True}, "after": -1}, "after", ">= 0"),
        ({"action": {"drop": True}, "every": 0}, "every", ">= 1"),
        ({"action": {"drop": True}, "probability": 1.5}, "probability", "0 to 1"),
        ({"action": {"drop": True}, "seed": [1]}, "seed", "integer or a string"),
        ({"action": {"drop": True}, "from": "tomorrow"}, "from", "ISO 8601"),
        ({"action": {"drop": True}, "from": "2030-01-01T00:00:00"}, "from", "with a zone"),
        ({"action": {"drop": True}, "from": 20, "until": 10}, "until", "later than from"),
        ({"action": {"drop": True}, "match": ["orgId"]}, "match", "object of request fields"),
        ({"action": {"drop": True}, "match": {"orgId": []}}, "match.orgId", "non-empty list"),
        ({"action": {"drop": True}, "match": {"orgId": {"a": 1}}}, "match.orgId", "number or boolean"),
        ({"action": {"drop": True}, "id": "has space"}, "id", "letters, digits"),
        ({"action": {"drop": True}, "id": "a/b"}, "id", "letters, digits"),
        ({"action": {"drop": True}, "time": 2}, "time", "unknown field"),
        ({"action": {"drop": True}, "provider": ""}, "provider", "a name"),
        ({"action": {"drop": True}, "provider": "enso"}, "provider", "unknown provider 'enso'"),
        (
            {"action": {"drop": True}, "provider": "enos", "operation": "CreateDevcie"},
            "operation",
            "CreateDevice",
        ),
        ({"action": {"drop": True}, "provider": "enos", "operation": "Creat?Thing"}, "operation", "no enos"),
        (
            {"action": {"drop": True}, "provider": "aws", "operation": "CreateThng"},
            "operation",
            "no aws operation is 'CreateThng' (did you mean CreateThing",
        ),
        ({"action": {"drop": True}, "provider": "aws", "operation": "Zzz*"}, "operation", "none of the"),
        (
            {"action": {"drop": True}, "provider": "scriptr", "operation": "device.creat"},
            "operation",
            "device.create,",
        ),
        (
            {"action": {"drop": True}, "provider": "scriptr", "operation": "CreateDevice"},
            "operation",
            "no scriptr",
        ),
        ({"provider": "enos", "action": {"error": "1171"}}, "action.error", "nor a code enos knows"),
        ({"provider": "enos", "action": {"error": "ThrottlingException"}}, "action.error", "11714"),
        ({"action": {"error": "11714"}}, "action.error", "needs the rule's provider set"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(cloud: FakeCloud, rule: dict, path: str, words: str) -> None:
    with pytest.raises(DocumentError) as caught:
        cloud.faults.add_rule(rule)
    assert caught.value.path == path
    assert words in caught.value.message
    assert cloud.faults.rules == []


def test_load_is_all_or_nothing_and_names_the_index(cloud: FakeCloud) -> None:
    good = {"provider": "enos", "action": {"error": "11714"}}
    bad = {"provider": "enos", "action": {"error": "99999"}}
    with pytest.raises(DocumentError) as caught:
        cloud.faults.load([good, bad])
    assert caught.value.path == "faults[1].action.error"
    assert cloud.faults.rules == []
    assert [r.id for r in cloud.faults.load([good, good])] == ["rule-1", "rule-2"]


def test_load_takes_one_rule_object_too(cloud: FakeCloud) -> None:
    (rule,) = cloud.faults.load({"id": "one", "action": {"error": "Unavailable"}})
    assert rule.id == "one"


def test_domain_names_work_for_any_provider(cloud: FakeCloud) -> None:
    rule = cloud.faults.add(error="KeyAllocationFailed")
    assert (rule.provider, rule.operation) == ("*", "*")


def test_action_keywords_or_a_whole_action_but_not_both(cloud: FakeCloud) -> None:
    rule = cloud.faults.add(action={"error": "Internal", "latency_ms": 5}, from_=10, until=20)
    assert rule.action.kind == "error" and rule.action.latency == (5.0, 5.0)
    assert (rule.start, rule.until) == (10.0, 20.0)
    with pytest.raises(DocumentError, match="not both"):
        cloud.faults.add(action={"error": "Internal"}, drop=True)


def test_remove_and_clear(cloud: FakeCloud) -> None:
    keep = cloud.faults.add(error="Internal")
    gone = cloud.faults.add(error="Unavailable")
    assert cloud.faults.remove(gone.id) is gone
    assert cloud.faults.rules == [keep]
    with pytest.raises(KeyError, match="no fault rule 'nope'"):
        cloud.faults.remove("nope")
    assert cloud.faults.clear() == 1
    assert cloud.faults.rules == []
    assert cloud.faults.add(error="Internal").id == "rule-3"  # ids are never reused after clear()


def test_reset_starts_ids_again(cloud: FakeCloud) -> None:
    cloud.faults.add(error="Internal")
    cloud.reset()
    assert cloud.faults.rules == []
    assert cloud.faults.add(error="Internal").id == "rule-1"
