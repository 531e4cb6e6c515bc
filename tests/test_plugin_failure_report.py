"""A failing test's report shows the cloud's seed and the last calls the fake saw."""

from __future__ import annotations

import pytest

from iotfake.pytest_plugin import REPORT_SECTION, seed_for

CALLS = """
import pytest
from werkzeug.test import Client

from iotfake.journal import Entry

H = {"apim-accesstoken": "t"}
PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}

def calls(cloud):
    client = Client(cloud.wsgi_app)
    client.post("/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT, headers=H)
    client.post("/connect-service/v2.1/devices?action=create&orgId=o1", json={}, headers=H)
    cloud.journal.record(Entry(seq=0, time=0, provider="aws", operation="CreateThing", tenant="1/us-east-1",
                               method="POST", path="/things/t1", status=429, code="ThrottlingException",
                               rule="burst"))

def test_fails(iotfake):
    calls(iotfake)
    assert False

def test_passes(iotfake):
    calls(iotfake)

def test_fails_without_the_fake():
    assert False
"""


def sections(pytester: pytest.Pytester, *args: str) -> dict[str, list[tuple[str, str]]]:
    recorder = pytester.inline_run("-p", "no:randomly", *args)
    return {
        report.nodeid.split("::")[-1]: [s for s in report.sections if s[0] == REPORT_SECTION]
        for report in recorder.getreports("pytest_runtest_logreport")
        if report.when == "call"
    }


def test_the_section_names_the_seed_and_the_journal_tail(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(test_report=CALLS)
    found = sections(pytester)
    assert found["test_passes"] == []
    assert found["test_fails_without_the_fake"] == []
    [(_, text)] = found["test_fails"]
    seed = seed_for(f"{path.name}::test_fails")
    lines = text.splitlines()
    assert (
        lines[0]
        == f"seed={seed} auth=lenient (FakeCloud(seed={seed}) generates the same ids, keys and secrets; "
        "certificates' key pairs are random)"
    )
    assert lines[1] == "last 3 of 3 calls the fake saw:"
    assert lines[2].split() == [
        "#1", "enos", "CreateProduct", "o1", "POST", "/connect-service/v2.1/products", "200", "code=0", "ok",
    ]  # fmt: skip
    assert lines[3].split() == [
        "#2", "enos", "CreateDevice", "o1", "POST", "/connect-service/v2.1/devices", "200", "code=99400",
        "error",
    ]  # fmt: skip
    assert lines[4].split() == [
        "#3", "aws", "CreateThing", "1/us-east-1", "POST", "/things/t1", "429", "code=ThrottlingException",
        "fault", "rule=burst",
    ]  # fmt: skip
    # columns line up
    assert len({line.index("POST") for line in lines[2:]}) == 1


def test_the_tail_length_is_an_ini_setting(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_report=CALLS)
    [(_, text)] = sections(pytester, "-o", "iotfake_journal_tail=1")["test_fails"]
    assert text.splitlines()[1:] == [
        "last 1 of 3 calls the fake saw:",
        "  #3  aws  CreateThing  1/us-east-1  POST /things/t1  429  code=ThrottlingException  fault"
        "  rule=burst",
    ]
    [(_, text)] = sections(pytester, "-o", "iotfake_journal_tail=0")["test_fails"]
    assert len(text.splitlines()) == 1


def test_a_bad_tail_length_stops_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_report=CALLS)
    result = pytester.runpytest("-o", "iotfake_journal_tail=many")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*iotfake_journal_tail must be a whole number, not 'many'*"])


def test_an_unseeded_test_that_called_nothing_says_so(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pytest\n\n@pytest.fixture\ndef iotfake_seed():\n    return None\n")
    pytester.makepyfile(
        """
def test_fails(iotfake):
    assert False
"""
    )
    [(_, text)] = sections(pytester)["test_fails"]
    assert text.splitlines() == [
        "seed=None auth=lenient (unseeded: ids differ on every run)",
        "no call reached the fake",
    ]


def test_the_terminal_shows_the_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_report=CALLS)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*- iotfake -*", "seed=*", "last 3 of 3 calls the fake saw:"])


@pytest.mark.e2e
def test_the_section_survives_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_report=CALLS)
    result = pytester.runpytest_subprocess("-n", "1", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*- iotfake -*", "seed=*", "last 3 of 3 calls the fake saw:"])


def test_a_test_that_used_a_live_server_names_its_console(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import requests

def test_fails(iotfake_server):
    requests.get(iotfake_server.url + "/_iotfake/health", timeout=10)
    assert False

def test_in_process_fails(iotfake):
    assert False
"""
    )
    found = sections(pytester)
    [(_, text)] = found["test_fails"]
    console = text.splitlines()[1]
    assert console.startswith("console (while the server runs): http://127.0.0.1:")
    assert console.endswith("/_iotfake/console")
    [(_, text)] = found["test_in_process_fails"]
    assert "console" not in text  # no server, no console to name
