"""device.query: the query language subset, fields, count, sort and paging."""

from __future__ import annotations

import re
import weakref

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.providers.scriptr import query
from iotfake.registry import selections

DEVICES = [
    {"id": "alpha", "name": "Alpha Meter", "password": "pw", "groups": ["east", "meters"], "floor": "1"},
    {"id": "beta", "name": "beta meter", "password": "pw", "groups": "west", "floor": "2"},
    {"id": "gamma", "name": "Gamma Gateway", "password": "pw", "groups": ["east"], "kind": "gw"},
    {"id": "delta", "name": "Delta", "password": "pw", "isSuspended": True},
]


@pytest.fixture(scope="module")
def acme():
    account = FakeCloud(seed=13).scriptr("acme")
    for device in DEVICES:
        assert account.device.create(device)["metadata"]["status"] == "success"
    return account


def ids(acme, **filters) -> list[str]:
    answer = acme.device.query(filters)
    assert answer["metadata"] == {"status": "success"}, answer
    return [d["id"] for d in answer["result"]["devices"]]


def test_no_query_lists_every_device_with_the_builtin_in_creation_order(acme) -> None:
    assert ids(acme) == ["scriptr", "alpha", "beta", "gamma", "delta"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('id != "scriptr"', ["alpha", "beta", "gamma", "delta"]),
        ('groups = "east"', ["alpha", "gamma"]),
        ("groups = 'west'", ["beta"]),
        ('groups != "east"', ["scriptr", "beta", "delta"]),
        ('name like "%Meter"', ["alpha"]),
        ('name <CI> like "%meter"', ["alpha", "beta"]),
        ('name <CI> = "DELTA"', ["delta"]),
        ('name = "DELTA"', []),
        ('name like "_eta meter"', ["beta"]),
        ('id in ["alpha", "gamma", "zeta"]', ["alpha", "gamma"]),
        ('groups in ["west", "meters"]', ["alpha", "beta"]),
        ('groups = "east" and floor = "1"', ["alpha"]),
        ('groups = "east" AND NOT_A_FIELD = "x"', []),
        ('floor = 2 or kind = "gw"', ["beta", "gamma"]),
        ('(groups = "east" or groups = "west") and id != "gamma"', ["alpha", "beta"]),
        ('groups = "east" or groups = "west" and id != "gamma"', ["alpha", "beta", "gamma"]),
        ('isSuspended = "true"', ["delta"]),
        ('kind != "gw"', ["scriptr", "alpha", "beta", "delta"]),
        ("", ["scriptr", "alpha", "beta", "gamma", "delta"]),
    ],
)
def test_the_query_language(acme, query: str, expected: list[str]) -> None:
    assert ids(acme, query=query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "name = ",
        'name ~ "x"',
        '= "x"',
        '(id = "a"',
        'id in "a"',
        "name like 5",
        'id = "a" and',
        'id = "a" "b"',
        '"unterminated',
    ],
)
def test_a_malformed_query_is_invalid_query_request(acme, query: str) -> None:
    metadata = acme.device.query({"query": query})["metadata"]
    assert metadata["status"] == "failure"
    assert metadata["errorCode"] == "INVALID_QUERY_REQUEST"
    assert metadata["statusCode"] == 400


def test_count_reports_every_match_not_just_the_page(acme) -> None:
    result = acme.device.query({"query": 'id != "scriptr"', "count": True, "resultsPerPage": 2})["result"]
    assert len(result["devices"]) == 2 and result["count"] == 4
    assert "count" not in acme.device.query({})["result"]


def test_fields_projects_and_keeps_the_id(acme) -> None:
    devices = acme.device.query({"query": 'id = "alpha"', "fields": "name,floor"})["result"]["devices"]
    assert devices == [{"id": "alpha", "name": "Alpha Meter", "floor": "1"}]
    full = acme.device.query({"query": 'id = "alpha"', "fields": "*"})["result"]["devices"][0]
    assert {
        "creator",
        "versionNumber",
        "latest",
        "lastModifiedBy",
        "creationDate",
        "lastModifiedDate",
    } <= set(full)


def test_sort_takes_scriptrs_typed_spec(acme) -> None:
    assert ids(acme, sort="name<string:DESC>") == ["scriptr", "beta", "gamma", "delta", "alpha"]
    assert ids(acme, sort="id") == ["alpha", "beta", "delta", "gamma", "scriptr"]
    assert ids(acme, sort="floor<numeric:DESC>", query='id != "scriptr"')[:2] == ["beta", "alpha"]


def test_documents_missing_the_sort_field_come_last(acme) -> None:
    assert ids(acme, sort="floor<numeric:ASC>")[:2] == ["alpha", "beta"]
    assert ids(acme, sort="floor<numeric:DESC>")[:2] == ["beta", "alpha"]


def test_a_bad_sort_spec_is_invalid_query_request(acme) -> None:
    assert (
        acme.device.query({"sort": "name<string:SIDEWAYS>"})["metadata"]["errorCode"]
        == "INVALID_QUERY_REQUEST"
    )


def test_pages_default_to_50_and_page_1() -> None:
    acme = FakeCloud(seed=2).scriptr("acme")
    for n in range(59):
        acme.device.create({"id": f"d{n:02}", "name": "n", "password": "pw"})
    first = acme.device.query({"count": True})["result"]
    assert len(first["devices"]) == 50 and first["count"] == 60
    second = acme.device.query({"pageNumber": 2})["result"]["devices"]
    assert [d["id"] for d in second] == [f"d{n:02}" for n in range(49, 59)]
    assert acme.device.query({"pageNumber": 3})["result"]["devices"] == []


@pytest.mark.parametrize(
    ("name", "value"), [("resultsPerPage", 0), ("pageNumber", -1), ("resultsPerPage", "many")]
)
def test_paging_parameters_must_be_positive_integers(acme, name: str, value) -> None:
    metadata = acme.device.query({name: value})["metadata"]
    assert metadata["errorCode"] == "INVALID_PARAMETER"
    assert f"[{name}]" in metadata["errorDetail"]


def test_query_over_http_with_query_string_parameters(live) -> None:
    for device in DEVICES:
        live.acme.device.create(device)
    params = {
        "query": 'groups = "east"',
        "count": "true",
        "resultsPerPage": "1",
        "pageNumber": "2",
        "fields": "name",
    }
    result = live.get("device/query", params).json()["response"]["result"]
    assert result == {
        "result": {"devices": [{"id": "gamma", "name": "Gamma Gateway"}], "count": 2},
        "metadata": {"status": "success"},
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    page=st.integers(1, 7),
    per_page=st.integers(1, 4),
    count=st.booleans(),
    fields=st.sampled_from([None, "*", "name", ["name", "floor"]]),
    types=st.booleans(),
)
def test_listing_every_device_reads_views_for_the_page_only_and_answers_as_the_filter_path(
    acme, monkeypatch, page, per_page, count, fields, types
) -> None:
    """With no query and no sort, only the page's devices are made into views (a listing of a
    fleet paged through, or counted, read every device's view on every page); the answer is the
    one the general filter path gives."""
    from iotfake.providers.scriptr import records

    made, read = [], []
    real, fields_of = records.device_view, records.Fields
    params = {"pageNumber": page, "resultsPerPage": per_page, "count": count, "includeFieldType": types}
    if fields is not None:
        params["fields"] = fields
    with monkeypatch.context() as patch:  # per example: hypothesis runs many in one test
        patch.setattr(records, "device_view", lambda device: made.append(device.key) or real(device))
        patch.setattr(records, "Fields", lambda device: read.append(device.key) or fields_of(device))
        fast = acme.device.query(params)
        assert len(made) == len(fast["result"]["devices"]) <= per_page and not read
        made.clear()
        patch.setattr(query, "compile_query", lambda text: lambda doc: True)  # the filter path
        patch.setattr(selections, "_KEPT_RECORDS", weakref.WeakKeyDictionary())  # nothing kept from before
        assert acme.device.query(params) == fast
        assert len(read) == len(DEVICES) + 1  # the filter read every device
        assert len(made) == len(fast["result"]["devices"])  # and made the page's views only
    if count:
        assert fast["result"]["count"] == len(DEVICES) + 1  # the built-in device too


def test_pages_of_a_filtered_query_are_read_from_what_the_first_page_selected(monkeypatch) -> None:
    """Paging through a filtered, sorted fleet evaluates the query once; any write, and a
    rollback, selects again."""
    from iotfake.providers.scriptr import records
    from iotfake.registry.changes import RolledBack

    cloud = FakeCloud(seed=13)
    account = cloud.scriptr("acme")
    for i in range(12):
        account.device.create({"id": f"d{i:02}", "name": f"n{i % 3}", "password": "pw", "floor": str(i)})
    made, read = [], []
    real, fields_of = records.device_view, records.Fields
    monkeypatch.setattr(records, "device_view", lambda device: made.append(device.key) or real(device))
    monkeypatch.setattr(records, "Fields", lambda device: read.append(device.key) or fields_of(device))
    wanted = {"query": 'name = "n1"', "sort": "floor<numeric:DESC>", "resultsPerPage": 2, "count": True}

    def page(number: int) -> list[str]:
        answer = account.device.query({**wanted, "pageNumber": number})["result"]
        assert answer["count"] == 4
        return [d["id"] for d in answer["devices"]]

    assert page(1) == ["d10", "d07"] and len(read) == 13  # every device (and the built-in), once
    assert made == ["d10", "d07"]  # views of the page's devices only
    made.clear()
    read.clear()
    assert page(2) == ["d04", "d01"] and made == ["d04", "d01"] and not read  # read from the selection
    account.device.update({"id": "d04", "name": "n2"})
    read.clear()
    assert account.device.query({**wanted, "count": False})["result"]["devices"][1]["id"] == "d07"
    assert len(read) == 13  # selected again after the write
    with cloud.registry.transaction():
        account.device.update({"id": "d07", "name": "n0"})
        assert [d["id"] for d in account.device.query(wanted)["result"]["devices"]] == ["d10", "d01"]
        raise RolledBack
    assert [d["id"] for d in account.device.query(wanted)["result"]["devices"]] == ["d10", "d07"]


@pytest.mark.parametrize(
    "pinned",
    [
        'id = "beta"',
        'id = "nope"',
        'id = "BETA"',
        'id = "beta" and floor = "2"',
        'id = "beta" and floor = "1"',
        'floor = "1" and id = "alpha" and groups = "east"',
        'id = "scriptr"',
    ],
)
def test_a_query_naming_one_id_finds_what_a_query_of_every_device_finds(acme, pinned: str) -> None:
    """``id = "x"`` reads that device alone (``query.pinned_id``); ``id in ["x"]``, the same
    test, reads every device: the answers are the same, fields, count and all."""
    searched = re.sub(r'\bid = ("[^"]*")', r"id in [\1]", pinned)
    assert query.pinned_id(query.compile_query(pinned)) is not None
    assert query.pinned_id(query.compile_query(searched)) is None
    for filters in ({}, {"count": True}, {"sort": "name<ASC>"}):
        found = acme.device.query({"query": pinned, **filters})
        assert found == acme.device.query({"query": searched, **filters})


@pytest.mark.parametrize(
    "text", ['id <CI> = "beta"', "id = 5", 'id != "beta"', 'id = "beta" or floor = "1"', 'id like "beta"']
)
def test_only_an_exact_id_pins_the_query(text: str) -> None:
    assert query.pinned_id(query.compile_query(text)) is None


def test_a_hand_made_id_field_never_shadows_the_device_id() -> None:
    """The API refuses a field named id; a snapshot may still hold one. The device's own id is
    what a view shows and what ``id = "x"`` looks up, as ``id in ["x"]`` finds."""
    cloud = FakeCloud(seed=13)
    account = cloud.scriptr("acme")
    assert (
        account.device.create({"id": "zzz", "name": "Z", "password": "pw"})["metadata"]["status"] == "success"
    )
    tenant = cloud.registry.tenant("scriptr", "acme")
    device = tenant.device(key="zzz")
    tenant.update_device(device, {"attributes": {"id": "other", "floor": "3"}})
    for text in ('id = "zzz"', 'id in ["zzz"]'):
        found = account.device.query({"query": text})["result"]["devices"]
        assert [d["id"] for d in found] == ["zzz"], text
    assert account.device.query({"query": 'id = "other"'})["result"]["devices"] == []


@pytest.mark.parametrize("page", [7, 2**62, 2**70])
def test_a_page_past_the_end_is_empty_however_far(acme, page: int) -> None:
    """A page number past 2**63 made the listing of every device answer 500."""
    for sort in (None, "name<ASC>"):
        answer = acme.device.query({"pageNumber": page, "resultsPerPage": 2**62, "count": True, "sort": sort})
        assert answer["result"] == {"devices": [], "count": 5}, sort
