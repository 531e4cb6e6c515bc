"""Listings that page through a fleet from its kept, sorted keys (``registry.ordered``,
``paging.by_key``): the same pages and tokens as sorting every time, and never a stale key after
creates, deletes, renames, type changes or a rolled-back transaction."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.providers.aws_iot import paging
from iotfake.providers.aws_iot.wire import AwsError
from iotfake.registry import Device, Product
from iotfake.registry.changes import RolledBack
from iotfake.registry.ordered import sorted_keys

TENANT = ("aws", "123456789012/us-east-1")


def _device(device_id: str, key: str) -> Device:
    return Device(id=device_id, key=key, product=None)


def _token(key: list) -> str:
    return base64.b64encode(json.dumps(key).encode()).decode()


def _outcome(run):
    try:
        return run()
    except AwsError as error:
        return ("error", error.code, error.message)


names = st.lists(st.text("abcAB-_09", min_size=1, max_size=4), unique=True, max_size=30)
#: tokens whose key compares with a name's: the place they name is the same either way
placed = st.one_of(
    st.none(),
    st.builds(lambda k: _token([k]), st.text("abcAB-_09", max_size=4)),
    st.sampled_from([_token([]), _token(["a", 1]), _token(["b", None])]),
)
#: forged tokens: not base64 JSON, not a list, or a key no name compares with
forged = st.sampled_from(["nope", _token({"a": 1}), _token("a"), _token([5]), _token([None])])


@settings(max_examples=300, deadline=None)
@given(names, st.sets(st.text("abcAB-_09", min_size=1, max_size=4)), placed, st.integers(0, 7))
def test_by_key_pages_as_sorting_every_time_does(keys, hidden, token, size) -> None:
    kept = {k: {"name": k} for k in keys if k not in hidden}
    by_sorting = paging.page(list(kept.values()), lambda r: [r["name"]], token, size)
    assert paging.by_key(sorted(keys), kept.get, token, size) == by_sorting


@settings(max_examples=100, deadline=None)
@given(names.filter(bool), forged, st.integers(0, 7))
def test_a_forged_token_is_refused_whatever_the_filter_leaves(keys, token, size) -> None:
    """Sorting refuses it only where something is left to compare it with; placing it among all
    the names refuses it whenever there are any."""
    invalid = ("error", "InvalidRequestException", f"The nextToken is invalid: {token}")
    kept = {k: {"name": k} for k in keys}
    assert _outcome(lambda: paging.page(list(kept.values()), lambda r: [r["name"]], token, size)) == invalid
    assert _outcome(lambda: paging.by_key(sorted(keys), kept.get, token, size)) == invalid
    assert _outcome(lambda: paging.by_key(sorted(keys), lambda _: None, token, size)) == invalid


@pytest.fixture
def tenant():
    cloud = FakeCloud(seed=3)
    tenant = cloud.registry.tenant(*TENANT)
    tenant.add_product(Product(key="meter"))
    for name in ("d", "b", "a", "c"):
        tenant.add_device(key=name, product="meter" if name in "ab" else None, build=_device)
    return cloud, tenant


def test_the_sorted_keys_are_kept_until_the_key_set_changes(tenant) -> None:
    _, tenant = tenant
    first = sorted_keys(tenant)
    assert first == ["a", "b", "c", "d"] and sorted_keys(tenant, "meter") == ["a", "b"]
    tenant.update_device(tenant.device(key="a"), {"attributes": {"x": "1"}})  # not a key change
    tenant.table("other")["k"] = {"v": 1}  # a change elsewhere
    assert sorted_keys(tenant) is first
    tenant.add_device(key="0", product=None, build=_device)
    assert sorted_keys(tenant) == ["0", "a", "b", "c", "d"]
    tenant.remove_device(tenant.device(key="c"))
    assert sorted_keys(tenant) == ["0", "a", "b", "d"]
    tenant.move_device(tenant.device(key="d"), "meter")
    assert sorted_keys(tenant, "meter") == ["a", "b", "d"]
    tenant.rekey_device(tenant.device(key="a"), "z")
    assert sorted_keys(tenant) == ["0", "b", "d", "z"] and sorted_keys(tenant, "meter") == ["b", "d", "z"]
    assert sorted_keys(tenant, "no-such-type") == []


def test_keys_read_inside_a_rolled_back_transaction_are_not_kept(tenant) -> None:
    cloud, tenant = tenant
    with cloud.registry.transaction():
        tenant.remove_device(tenant.device(key="b"))
        tenant.add_device(key="e", product=None, build=_device)
        tenant.move_device(tenant.device(key="c"), "meter")
        assert sorted_keys(tenant) == ["a", "c", "d", "e"]
        assert sorted_keys(tenant, "meter") == ["a", "c"]
        raise RolledBack
    assert sorted_keys(tenant) == ["a", "b", "c", "d"]
    assert sorted_keys(tenant, "meter") == ["a", "b"]


def _names(answer: dict) -> list[str]:
    return [t["thingName"] for t in answer["things"]]


def test_list_things_pages_stay_right_through_creates_deletes_and_type_changes(iot) -> None:
    iot.create_thing_type(thingTypeName="meter")
    for i in range(0, 10, 2):
        iot.create_thing(thingName=f"t{i}", **({"thingTypeName": "meter"} if i < 6 else {}))
    first = iot.list_things(maxResults=2)
    assert _names(first) == ["t0", "t2"]
    iot.create_thing(thingName="t3")  # after the token's place: shown
    iot.create_thing(thingName="t1")  # before it: not
    iot.delete_thing(thingName="t4")
    second = iot.list_things(maxResults=2, nextToken=first["nextToken"])
    assert _names(second) == ["t3", "t6"]
    assert _names(iot.list_things(nextToken=second["nextToken"])) == ["t8"]
    assert _names(iot.list_things(thingTypeName="meter")) == ["t0", "t2"]
    iot.update_thing(thingName="t8", thingTypeName="meter")
    iot.update_thing(thingName="t0", removeThingType=True)
    assert _names(iot.list_things(thingTypeName="meter")) == ["t2", "t8"]
    iot.update_thing(thingName="t3", attributePayload={"attributes": {"site": "berlin-1"}})
    iot.update_thing(thingName="t6", attributePayload={"attributes": {"site": "berlin-2"}})
    found = iot.list_things(
        attributeName="site", attributeValue="berlin", usePrefixAttributeValue=True, maxResults=1
    )
    assert _names(found) == ["t3"]
    assert _names(iot.list_things(attributeName="site", nextToken=found["nextToken"])) == ["t6"]
    assert _names(iot.list_things(attributeName="site", attributeValue="berlin-2")) == ["t6"]


def test_a_forged_token_is_refused_through_boto3_even_where_the_filter_finds_nothing(iot) -> None:
    iot.create_thing(thingName="t1")
    forged = _token([5])
    for filters in ({}, {"attributeName": "none-has-it"}):
        with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
            iot.list_things(nextToken=forged, **filters)
        assert caught.value.response["Error"]["Message"] == f"The nextToken is invalid: {forged}"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text("abcAB-_09", min_size=1, max_size=4), max_size=30), placed | forged, st.integers(0, 7)
)
def test_pages_of_plain_names_are_those_of_sorting_by_key(items, token, size) -> None:
    """Forged tokens too: every name is text, so a key that does not compare with one compares
    with none, and both refuse it whenever there are names."""
    by_sorting = _outcome(lambda: paging.page(list(items), lambda name: [name], token, size))
    assert _outcome(lambda: paging.names(list(items), token, size)) == by_sorting


marker_items = st.lists(st.tuples(st.integers(0, 3), st.sampled_from("abcd")), max_size=12)
markers = st.one_of(
    st.none(),
    st.builds(lambda c, i: _token([c, i]), st.integers(-1, 4), st.sampled_from("abcde")),
    st.sampled_from([_token([]), _token([2]), _token(["a"]), _token([1, 5]), "nope"]),
)


@settings(max_examples=400, deadline=None)
@given(marker_items, markers, st.booleans(), st.integers(1, 5))
def test_kept_marker_pages_are_those_of_sorting_every_time(items, marker, ascending, size) -> None:
    """Ties included (the same key twice): the same pages, the same markers, the same refusals."""
    tenant = FakeCloud().registry.tenant(*TENANT)
    args = {"pageSize": size, "ascendingOrder": ascending, **({"marker": marker} if marker else {})}
    records = [{"created": c, "id": i, "n": n} for n, (c, i) in enumerate(items)]

    def key(record: dict) -> list:
        return [record["created"], record["id"]]

    expected = _outcome(lambda: paging.by_marker(args, records, key))
    # a key the marker does not compare with sits where the marker's place flips, which the
    # bisection must probe: the refusals are the same too
    assert _outcome(lambda: paging.kept_marker(tenant, "spec", lambda: records, key, args)) == expected


def test_policies_page_from_their_kept_order_and_a_new_one_shows(iot) -> None:
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
    )
    for name in ("p1", "p2", "p3"):
        iot.create_policy(policyName=name, policyDocument=document)
    first = iot.list_policies(pageSize=2, ascendingOrder=True)
    assert [p["policyName"] for p in first["policies"]] == ["p1", "p2"]
    iot.create_policy(policyName="p4", policyDocument=document)  # a change between pages
    rest = iot.list_policies(pageSize=2, ascendingOrder=True, marker=first["nextMarker"])
    assert [p["policyName"] for p in rest["policies"]] == ["p3", "p4"] and "nextMarker" not in rest
    newest = iot.list_policies(pageSize=1)
    assert [p["policyName"] for p in newest["policies"]] == ["p4"]
