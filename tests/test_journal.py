"""The journal: one entry per call, queries, assertion helpers that explain, a bounded ring."""

from __future__ import annotations

from typing import Any

import pytest
from enos_calls import create, get, make_product
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.journal import Entry, Journal


def test_one_entry_per_call_with_what_happened(cloud: FakeCloud, client: Client) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        pk = make_product(client)
        cloud.faults.add(id="flaky", provider="enos", operation="CreateDevice", error="11714", times=1)
        create(client, pk, deviceKey="meter-1")
    product, device = cloud.journal.calls()
    assert product.to_dict() | {"duration_ms": None} == {
        "seq": 1,
        "time": 1_893_456_000.0,
        "provider": "enos",
        "operation": "CreateProduct",
        "tenant": "o1",
        "params": {"orgId": "o1"},
        "method": "POST",
        "path": "/connect-service/v2.1/products",
        "status": 200,
        "code": "0",
        "duration_ms": None,
        "rule": None,
        "action": None,
        "outcome": "ok",
    }
    assert product.duration_ms is not None and product.duration_ms >= 0
    assert device.params == {"orgId": "o1", "productKey": pk, "deviceKey": "meter-1"}
    assert (device.seq, device.code, device.rule, device.action, device.outcome) == (
        2,
        "11714",
        "flaky",
        "error",
        "fault",
    )


def test_queries(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    make_product(client, org="o2")
    create(client, pk, deviceKey="meter-1")
    create(client, pk, deviceKey="meter-1")  # 11702
    get(client, productKey=pk, deviceKey="meter-1")
    journal = cloud.journal
    assert [e.operation for e in journal.calls(provider="enos", outcome="ok")] == [
        "CreateProduct",
        "CreateProduct",
        "CreateDevice",
        "GetDevice",
    ]
    assert [e.code for e in journal.calls(outcome="error")] == ["11702"]
    assert len(journal.calls(tenant="o2")) == 1
    assert len(journal.calls(params={"deviceKey": "meter-1"})) == 3
    assert [e.seq for e in journal.calls(limit=2)] == [4, 5]
    assert journal.calls(limit=0) == []
    assert journal.last(operation="CreateDevice").seq == 4
    with pytest.raises(ValueError, match="outcome is one of ok, error, fault"):
        journal.calls(outcome="failed")
    with pytest.raises(TypeError):
        journal.assert_not_called(operatoin="DeleteDevice")  # a typo must not pass vacuously


def test_assert_called_passes_and_returns_the_calls(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    create(client, pk)
    assert len(cloud.journal.assert_called(operation="CreateDevice", times=1)) == 1
    cloud.journal.assert_called("CreateProduct")
    cloud.journal.assert_not_called("DeleteDevice")


def test_assert_called_says_what_was_expected_and_what_happened(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    create(client, pk, deviceKey="meter-1")
    create(client, pk, deviceKey="meter-1")
    with pytest.raises(AssertionError) as caught:
        cloud.journal.assert_called(operation="CreateDevice", times=3, provider="enos")
    message = str(caught.value)
    assert message.startswith(
        "expected 3 calls with operation='CreateDevice', provider='enos', the journal holds 2:\n"
    )
    assert f"#2 enos CreateDevice orgId=o1 productKey={pk} deviceKey=meter-1 -> 200 code 0" in message
    assert "#3 enos CreateDevice" in message and "code 11702" in message


def test_assert_called_on_nothing_lists_the_last_calls(cloud: FakeCloud, client: Client) -> None:
    make_product(client)
    with pytest.raises(AssertionError) as caught:
        cloud.journal.assert_called("DeleteDevice")
    assert str(caught.value) == (
        "expected at least one call with operation='DeleteDevice', the journal holds 0\n"
        "the last 1 calls were:\n  #1 enos CreateProduct orgId=o1 -> 200 code 0"
    )


def test_assert_fault_fired(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(id="flaky", provider="enos", operation="CreateDevice", error="11714", times=2)
    for _ in range(3):
        create(client, pk)
    assert len(cloud.journal.assert_fault_fired("flaky", times=2)) == 2
    cloud.journal.assert_fault_fired("flaky")
    with pytest.raises(AssertionError) as caught:
        cloud.journal.assert_fault_fired("flaky", times=3)
    message = str(caught.value)
    assert message.startswith("expected fault rule 'flaky' to fire 3 times, it fired 2:\n")
    assert message.count("[rule flaky: error]") == 2
    with pytest.raises(AssertionError, match=r"no fault rule 'other' exists \(the cloud's rules: 'flaky'\)"):
        cloud.journal.assert_fault_fired("other")


def test_the_ring_is_bounded_and_counts_what_fell_off() -> None:
    cloud = FakeCloud(seed=1, journal_size=3)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    for _ in range(4):
        create(client, pk)
    assert len(cloud.journal) == 3 and cloud.journal.dropped == 2
    assert [e.seq for e in cloud.journal.calls()] == [3, 4, 5]
    with pytest.raises(AssertionError, match=r"holds 0 \(2 older entries fell off the journal\)"):
        cloud.journal.assert_called("CreateProduct", times=2)
    with pytest.raises(ValueError, match="at least one entry"):
        FakeCloud(journal_size=0)


def test_admin_calls_are_not_journaled(cloud: FakeCloud, client: Client) -> None:
    client.get("/_iotfake/health")
    client.get("/_iotfake/journal")
    assert len(cloud.journal) == 0


def _note(
    journal: Journal,
    time: float,
    provider: str,
    operation: str,
    params: dict[str, Any],
    status: int,
    code: str | None = None,
    rule: str | None = None,
    action: str | None = None,
) -> None:
    """``Journal.note`` with the fields this test does not vary filled in."""
    journal.note(time, provider, operation, "t", params, "POST", "/p", status, code, 0.5, rule, action)


def test_rows_read_as_the_entries_record_makes() -> None:
    journal = Journal(size=3)
    _note(journal, 1.0, "aws", "CreateThing", {"thingName": "a"}, 200)
    journal.record(Entry(0, 2.0, "console", "Seed", None, {"n": 1}))
    _note(journal, 3.0, "enos", "CreateDevice", {"deviceKey": "x" * 1000, "n": 2}, 200, "0", "r", "latency")
    first = journal.calls()
    cut = {"deviceKey": "x" * 256 + "... (1000 characters)", "n": 2}
    assert first == [
        Entry(1, 1.0, "aws", "CreateThing", "t", {"thingName": "a"}, "POST", "/p", 200, None, 0.5),
        Entry(2, 2.0, "console", "Seed", None, {"n": 1}),
        Entry(3, 3.0, "enos", "CreateDevice", "t", cut, "POST", "/p", 200, "0", 0.5, "r", "latency"),
    ]
    assert type(first[0].params) is dict and first[2].outcome == "ok"
    assert [a is b for a, b in zip(first, journal.calls(), strict=True)] == [True, True, True]  # made once
    _note(journal, 4.0, "aws", "DescribeThing", {}, 404, "ResourceNotFoundException")
    assert [e.seq for e in journal.calls()] == [2, 3, 4] and journal.dropped == 1
    assert journal.last().outcome == "error" and "DescribeThing" in journal._tail()
    journal.clear()
    assert journal.calls() == [] and len(journal) == 0
