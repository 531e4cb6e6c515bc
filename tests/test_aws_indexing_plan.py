"""The fleet-indexing planner (``indexing.plan``): the things it reads for a query always include
every thing the query matches, so a search finds what reading every thing finds; it reads fewer
when the query names things; and its kept tokens follow the fleet through writes."""

from __future__ import annotations

import pytest
from aws_helpers import in_process
from hypothesis import example, given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.providers.aws_iot.indexing.document import Thing, View, thing_document
from iotfake.providers.aws_iot.indexing.evaluate import matches
from iotfake.providers.aws_iot.indexing.plan import Has, Lookup, candidates, exact, plan
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


def _queries(leaves=terms):
    return st.recursive(
        leaves,
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
@example(["ab", "a"], "thingName:a*b")
@example(["a b", "a"], 'thingName:"a b"')
def test_the_things_read_include_every_match(names, text) -> None:
    try:
        query = parse(text)
    except ValueError:
        return
    tenant = _tenant(names)
    read = candidates(tenant, query)
    assert read == sorted(set(read))  # in name order, each once
    assert set(_matching(tenant, query)) <= set(read)
    if exact(query):  # the search does not test what it reads
        assert _matching(tenant, query) == read


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
        ("thingName:a OR attributes.x:1", [Lookup("a", exact=True), Has("x")]),
        ("attributes.x:1", [Has("x")]),
        ("attributes.x:7.5e1", [Has("x")]),
        ("attributes.x:[1 TO 5]", [Has("x")]),
        ("attributes.x:1 AND attributes.y:2", [Has("x")]),
        ("attributes.x:Paris", [Has("x", "paris")]),
        ('attributes.x:"New York"', [Has("x", "new")]),
        ("attributes.x:Par*", [Has("x", "par")]),
        ("attributes.x:*is", [Has("x")]),
        ("attributes.x:1 AND attributes.y:a", [Has("y", "a")]),
        ("attributes.x:*", None),
        ("NOT attributes.x:1", None),
        ("NOT thingName:a", None),
        ("thingName:*", None),
        ("thingName:*a", None),
        ("thingName:[a TO b]", None),
        ("meter", None),
    ],
)
def test_what_each_query_narrows_to(text, lookups) -> None:
    assert plan(parse(text)) == lookups


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thingName:Meter-7", True),
        ('thingName:"Meter-7"', True),
        ("thingName:meter-*", True),
        ("thingName:\u03a3*", True),
        ('thingName:"a b"', False),
        ("thingName:a\\ b", False),
        ("thingName:me?er", False),
        ("thingName:me*er", False),
        ("thingName:*", False),
        ("thingName:a OR thingName:b", False),
        ("attributes.x:a", False),
        ("thingId:a", False),
    ],
)
def test_which_queries_read_exactly_their_matches(text, expected) -> None:
    assert exact(parse(text)) is expected


def test_a_named_thing_is_read_alone_and_the_tokens_follow_writes() -> None:
    tenant = _tenant([f"meter-{i:03}" for i in range(200)])
    assert candidates(tenant, parse("thingName:meter-01*")) == [f"meter-{i:03}" for i in range(10, 20)]
    assert candidates(tenant, parse("thingName:METER-007")) == ["meter-007"]
    _add(tenant, "meter-015x")
    tenant.remove_device(tenant.keys["meter-011"])
    read = candidates(tenant, parse("thingName:meter-01*"))
    assert "meter-015x" in read and "meter-011" not in read
    assert candidates(tenant, parse("attributes.x:1")) == []  # no thing has the attribute
    tenant.update_device(tenant.keys["meter-150"], {"attributes": {"x": "1"}})
    assert candidates(tenant, parse("attributes.x:2")) == ["meter-150"]  # the value is the query's


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


def test_search_index_through_boto3_finds_an_attribute_s_value_across_pages_and_writes(
    iot, aws_cloud
) -> None:
    """A word on ``attributes.site`` reads the things whose site holds it (``Has.text``), kept
    between pages; a shadow written between pages keeps that selection, a thing's own change
    selects again, and a site spelt as a number matches by value."""
    data = in_process(aws_cloud, "iot-data")  # the cloud the live ``iot`` client reaches
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    sites = ["Paris", "Paris_Nord", "Lyon", "7.5e1"]  # the second holds "paris", not as its word
    for i in range(24):
        iot.create_thing(thingName=f"t{i:02}", attributePayload={"attributes": {"site": sites[i % 4]}})

    def paged(query: str, write=None) -> list[str]:
        found, token = [], None
        while True:
            page = iot.search_index(
                queryString=query, maxResults=3, **({"nextToken": token} if token else {})
            )
            found += [t["thingName"] for t in page["things"]]
            token = page.get("nextToken")
            if write is not None:
                write()
            if not token:
                return found

    shadows = iter(range(100))
    paris = [f"t{i:02}" for i in range(24) if i % 4 == 0]
    shadow = lambda: data.update_thing_shadow(  # noqa: E731
        thingName="t00", payload=f'{{"state":{{"reported":{{"n":{next(shadows)}}}}}}}'.encode()
    )
    assert paged("attributes.site:paris", shadow) == paris
    assert paged("attributes.site:Paris_Nord") == [f"t{i:02}" for i in range(1, 24, 4)]
    assert paged("attributes.site:75") == [f"t{i:02}" for i in range(3, 24, 4)]  # 7.5e1 by value
    iot.update_thing(thingName="t02", attributePayload={"attributes": {"site": "Paris"}, "merge": True})
    assert paged("attributes.site:paris") == sorted([*paris, "t02"])


def test_a_prefix_ending_in_the_last_code_point_is_found_by_walking() -> None:
    top = chr(0x10FFFF)
    tenant = _tenant([f"a{top}", f"a{top}b", "a", "b", f"{top}"])
    assert candidates(tenant, parse(f"thingName:a{top}*")) == [f"a{top}", f"a{top}b"]
    assert candidates(tenant, parse(f"thingName:{top}*")) == [top]


#: values a restored state could hold: numbers in other forms, runs of white space, letters whose
#: lower case depends on their place (a final sigma), values that are not text
attribute_values = st.one_of(
    st.text("ab 1\tA\u03a3\u0130", max_size=4),
    st.sampled_from(["1", "2.0", "10", "7.5e1", "true", "A b", "a  b", "A\u03a3", "\u03a3a"]),
    st.integers(0, 3),
    st.just(True),
)
attribute_terms = st.one_of(
    st.builds(
        lambda field, word: f"attributes.{field}:{word}",
        st.sampled_from(["x", "y", "x.y", "X"]),
        st.one_of(
            st.sampled_from(
                ["1", "2", "75", "a", "b*", "*", "*b", "?b", '"a b"', '"a  b"', '""', "[1 TO 5]", "{a TO c]"]
            ),
            st.sampled_from(["true", "A", "\u03c3", "a\u03c2", "A\u03a3*", "\u0130*", "a?"]),
        ),
    ),
    st.sampled_from(["thingName:t1", "thingName:t*", "a", "*"]),
)


@settings(max_examples=800, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["x", "y", "x.y", "z"]), attribute_values, max_size=3), max_size=10
    ),
    _queries(attribute_terms),
)
@example([{"x.y": "1"}], "attributes.x:*")
@example([{"x": "A b"}, {"y": "1"}], '(attributes.x:"a b" OR attributes.y:[1 TO 5])')
@example([{"x": "7.5e1"}], "attributes.x:75")
@example([{"x": "A\u03a3"}], "attributes.x:a\u03c2")
@example([{"x": 1}], "attributes.x:1")
def test_the_things_read_for_an_attribute_include_every_match(attributes, text) -> None:
    """A term on ``attributes.<name>`` reads the things with that attribute (``Has``), and a
    word only those whose value holds its text: never one it could match is left out,
    ``attributes.x:*`` (which a field ``x.y`` below it also matches), numbers in another form
    and values that are not text included."""
    try:
        query = parse(text)
    except ValueError:
        return
    tenant = _tenant([f"t{i}" for i in range(len(attributes))])
    for i, values in enumerate(attributes):
        if values:
            tenant.update_device(tenant.keys[f"t{i}"], {"attributes": values})
    read = candidates(tenant, query)
    assert read == sorted(set(read))
    assert set(_matching(tenant, query)) <= set(read)
