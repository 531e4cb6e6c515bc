"""``--iotfake-url``: the plugin's fixtures against one external ``iotfake serve`` (issue 13).

An inner pytest run under xdist points every fixture at a server started as a subprocess; its
tests create the same keys at the same time and see only their own state, calls and rules.
"""

from __future__ import annotations

import pytest
import requests
from serve_process import serving
from test_readme_blocks import blocks

pytestmark = pytest.mark.e2e

COLLIDING = """
import time

import pytest

PRODUCT = {
    "productName": {"defaultValue": "Meter"},
    "productType": "Device",
    "dataFormat": "Json",
    "modelId": "meter",
    "biDirectionalAuth": False,
}


@pytest.mark.parametrize("n", range(6))
def test_the_same_keys_in_parallel(n, iotfake_boto3, iotfake_enos, iotfake, iotfake_server):
    assert "/_ns/pytest-gw" in iotfake_server.url
    iotfake_boto3.create_thing(thingName="meter-001", attributePayload={"attributes": {"n": str(n)}})
    made = iotfake_enos.post(
        "/connect-service/v2.1/products?action=create&orgId=o1", json={"productKey": "p1", **PRODUCT}
    ).json()
    assert made["code"] == 0, made  # the same productKey in every test: no collision
    time.sleep(0.2)  # let the other worker's tests run meanwhile
    things = iotfake_boto3.list_things()["things"]
    assert [(t["thingName"], t["attributes"]) for t in things] == [("meter-001", {"n": str(n)})]
    assert [(e.operation, e.outcome) for e in iotfake.journal.calls()] == [
        ("CreateThing", "ok"),
        ("CreateProduct", "ok"),
        ("ListThings", "ok"),
    ]


KEY_BUSY = {"provider": "enos", "operation": "CreateProduct", "action": {"error": "11714"}, "times": 1}


@pytest.mark.iotfake(faults=[KEY_BUSY], fixtures="two_orgs.json")
def test_marker_faults_and_fixtures_reach_the_server(iotfake_enos, iotfake):
    url = "/connect-service/v2.1/devices?action=get&orgId=o15475450989191&assetId=Inv00001"
    assert iotfake_enos.get(url).json()["data"]["deviceKey"] == "inverter-001"
    answer = iotfake_enos.post("/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT).json()
    assert answer["code"] == 11714
    [rule] = iotfake.faults.rules
    iotfake.journal.assert_fault_fired(rule.id, times=1)


def test_python_faults_and_the_clock_go_through_the_admin_api(iotfake_boto3, iotfake):
    assert len(iotfake.faults) == 0  # the marker's rule of the test before was reset away
    rule = iotfake.faults.add(provider="aws", operation="CreateThing", error="ThrottlingException", times=1)
    with pytest.raises(Exception, match="ThrottlingException"):
        iotfake_boto3.create_thing(thingName="t1")
    iotfake.journal.assert_fault_fired(rule.id, times=1)
    before = iotfake.clock.time()
    iotfake.clock.advance(3600)
    assert iotfake.clock.time() >= before + 3600


@pytest.mark.iotfake(seed=5)
def test_the_test_seed_reaches_the_namespace(iotfake_enos, iotfake):
    from werkzeug.test import Client

    from iotfake import FakeCloud

    assert iotfake.seed_value == 5
    url = "/connect-service/v2.1/products?action=create&orgId=o1"
    remote = iotfake_enos.post(url, json=PRODUCT).json()["data"]
    local = Client(FakeCloud(seed=5).wsgi_app).post(url, json=PRODUCT, headers={"apim-accesstoken": "t"})
    assert remote == local.json["data"]  # the same generated productKey


@pytest.mark.iotfake(auth="strict")
def test_an_auth_mode_the_server_does_not_run_fails_saying_so(iotfake):
    pass
"""


def test_xdist_workers_share_one_server_in_namespaces_of_their_own(pytester: pytest.Pytester) -> None:
    with serving("--seed", "1") as served:
        # the README's quickstart and marker examples run remotely too (the MQTT one needs a broker
        # in process)
        readme = {
            f"test_readme_{b.line}": b.text
            for b in blocks()
            if "def test_" in b.text and "iotfake_mqtt" not in b.text
        }
        assert len(readme) == 2
        pytester.makepyfile(test_remote=COLLIDING, **readme)
        result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", f"--iotfake-url={served.url}")
        result.assert_outcomes(passed=11, errors=1)
        result.stdout.fnmatch_lines(["*auth='strict', and the server at * runs --auth lenient*"])
        names = [
            n["name"]
            for n in requests.get(f"{served.url}/_iotfake/namespaces", timeout=10).json()["namespaces"]
        ]
        assert names == ["default"]  # each worker dropped its namespace at the end
        # the default namespace saw none of it
        assert requests.get(f"{served.url}/_iotfake/journal", timeout=10).json()["entries"] == []


def test_the_ini_key_and_the_environment_name_the_server_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    test = "def test_it(iotfake_server):\n    assert '/_ns/pytest-main-' in iotfake_server.url\n"
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # the inner run is no xdist worker
    with serving() as served:
        pytester.makepyfile(test_remote=test)
        pytester.makeini(f"[pytest]\niotfake_url = {served.url}\n")
        pytester.runpytest().assert_outcomes(passed=1)
        pytester.makeini("[pytest]\n")
        monkeypatch.setenv("IOTFAKE_URL", served.url)
        pytester.runpytest().assert_outcomes(passed=1)


def test_an_unreachable_server_fails_each_test_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_remote="def test_it(iotfake):\n    pass\n")
    result = pytester.runpytest("--iotfake-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*iotfake at http://127.0.0.1:9 cannot be reached*"])


def test_strict_server_clients_say_the_credentials_are_the_suites(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_remote="def test_it(iotfake_enos):\n    pass\n")
    with serving("--auth", "strict") as served:
        result = pytester.runpytest(f"--iotfake-url={served.url}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*iotfake_enos under --auth strict needs credentials the server issued*"])


RULE_OBJECTS = """
PRODUCT = {
    "productName": {"defaultValue": "Meter"},
    "productType": "Device",
    "dataFormat": "Json",
    "modelId": "meter",
    "biDirectionalAuth": False,
}


def test_fault_rules_are_rule_objects_with_their_counters(iotfake, iotfake_enos):
    iotfake.faults.add(provider="enos", operation="CreateProduct", error="11714", times=1, description="busy")
    rule = iotfake.faults.rules[0]
    assert (rule.id, rule.matched, rule.fired) == ("rule-1", 0, 0)
    for _ in range(2):
        iotfake_enos.post("/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT)
    [rule] = list(iotfake.faults)
    assert (rule.id, rule.provider, rule.operation, rule.action.error, rule.times) == (
        "rule-1", "enos", "CreateProduct", "11714", 1
    )
    assert (rule.matched, rule.fired, rule.exhausted, rule.description) == (2, 1, True, "busy")
    iotfake.journal.assert_fault_fired(rule.id, times=1)
    with pytest.raises(ValueError, match="did you mean CreateProduct"):
        iotfake.journal.assert_not_called("CreateProdcut")
    assert iotfake.faults.get("rule-1").fired == 1
    removed = iotfake.faults.remove("rule-1")
    assert (removed.id, removed.fired) == ("rule-1", 1) and len(iotfake.faults) == 0
    with pytest.raises(KeyError):
        iotfake.faults.remove("rule-1")
    iotfake.faults.add(provider="enos", error="11714")
    iotfake.faults.add(provider="enos", error="11714")
    assert iotfake.faults.clear() == 2
"""


def test_fault_rules_are_the_same_objects_in_process_and_remote(pytester: pytest.Pytester) -> None:
    """The README's ``rule.id``, ``rule.matched``, ``rule.fired`` on ``iotfake.faults.rules``
    (and iterating ``iotfake.faults``): one test passes against both clouds."""
    pytester.makepyfile(test_rules="import pytest\n" + RULE_OBJECTS)
    pytester.runpytest().assert_outcomes(passed=1)
    with serving() as served:
        pytester.runpytest(f"--iotfake-url={served.url}").assert_outcomes(passed=1)
