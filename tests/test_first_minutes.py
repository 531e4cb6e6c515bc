"""The first five minutes of a new user (issue 13): mistakes get a clear, early answer."""

from __future__ import annotations

import pytest

from iotfake import FakeCloud


@pytest.mark.parametrize(
    ("rule", "where", "hint"),
    [
        ({"provider": "enos", "operation": "CreateDevice", "match": {"orgid": "o1"}}, "match.orgid", "orgId"),
        (
            {"provider": "aws", "operation": "CreateThing", "match": {"thingname": "t"}},
            "match.thingname",
            "thingName",
        ),
        (
            {"provider": "aws", "operation": "DescribeThing", "match": {"thingTypeName": "t"}},
            "match.thingTypeName",
            "",
        ),
        ({"provider": "scriptr", "operation": "device.create", "match": {"ids": "d1"}}, "match.ids", "id"),
        ({"provider": "*", "match": {"orgid": "o1"}}, "match.orgid", "orgId"),
    ],
)
def test_a_match_key_no_call_carries_is_refused_with_a_did_you_mean(
    rule: dict, where: str, hint: str
) -> None:
    from iotfake.documents import DocumentError

    cloud = FakeCloud()
    with pytest.raises(DocumentError, match="did you mean" if hint else "known") as raised:
        cloud.faults.add_rule({**rule, "action": {"drop": True}}, "faults[0]")
    assert f"faults[0].{where}" in str(raised.value)
    assert hint in str(raised.value)


@pytest.mark.parametrize(
    ("provider", "operation", "match"),
    [
        ("enos", "CreateDevice", {"orgId": "o1", "productKey": "p", "tenant": "o1"}),
        ("enos", "GetToken", {"appKey": "k"}),
        ("aws", "RegisterThing", {"parameters.ThingName": "t", "account": "1", "region": "us-east-1"}),
        ("aws", "ListThings", {"thingTypeName": "t", "attributeName": "a"}),
        ("aws", "*", {"thingName": "meter-13"}),
        ("scriptr", "device.*", {"id": "d1", "account": "a"}),
    ],
)
def test_the_fields_calls_carry_are_accepted(provider: str, operation: str, match: dict) -> None:
    FakeCloud().faults.add(provider=provider, operation=operation, match=match, drop=True)


@pytest.mark.parametrize(
    ("provider", "operation", "suggested", "hidden"),
    [
        ("enos", "CreateDevise", "did you mean CreateDevice", "UnknownAction"),
        ("scriptr", "device.craete", "did you mean device.create", "device.unknown"),
    ],
)
def test_operation_typos_get_a_did_you_mean_without_internal_names(
    provider: str, operation: str, suggested: str, hidden: str
) -> None:
    from iotfake.documents import DocumentError

    with pytest.raises(DocumentError, match=suggested) as raised:
        FakeCloud().faults.add(provider=provider, operation=operation, drop=True)
    assert hidden not in str(raised.value)


def test_an_unknown_serve_argument_prints_serves_usage(capsys) -> None:
    from iotfake.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["serve", "--prot", "1"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: iotfake serve ")
    assert "iotfake serve: error: unrecognized arguments: --prot 1" in err


def test_assert_fault_fired_on_a_rule_that_does_not_exist_says_so() -> None:
    cloud = FakeCloud()
    cloud.faults.add(id="flaky", provider="enos", operation="CreateDevice", error="11714")
    with pytest.raises(AssertionError, match=r"no fault rule 'nope' exists \(the cloud's rules: 'flaky'\)"):
        cloud.journal.assert_fault_fired("nope")
    with pytest.raises(AssertionError, match="expected fault rule 'flaky' to fire"):
        cloud.journal.assert_fault_fired("flaky")


def test_load_takes_a_document_in_hand_as_seed_does() -> None:
    cloud = FakeCloud(seed=1).load({"enos": {"orgs": [{"orgId": "o1"}]}})
    assert cloud.snapshot() == FakeCloud(seed=1).seed({"enos": {"orgs": [{"orgId": "o1"}]}}).snapshot()


def test_a_missing_optional_client_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from iotfake import transports

    monkeypatch.setitem(sys.modules, "httpx", None)  # import httpx now raises ModuleNotFoundError
    transports._httpx_transport_class.cache_clear()
    with pytest.raises(ModuleNotFoundError, match=r"httpx_client needs httpx: pip install 'iotfake\[test\]'"):
        transports.httpx_client(FakeCloud())
    transports._httpx_transport_class.cache_clear()


MARKER_MISUSE = """
import pytest

@pytest.mark.iotfake(seed=1)
def test_without_fixture():
    pass

@pytest.mark.iotfake(faults="flaky.json")
def test_faults_file(iotfake):
    pass
"""


def test_marker_misuse_is_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MARKER_MISUSE)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*faults[[]0[]]: 'flaky.json' is a file name*fixtures='flaky.json'*",
            "*@pytest.mark.iotfake has no effect here: the test uses no iotfake fixture*",
        ]
    )


def test_scriptr_json_posted_as_a_form_is_read_as_a_form_and_the_answer_says_why() -> None:
    import json

    import requests

    cloud = FakeCloud(seed=1)
    token = cloud.scriptr("acme").token
    body = json.dumps({"id": "d1", "name": "Meter", "password": "pw"})
    with cloud.serve() as server:
        # what curl -d sends: the JSON text as a form body
        response = requests.post(
            f"{server.url}/scriptr/device/create",
            data=body,
            headers={"Authorization": f"bearer {token}", "Content-Type": "application/x-www-form-urlencoded"},
            timeout=10,
        )
        metadata = response.json()["response"]["result"]["metadata"]
        assert metadata["errorCode"] == "MISSING_PARAMETERS"
        assert metadata["errorDetail"].startswith("Missing required parameter [")
        assert "send it with Content-Type: application/json" in metadata["errorDetail"]
        # a real form that misses a parameter gets no such hint
        response = requests.post(
            f"{server.url}/scriptr/device/create",
            data={"id": "d1"},
            headers={"Authorization": f"bearer {token}"},
            timeout=10,
        )
        detail = response.json()["response"]["result"]["metadata"]["errorDetail"]
        assert detail.startswith("Missing required parameter [") and "Content-Type" not in detail


SCRIPTR_UNDER_EACH_AUTH = """
import pytest

@pytest.mark.iotfake(auth="strict")
def test_strict(iotfake_scriptr):
    answer = iotfake_scriptr.post(
        iotfake_scriptr.url("/scriptr/device/create"), json={"id": "d1", "name": "M", "password": "pw"}
    ).json()
    assert answer["response"]["metadata"]["status"] == "success", answer
    assert answer["response"]["result"]["result"]["device"]["id"] == "d1", answer
"""


def test_the_scriptr_fixture_works_under_strict_auth(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SCRIPTR_UNDER_EACH_AUTH)
    pytester.runpytest().assert_outcomes(passed=1)
