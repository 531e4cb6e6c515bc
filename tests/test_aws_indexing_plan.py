"""The fleet-indexing planner (``indexing.plan``): the things it reads for a query always include
every thing the query matches, so a search finds what reading every thing finds; it reads fewer
when the query names things; and its kept tokens follow the fleet through writes."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.providers.aws_iot.indexing.document import Thing, View, thing_document
from iotfake.providers.aws_iot.indexing.evaluate import matches
from iotfake.providers.aws_iot.indexing.plan import Lookup, candidates, plan
from iotfake.providers.aws_iot.indexing.query import parse
from iotfake.registry import Device
from iotfake.registry.tenant import Tenant

#: names a restored state could hold, beyond what CreateThing allows: spaces, case, non-ASCII
name_text = st.text("abAB -\u0130\u03a3\u03c3\u03c21", min_size=0, max_size=5)
#: query words over the same letters: bare, wildcard, escaped space, quoted (phrases too)
words = st.one_of(
    st.text("abAB1\u0130\u03c3", min_size=1, max_size=3),
    st.builds(
        lambda a, b: f"{a}{b}",
        st.text("abAB1", min_size=0, max_size=2),
        st.sampled_from(["*", "?", "*b", "?*"]),
    ),
    st.builds(lambda a, b: f"{a}\\ {b}", st.text("ab", min_size=1, max_size=2), st.text("ab", max_size=2)),
    st.builds(lambda t: '"' + t + '"', st.text("abAB \u03c3", max_size=5)),
)
terms = st.one_of(
    st.builds(lambda w: f"thingName:{w}", words),
    st.sampled_from(["thingTypeName:meter", "attributes.x:1", "a", "thingName:*"]),
)


def _queries():
    return st.recursive(
        terms,
        lambda inner: st.one_of(
            st.builds(lambda a, b: f"({a} AND {b})", inner, inner),
            st.builds(lambda a, b: f"({a} OR {b})", inner, inner),
            st.builds(lambda a: f"(NOT {a})", inner),
        ),
        max_leaves=4,
    )


def _tenant(names) -> Tenant:
    tenant = FakeCloud().registry.tenant("aws", "123456789012/us-east-1")
    for name in names:
        _add(tenant, name)
    return tenant


def _add(tenant: Tenant, name: str) -> None:
    tenant.add_device(
        key=name, product=None, build=lambda device_id, key: Device(id=device_id, key=key, product=None)
    )


def _matching(tenant: Tenant, query) -> list[str]:
    def groups_of(_: str) -> list[str]:
        return []

    return sorted(
        name
        for name, device in tenant.keys.items()
        if matches(query, thing_document(Thing(device, groups_of, {}), View()))
    )


@settings(max_examples=600, deadline=None)
@given(st.lists(name_text, unique=True, max_size=12), _queries())
@example(["a b", "ab"], 'thingName:"a b"')
@example(["a b", "ab"], "thingName:a\\ b")
@example([" ", ""], 'thingName:" "')
@example(["\u0391\u03a3", "\u03b1\u03c2"], "thingName:\u03b1\u03c2")
@example(["\u0130b", "i\u0307b"], "thingName:\u0130*")
def test_the_things_read_include_every_match(names, text) -> None:
    try:
        query = parse(text)
    except ValueError:
        return
    tenant = _tenant(names)
    read = candidates(tenant, query)
    assert read == sorted(set(read))  # in name order, each once
    assert set(_matching(tenant, query)) <= set(read)


@pytest.mark.parametrize(
    ("text", "lookups"),
    [
        ("thingName:Meter-7", [Lookup("meter-7", exact=True)]),
        ("thingName:meter-*", [Lookup("meter-", exact=False)]),
        ("thingName:me?er", [Lookup("me", exact=False)]),
        ('thingName:"a b"', [Lookup("a", exact=True)]),
        ("thingName:(a OR b*)", [Lookup("a", exact=True), Lookup("b", exact=False)]),
        ("thingName:a* AND thingName:abc", [Lookup("abc", exact=True)]),
        ("thingName:a* AND thingName:abc*", [Lookup("abc", exact=False)]),
        ("thingName:a* AND attributes.x:1", [Lookup("a", exact=False)]),
        ("thingName:a OR attributes.x:1", None),
        ("NOT thingName:a", None),
        ("thingName:*", None),
        ("thingName:*a", None),
        ("thingName:[a TO b]", None),
        ("meter", None),
    ],
)
def test_what_each_query_narrows_to(text, lookups) -> None:
    assert plan(parse(text)) == lookups


def test_a_named_thing_is_read_alone_and_the_tokens_follow_writes() -> None:
    tenant = _tenant([f"meter-{i:03}" for i in range(200)])
    assert candidates(tenant, parse("thingName:meter-01*")) == [f"meter-{i:03}" for i in range(10, 20)]
    assert candidates(tenant, parse("thingName:METER-007")) == ["meter-007"]
    _add(tenant, "meter-015x")
    tenant.remove_device(tenant.keys["meter-011"])
    read = candidates(tenant, parse("thingName:meter-01*"))
    assert "meter-015x" in read and "meter-011" not in read
    assert len(candidates(tenant, parse("attributes.x:1"))) == 200  # not narrowed: every thing


def test_search_index_through_boto3_finds_by_name_prefix_across_pages(iot) -> None:
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    for i in range(30):
        iot.create_thing(thingName=f"meter-{i:02}", attributePayload={"attributes": {"n": str(i)}})
    iot.create_thing(thingName="Meter-x")
    found, token = [], None
    while True:
        page = iot.search_index(
            queryString="thingName:meter-1* OR thingName:meter-x",
            maxResults=4,
            **({"nextToken": token} if token else {}),
        )
        found += [t["thingName"] for t in page["things"]]
        token = page.get("nextToken")
        if not token:
            break
    assert found == ["Meter-x", *[f"meter-1{i}" for i in range(10)]]
    answer = iot.search_index(queryString="thingName:meter-2* AND attributes.n<22")
    assert [t["thingName"] for t in answer["things"]] == ["meter-20", "meter-21"]


def test_a_prefix_ending_in_the_last_code_point_is_found_by_walking() -> None:
    top = chr(0x10FFFF)
    tenant = _tenant([f"a{top}", f"a{top}b", "a", "b", f"{top}"])
    assert candidates(tenant, parse(f"thingName:a{top}*")) == [f"a{top}", f"a{top}b"]
    assert candidates(tenant, parse(f"thingName:{top}*")) == [top]
