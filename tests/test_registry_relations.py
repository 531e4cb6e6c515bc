"""Many-to-many links (``registry.relations``): any sequence of links and unlinks leaves both
directions equal to a plain set of pairs, whichever side is asked; a side's sorted partners are
kept only while its list is unchanged; and a group's things page the same however big it is."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.registry.changes import RolledBack
from iotfake.registry.relations import Relation, sorted_rights

TENANT = ("aws", "123456789012/us-east-1")

steps = st.lists(
    st.tuples(
        st.sampled_from(["link", "unlink", "drop_left", "drop_right"]),
        st.sampled_from(["g1", "g2", "g3"]),
        st.sampled_from([f"t{i}" for i in range(8)]),
    ),
    max_size=60,
)


def _relation() -> tuple[FakeCloud, Relation]:
    cloud = FakeCloud()
    return cloud, Relation(cloud.registry.tenant(*TENANT), "members")


@settings(max_examples=300, deadline=None)
@given(steps)
def test_links_match_a_set_of_pairs_whichever_side_is_asked(plan) -> None:
    (_, relation), pairs = _relation(), set()
    for action, left, right in plan:
        if action == "link":
            assert relation.link(left, right) is ((left, right) not in pairs)
            pairs.add((left, right))
        elif action == "unlink":
            assert relation.unlink(left, right) is ((left, right) in pairs)
            pairs.discard((left, right))
        elif action == "drop_left":
            assert sorted(relation.drop_left(left)) == sorted(b for a, b in pairs if a == left)
            pairs = {(a, b) for a, b in pairs if a != left}
        else:
            assert sorted(relation.drop_right(right)) == sorted(a for a, b in pairs if b == right)
            pairs = {(a, b) for a, b in pairs if b != right}
        for group in ("g1", "g2", "g3"):
            rights = relation.rights(group)
            assert len(rights) == len(set(rights))  # never a pair twice
            assert set(rights) == {b for a, b in pairs if a == group}
            assert sorted_rights(relation, group) == sorted(rights)
        for thing in (f"t{i}" for i in range(8)):
            assert set(relation.lefts(thing)) == {a for a, b in pairs if b == thing}


def test_sorted_partners_are_kept_until_the_list_changes_and_rolled_back_links_show() -> None:
    cloud, relation = _relation()
    for thing in ("c", "a", "b"):
        relation.link("g", thing)
    first = sorted_rights(relation, "g")
    assert first == ["a", "b", "c"] and sorted_rights(relation, "g") is first
    relation.link("other", "a")  # another group's change leaves it be
    assert sorted_rights(relation, "g") is first
    relation.unlink("g", "b")
    assert sorted_rights(relation, "g") == ["a", "c"]
    with cloud.registry.transaction():
        relation.link("g", "0")
        assert sorted_rights(relation, "g") == ["0", "a", "c"]
        raise RolledBack
    assert sorted_rights(relation, "g") == ["a", "c"]
    assert (
        sorted_rights(relation, "never") == [] and sorted_rights(Relation(relation.tenant, "none"), "g") == []
    )
    assert "none" not in relation.tenant.tables  # reading made no table


def test_a_group_s_things_page_in_name_order_through_boto3(iot) -> None:
    names = [f"m-{i:03}" for i in range(37)]
    iot.create_thing_group(thingGroupName="g")
    iot.create_billing_group(billingGroupName="b")
    for name in reversed(names):
        iot.create_thing(thingName=name)
        iot.add_thing_to_thing_group(thingGroupName="g", thingName=name)
        iot.add_thing_to_billing_group(billingGroupName="b", thingName=name)
    for listing, args in (
        (iot.list_things_in_thing_group, {"thingGroupName": "g"}),
        (iot.list_things_in_billing_group, {"billingGroupName": "b"}),
    ):
        seen, token = [], None
        while True:
            page = listing(maxResults=10, **args, **({"nextToken": token} if token else {}))
            seen += page["things"]
            token = page.get("nextToken")
            if token is None:
                break
        assert seen == names
    iot.remove_thing_from_thing_group(thingGroupName="g", thingName="m-005")
    first = iot.list_things_in_thing_group(thingGroupName="g", maxResults=6)["things"]
    assert first == ["m-000", "m-001", "m-002", "m-003", "m-004", "m-006"]


def test_a_partner_a_restored_snapshot_lists_twice_goes_at_once_and_is_listed_once() -> None:
    _, relation = _relation()
    tenant = relation.tenant
    tenant.table("members")["g"] = ["p", "q", "p"]  # what a hand-made snapshot may hold
    tenant.table("members~")["p"] = ["g"]
    tenant.table("members~")["q"] = ["g"]
    assert sorted_rights(relation, "g") == ["p", "q"]
    assert relation.unlink("g", "p") is True
    assert relation.rights("g") == ["q"] and relation.lefts("p") == []
