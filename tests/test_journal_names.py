"""Journal queries refuse names no call could carry: an assertion that a call did *not* happen
must not pass because its provider or operation is misspelt, nor because its rule id is None."""

from __future__ import annotations

import re

import pytest
from enos_calls import create, make_product
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.journal import Entry, Journal


@pytest.fixture
def scriptr_cloud() -> FakeCloud:
    """The hunt's repro: a scriptr device made, and a rule that never fires."""
    cloud = FakeCloud(seed=7)
    cloud.scriptr("acme").device.create({"name": "m", "password": "pw"})
    cloud.faults.add(provider="scriptr", operation="device.create", error="NotFound", times=1)
    return cloud


def test_a_misspelt_operation_is_refused_with_the_names_it_may_mean(scriptr_cloud: FakeCloud) -> None:
    journal = scriptr_cloud.journal
    with pytest.raises(
        ValueError, match=r"no provider operation is 'device\.creat' \(did you mean device\.create"
    ):
        journal.assert_not_called("device.creat")
    with pytest.raises(
        ValueError, match=r"no scriptr operation is 'device\.creat' \(did you mean device\.create"
    ):
        journal.calls(provider="scriptr", operation="device.creat")
    with pytest.raises(AssertionError, match="expected 0 calls"):
        journal.assert_not_called("device.create")  # spelt right, the call is found


def test_a_misspelt_provider_is_refused_with_the_names_it_may_mean(scriptr_cloud: FakeCloud) -> None:
    with pytest.raises(
        ValueError, match=r"unknown provider 'scriptr ' \(did you mean scriptr\? known: aws, "
    ):
        scriptr_cloud.journal.assert_not_called(provider="scriptr ")


def test_an_operation_of_another_provider_is_refused(scriptr_cloud: FakeCloud) -> None:
    with pytest.raises(ValueError, match=r"no scriptr operation is 'CreateDevice' \(.*known: device\.create"):
        scriptr_cloud.journal.assert_not_called("CreateDevice", provider="scriptr")


def test_every_query_helper_checks_the_names(scriptr_cloud: FakeCloud) -> None:
    journal = scriptr_cloud.journal
    with pytest.raises(ValueError, match=r"'device\.creat'"):
        journal.last(operation="device.creat")
    with pytest.raises(ValueError, match=r"'device\.creat'"):
        journal.assert_called("device.creat", times=1)
    with pytest.raises(ValueError, match="'scriptr '"):
        journal.assert_fault_fired("rule-1", provider="scriptr ")


def test_aws_names_too_many_to_list_still_get_a_guess(cloud: FakeCloud) -> None:
    with pytest.raises(ValueError, match=r"no aws operation is 'CreateThng' \(did you mean CreateThing"):
        cloud.journal.assert_not_called("CreateThng", provider="aws")
    with pytest.raises(ValueError, match=r"\(none of the \d+ known operations is like it\)"):
        cloud.journal.assert_not_called("Zzzzzzzzzzzz")


def test_a_pattern_is_refused_saying_names_match_exactly(cloud: FakeCloud) -> None:
    with pytest.raises(ValueError, match="the journal matches operation names exactly, not patterns"):
        cloud.journal.assert_not_called("Create*")


@pytest.mark.parametrize(
    ("provider", "operation"),
    [
        ("enos", "DeleteDevice"),
        ("aws", "CreateThing"),
        ("aws-mqtt", "Publish"),
        ("enos-mqtt", "Connect"),
        ("scriptr", "device.unknown"),  # what scriptr journals a function it does not serve as
        ("enos", "UnknownAction"),
        ("console", "AddFaultRule"),  # the console's own changes are journaled
        ("console", "UnknownAction"),
        (None, "Publish"),
        ("console", None),
    ],
)
def test_names_a_call_can_carry_pass_though_unused(
    cloud: FakeCloud, provider: str | None, operation: str | None
) -> None:
    cloud.journal.assert_not_called(operation, provider=provider)


def test_a_name_the_journal_holds_is_never_refused() -> None:
    journal = Journal(size=4)  # a journal of its own: its rows name what they like
    journal.record(Entry(0, 1.0, "custom", "Tick", None))
    journal.note(
        2.0, "enos", "connect-service/v2.1/oddity", "o1", {}, "GET", "/x", 404, None, 0.1, None, None
    )
    assert [e.seq for e in journal.calls(provider="custom", operation="Tick")] == [1]
    journal.assert_called("connect-service/v2.1/oddity", provider="enos", times=1)
    with pytest.raises(
        ValueError, match=r"no custom operation is 'Tock' \(did you mean Tick\? known: Tick\)"
    ):
        journal.assert_not_called("Tock", provider="custom")


@pytest.mark.parametrize("rule", [None, 3, ["rule-1"]])
def test_assert_fault_fired_wants_a_rule_id(scriptr_cloud: FakeCloud, rule: object) -> None:
    with pytest.raises(
        TypeError, match=re.escape(f"a fault rule's id (a string such as 'rule-1'), not {rule!r}")
    ):
        scriptr_cloud.journal.assert_fault_fired(rule)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "filters", [{"provider": 1}, {"operation": b"CreateDevice"}, {"tenant": 1}, {"rule": 2}]
)
def test_filters_that_are_not_text_are_refused(cloud: FakeCloud, filters: dict[str, object]) -> None:
    with pytest.raises(TypeError, match=r"is a string \(or None\), not "):
        cloud.journal.calls(**filters)  # type: ignore[arg-type]


def test_recording_checks_nothing(cloud: FakeCloud) -> None:
    """The names are checked when read, never on the hot path that writes every call."""
    pk = make_product(client := Client(cloud.wsgi_app))
    create(client, pk)
    cloud.journal.note(1.0, "nowhere", "Nothing", None, {}, "GET", "/", 200, None, 0.1, None, None)
    assert [e.provider for e in cloud.journal.calls()] == ["enos", "enos", "nowhere"]


def test_a_misspelt_params_field_is_refused_with_the_fields_calls_carry() -> None:
    """``params`` named a field no call carries, and the assertion that a call did not happen
    passed whatever was called; fault rules' ``match`` refused the same name already."""
    cloud = FakeCloud(seed=7)
    client = Client(cloud.wsgi_app)
    create(client, make_product(client), deviceKey="m1")
    journal = cloud.journal
    with pytest.raises(
        ValueError, match=r"no enos CreateDevice call carries a field 'deviceKye' \(did you mean deviceKey"
    ):
        journal.assert_not_called("CreateDevice", provider="enos", params={"deviceKye": "m1"})
    with pytest.raises(ValueError, match=r"no call carries a field 'deviceKye'"):
        journal.calls(params={"deviceKye": "m1"})
    assert journal.last(operation="CreateDevice", params={"deviceKey": "m1"}).provider == "enos"
    journal.assert_not_called("CreateDevice", params={"deviceKey": "m2"})  # a field calls carry


@pytest.mark.parametrize(
    ("provider", "operation", "field"),
    [
        ("aws", "CreateKeysAndCertificate", "clientId"),  # asked over MQTT by fleet provisioning
        ("aws", "CreateCertificateFromCsr", "clientId"),
        ("aws-mqtt", "Publish", "sessionIdentifier"),
        ("aws-mqtt", "Publish", "will"),
        ("aws-mqtt", "Subscribe", "filters"),
        ("enos-mqtt", "Disconnect", "detail"),
    ],
)
def test_fields_the_broker_journals_are_fields_calls_carry(provider: str, operation: str, field: str) -> None:
    """Every field the fake journals is one a query may name before any such call was made: a
    negative assertion (``assert_not_called(..., params={"clientId": ...})``) was refused."""
    FakeCloud(seed=7).journal.assert_not_called(operation, provider=provider, params={field: "x"})
