"""GET /_iotfake/journal: entries with filters and a limit; the ring's size and drop count."""

from __future__ import annotations

import pytest
from enos_calls import create, make_product
from werkzeug.test import Client

from iotfake import FakeCloud

JOURNAL = "/_iotfake/journal"


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1, journal_size=50)


@pytest.fixture
def client(cloud: FakeCloud) -> Client:
    pk = make_product(client := Client(cloud.wsgi_app))
    cloud.faults.add(id="flaky", provider="enos", operation="CreateDevice", error="11714", times=1)
    for key in ("meter-1", "meter-2", "meter-2"):
        create(client, pk, deviceKey=key)
    return client


def test_all_entries_with_size_and_dropped(client: Client) -> None:
    body = client.get(JOURNAL).json
    assert (body["size"], body["dropped"]) == (50, 0)
    assert [(e["seq"], e["operation"], e["code"], e["outcome"], e["rule"]) for e in body["entries"]] == [
        (1, "CreateProduct", "0", "ok", None),
        (2, "CreateDevice", "11714", "fault", "flaky"),
        (3, "CreateDevice", "0", "ok", None),
        (4, "CreateDevice", "11702", "error", None),
    ]


@pytest.mark.parametrize(
    ("query", "seqs"),
    [
        ("provider=enos", [1, 2, 3, 4]),
        ("provider=aws", []),
        ("operation=CreateDevice", [2, 3, 4]),
        ("outcome=fault", [2]),
        ("outcome=error", [4]),
        ("rule=flaky", [2]),
        ("tenant=o1&outcome=ok", [1, 3]),
        ("operation=CreateDevice&limit=2", [3, 4]),
        ("limit=0", []),
    ],
)
def test_filters(client: Client, query: str, seqs: list[int]) -> None:
    assert [e["seq"] for e in client.get(f"{JOURNAL}?{query}").json["entries"]] == seqs


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("outcome=failed", "outcome is one of ok, error, fault, not 'failed'"),
        ("limit=-1", "limit is a whole number of entries, not '-1'"),
        ("limit=ten", "limit is a whole number of entries, not 'ten'"),
    ],
)
def test_bad_filters_are_400(client: Client, query: str, error: str) -> None:
    response = client.get(f"{JOURNAL}?{query}")
    assert response.status_code == 400 and response.json == {"error": error}


def test_delete_clears_it(cloud: FakeCloud, client: Client) -> None:
    assert client.delete(JOURNAL).json == {"status": "cleared"}
    assert client.get(JOURNAL).json["entries"] == []


def test_dropped_counts_entries_that_fell_off() -> None:
    cloud = FakeCloud(seed=1, journal_size=2)
    client = Client(cloud.wsgi_app)
    for _ in range(5):
        make_product(client)
    body = client.get(JOURNAL).json
    assert (body["size"], body["dropped"], [e["seq"] for e in body["entries"]]) == (2, 3, [4, 5])


@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            "operaton=CreateDevice",
            "unknown journal filter 'operaton' (did you mean operation? known: limit, operation, "
            "outcome, provider, rule, tenant)",
        ),
        ("deviceKey=meter-1&Provider=enos", "unknown journal filters 'deviceKey', 'Provider' (known: "),
    ],
)
def test_unknown_filter_names_are_400_naming_them(client: Client, query: str, error: str) -> None:
    """A filter the journal does not take would list everything: a check on it would pass."""
    response = client.get(f"{JOURNAL}?{query}")
    assert response.status_code == 400 and response.json["error"].startswith(error)


def test_a_name_no_call_carries_lists_nothing(client: Client) -> None:
    """The console types its filters a keystroke at a time: a half-typed name is no error (the
    Python API, where an assertion rests on it, refuses it instead)."""
    for query in ("operation=CreateDev", "provider=eno"):
        response = client.get(f"{JOURNAL}?{query}")
        assert (response.status_code, response.json["entries"]) == (200, [])
