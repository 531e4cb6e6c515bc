"""Many-to-many links (``registry.relations``): any sequence of links and unlinks leaves both
directions equal to a plain set of pairs, whichever side is asked; a side's sorted partners are
kept only while its list is unchanged; and a group's things page the same however big it is."""

from __future__ import annotations

from hypothesis import example, given, settings
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


# -- lists grown in place ------------------------------------------------------------------------
#: a step: link/unlink/drop as above, "capture" (a snapshot's capture, read at the end), or a
#: transaction of such steps that rolls back
grown_steps = st.recursive(
    st.tuples(
        st.sampled_from(["link", "link", "unlink", "drop_left", "drop_right", "capture", "sorted"]),
        st.sampled_from(["g1", "g2"]),
        st.sampled_from([f"t{i}" for i in range(6)]),
    ),
    lambda inner: st.tuples(st.just("rollback"), st.lists(inner, max_size=8)),
    max_leaves=40,
)


def _apply(model: dict[str, list[str]], action: str, left: str, right: str) -> None:
    """What each step does to the partners, as plain lists replaced on every change."""
    if action == "link" and right not in model.get(left, []):
        model[left] = [*model.get(left, []), right]
    elif action == "unlink" or action == "drop_right":
        for group in [left] if action == "unlink" else list(model):
            model[group] = [x for x in model.get(group, []) if x != right]
    elif action == "drop_left":
        model[left] = []


@settings(max_examples=300, deadline=None)
@given(st.lists(grown_steps, max_size=25), st.sampled_from([1, 3, 1024]), st.sampled_from([0, 2, 64]))
def test_lists_grown_in_place_match_lists_replaced_on_every_change(plan, hinted_from, removals) -> None:
    """Every list grows in place here (the threshold patched to 1): captures taken before later
    links, and links rolled back, still read exactly as lists replaced on every change would;
    and so do lists whose partners are found by hints (``places``: patched to short lists, and
    hints made again after as few as no removal)."""
    from unittest import mock

    from iotfake.registry import changes, places

    with (
        mock.patch.object(changes, "GROW_IN_PLACE", 1),
        mock.patch.object(changes, "HINTED_FROM", hinted_from),
        mock.patch.object(places, "_MIN_REMOVALS", removals),
    ):
        cloud, relation = _relation()
        model: dict[str, list[str]] = {}
        captures: list[tuple[object, dict[str, list[str]]]] = []

        def run(step: tuple) -> None:
            if step[0] == "rollback":
                saved = {k: list(v) for k, v in model.items()}
                with cloud.registry.transaction():
                    for inner in step[1]:
                        run(inner)
                    raise RolledBack
                model.clear()
                model.update(saved)  # what the rolled back steps did is undone in the model too
                return
            action, left, right = step
            if action == "capture":
                captures.append((relation.tenant.capture(), {k: list(v) for k, v in model.items() if v}))
                return
            if action == "sorted":
                assert sorted_rights(relation, left) == sorted(model.get(left, []))
                return
            args = {"drop_left": (left,), "drop_right": (right,)}.get(action, (left, right))
            getattr(relation, action)(*args)
            _apply(model, action, left, right)

        for step in plan:
            run(step)
            for group in ("g1", "g2"):
                assert relation.rights(group) == model.get(group, [])
                assert sorted_rights(relation, group) == sorted(model.get(group, []))
        for captured, seen in captures:
            tables = captured.snapshot(copy=False)["tables"]  # type: ignore[attr-defined]
            assert tables.get("members", {}) == seen


def test_a_long_list_grows_in_place_and_listeners_hear_the_partner() -> None:
    """Filling a group copies none of its members (the list stays the one object) and a listener
    hears each link as the partner appended, not as the whole list; a thing leaving it, the same."""
    from iotfake.registry.changes import Appended, Removed

    cloud, relation = _relation()
    heard: list = []
    cloud.changes.subscribe(heard.extend)
    for i in range(40):
        relation.link("g", f"t{i:02}")
    members = relation.tenant.table("members")["g"]
    relation.link("g", "t99")
    assert relation.tenant.table("members")["g"] is members and members[-1] == "t99"
    cloud.changes.dispatch()
    forward = [c for c in heard if c.kind == "members"]
    assert [c.after for c in forward[-3:]] == [Appended("t38"), Appended("t39"), Appended("t99")]
    assert forward[0].after == ["t00"]  # short lists are still replaced, and heard whole
    relation.unlink("g", "t05")  # and shrinks in place, heard as the partner removed
    assert relation.tenant.table("members")["g"] is members and "t05" not in members
    cloud.changes.dispatch()
    assert [c.after for c in heard if c.kind == "members"][-1] == Removed("t05")
    snapshot = relation.tenant.snapshot(copy=False)
    relation.link("g", "t100")  # a captured list is never grown again
    assert snapshot["tables"]["members"]["g"][-1] == "t99"
    assert relation.tenant.table("members")["g"] is not members


def test_a_long_restored_list_that_names_a_partner_twice_names_it_once_when_it_grows() -> None:
    """A list grown in place holds each partner once (its removal stops at the first), so the
    copy that starts it drops what a restored snapshot listed twice."""
    _, relation = _relation()
    tenant = relation.tenant
    members = [f"t{i:02}" for i in range(20)]
    tenant.table("members")["g"] = [*members, "t03"]  # what a hand-made snapshot may hold
    for thing in members:
        tenant.table("members~")[thing] = ["g"]
    assert relation.link("g", "new") is True
    assert relation.rights("g") == [*members, "new"]
    assert relation.unlink("g", "t03") is True
    assert "t03" not in relation.rights("g") and relation.lefts("t03") == []
    assert sorted_rights(relation, "g") == sorted([*members, "new"][:3] + [*members, "new"][4:])


@settings(max_examples=60, deadline=None)
@given(st.integers(16, 400), st.data())
def test_partners_leave_a_long_list_in_any_order(size, data) -> None:
    """A long list shrinks in place, each partner found from whichever end is nearer."""
    _, relation = _relation()
    members = [f"t{i:03}" for i in range(size)]
    for thing in members:
        relation.link("g", thing)
    leaving = data.draw(st.lists(st.sampled_from(members), unique=True, max_size=30))
    for thing in leaving:
        assert relation.unlink("g", thing) is True
        assert relation.unlink("g", thing) is False
    assert relation.rights("g") == [m for m in members if m not in leaving]
    assert sorted_rights(relation, "g") == [m for m in members if m not in leaving]


def test_a_partner_linked_while_the_list_is_sorted_is_listed_next_time(monkeypatch) -> None:
    """Another thread may link while ``sorted_rights`` sorts (a reader without the lock): the
    length it keeps is the one it sorted, so the new partner is merged in on the next call."""
    from iotfake.registry import relations as module

    _, relation = _relation()
    for i in range(20):
        relation.link("g", f"t{i:02}")
    real = sorted
    late = iter(["t99"])

    def sorting_while_another_links(values, **options):
        for thing in late:  # once
            relation.link("g", thing)
        return real(values, **options)

    monkeypatch.setattr(module, "sorted", sorting_while_another_links, raising=False)
    first = sorted_rights(relation, "g")
    monkeypatch.undo()
    assert "t99" not in first
    assert sorted_rights(relation, "g") == sorted([*(f"t{i:02}" for i in range(20)), "t99"])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 120), st.lists(st.tuples(st.booleans(), st.integers(0, 200)), max_size=60))
@example(10, [(False, 0), (True, 150), (False, 150)])  # hinted, then one joins and leaves
@example(30, [(False, 0), (True, 150), (False, 3), (False, 150), (False, 29), (False, 5)])
def test_partners_found_by_hints_leave_in_any_order_while_others_join(size, steps) -> None:
    """A long list's partners are found from hints (``places``, patched to lists of 8 and up,
    made again after 2 removals): joins and leaves interleaved, the list is what a plain list
    would be, and a partner that is not there is not found."""
    from unittest import mock

    from iotfake.registry import changes, places

    with mock.patch.object(changes, "HINTED_FROM", 8), mock.patch.object(places, "_MIN_REMOVALS", 2):
        _, relation = _relation()
        model = [f"t{i:03}" for i in range(size)]
        for thing in model:
            relation.link("g", thing)
        for joins, number in steps:
            thing = f"t{number:03}"
            if joins:
                assert relation.link("g", thing) is (thing not in model)
                if thing not in model:
                    model.append(thing)
            else:
                assert relation.unlink("g", thing) is (thing in model)
                if thing in model:
                    model.remove(thing)
            assert relation.rights("g") == model
