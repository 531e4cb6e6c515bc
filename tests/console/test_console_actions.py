"""What the console changes: the admin API's own operations, CSRF-safe, each journalled."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud

from ._console import CONSOLE, act, page_token

ENOS_RULE = {"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}}


def test_add_pause_resume_and_remove_a_fault_rule(cloud: FakeCloud, client: Client) -> None:
    added = act(client, {"action": "add_fault", "rule": ENOS_RULE})
    assert added.status_code == 200 and added.json == {"added": "rule-1"}
    assert act(client, {"action": "pause_fault", "id": "rule-1"}).json == {"pause_fault": "rule-1"}
    rule = cloud.faults.get("rule-1")
    assert rule.paused and rule.to_dict()["paused"] is True
    assert 'class="paused"' in client.get(CONSOLE).get_data(as_text=True)
    assert act(client, {"action": "resume_fault", "id": "rule-1"}).status_code == 200
    assert not cloud.faults.get("rule-1").paused
    assert act(client, {"action": "remove_fault", "id": "rule-1"}).json == {"remove_fault": "rule-1"}
    assert len(cloud.faults) == 0
    missing = act(client, {"action": "remove_fault", "id": "rule-1"})
    assert missing.status_code == 400 and missing.json == {"error": "no fault rule 'rule-1'"}


def test_a_paused_rule_sees_no_call_and_its_counters_stand_still(cloud: FakeCloud) -> None:
    from iotfake.providers.base import Call

    rule = cloud.faults.add_rule(ENOS_RULE)
    cloud.faults.pause(rule.id)
    call = Call("enos", "CreateDevice", None, {})
    assert not rule.applies(call, cloud.clock.time())
    cloud.faults.pause(rule.id, False)
    assert rule.applies(call, cloud.clock.time())


def test_a_paused_rule_survives_a_snapshot(cloud: FakeCloud) -> None:
    cloud.faults.add_rule({**ENOS_RULE, "paused": True})
    again = FakeCloud()
    again.restore(cloud.snapshot())
    assert again.faults.get("rule-1").paused
    with pytest.raises(Exception, match="paused: expected true or false"):
        cloud.faults.add_rule({**ENOS_RULE, "paused": "yes"})


def test_a_bad_rule_gets_the_admin_apis_text(client: Client) -> None:
    typo = act(client, {"action": "add_fault", "rule": {**ENOS_RULE, "operation": "CreateDevise"}})
    assert typo.status_code == 400
    assert typo.json["error"].startswith(
        "operation: no enos operation is 'CreateDevise' (did you mean CreateDevice"
    )
    admin = client.post("/_iotfake/faults", json={**ENOS_RULE, "operation": "CreateDevise"})
    assert admin.json["error"] in typo.json["error"]


def test_reset_advance_and_load(cloud: FakeCloud, client: Client) -> None:
    before = cloud.clock.time()
    advanced = act(client, {"action": "advance", "seconds": 3600})
    assert advanced.status_code == 200 and advanced.json["time"] >= before + 3600
    bad = act(client, {"action": "advance", "seconds": "soon"})
    assert bad.status_code == 400 and bad.json["error"].startswith("seconds: a number; from 0 to")
    assert act(client, {"action": "load", "scenario": "flaky_key_allocation"}).json == {
        "loaded": "flaky_key_allocation"
    }
    assert len(cloud.faults) > 0
    unknown = act(client, {"action": "load", "scenario": "../../etc/passwd"})
    assert unknown.status_code == 400 and "no bundled scenario '../../etc/passwd'" in unknown.json["error"]
    assert act(client, {"action": "reset"}).json == {"status": "reset"}
    assert len(cloud.faults) == 0 and cloud.clock.offset == 0


def test_every_change_is_journalled(cloud: FakeCloud, client: Client) -> None:
    act(client, {"action": "add_fault", "rule": ENOS_RULE})
    act(client, {"action": "pause_fault", "id": "nope"})
    act(client, {"action": "fly"})
    entries = cloud.journal.calls(provider="console")
    assert [(e.operation, e.status, e.outcome) for e in entries] == [
        ("AddFaultRule", 200, "ok"),
        ("PauseFaultRule", 400, "error"),
        ("UnknownAction", 400, "error"),
    ]
    assert entries[0].params == {"rule": ENOS_RULE}
    assert entries[0].path == f"{CONSOLE}/action"
    act(client, {"action": "reset"})  # the reset empties the journal, then is its first entry
    assert [e.operation for e in cloud.journal.calls()] == ["Reset"]


def test_a_change_without_the_page_token_is_refused(cloud: FakeCloud, client: Client) -> None:
    """A cross-site page cannot read the token, so it cannot steer the fake."""
    for headers in ({}, {"X-Iotfake-Console": "0" * 32}):
        refused = client.post(f"{CONSOLE}/action", json={"action": "reset"}, headers=headers)
        assert refused.status_code == 400
        assert "did not come from a console page this server rendered" in refused.json["error"]
    assert cloud.journal.calls(provider="console")[-1].status == 400


def test_a_change_from_a_browser_must_be_json_from_this_origin(client: Client) -> None:
    token = page_token(client.get(CONSOLE))
    form = client.post(
        f"{CONSOLE}/action",
        data='{"action": "reset"}',
        content_type="text/plain",
        headers={"Origin": "http://localhost:4510", "Host": "localhost:4510", "X-Iotfake-Console": token},
    )
    assert form.status_code == 403 and "admin writes take JSON" in form.json["error"]
    foreign = client.post(
        f"{CONSOLE}/action",
        json={"action": "reset"},
        headers={"Origin": "https://evil.example", "X-Iotfake-Console": token},
    )
    assert foreign.status_code == 403
    same = client.post(
        f"{CONSOLE}/action",
        json={"action": "reset"},
        headers={
            "Origin": "http://localhost:4510",
            "Host": "localhost:4510",
            "Sec-Fetch-Site": "same-origin",
            "X-Iotfake-Console": token,
        },
    )
    assert same.status_code == 200


@pytest.mark.parametrize("body", [b"", b"[]", b'{"action": 1}', b"{not json", b'"reset"'])
def test_bad_bodies_get_a_clear_400(client: Client, body: bytes) -> None:
    token = page_token(client.get(CONSOLE))
    answer = client.post(
        f"{CONSOLE}/action", data=body, content_type="application/json", headers={"X-Iotfake-Console": token}
    )
    assert answer.status_code == 400 and answer.json["error"]


def test_each_namespace_has_its_own_token(cloud: FakeCloud) -> None:
    client = Client(cloud.namespaces)
    default_token = page_token(client.get(CONSOLE))
    refused = client.post(
        f"/_ns/a{CONSOLE}/action", json={"action": "reset"}, headers={"X-Iotfake-Console": default_token}
    )
    assert refused.status_code == 400
    assert act(client, {"action": "add_fault", "rule": ENOS_RULE}, prefix="/_ns/a").status_code == 200
    assert len(cloud.namespaces.get("a").faults) == 1 and len(cloud.faults) == 0


def test_a_token_of_any_characters_is_refused_not_a_500(cloud: FakeCloud, client: Client) -> None:
    # header values arrive as latin-1 text; hmac.compare_digest raises on non-ASCII str
    refused = client.post(
        f"{CONSOLE}/action", json={"action": "reset"}, headers={"X-Iotfake-Console": "é" * 32}
    )
    assert refused.status_code == 400 and "did not come from a console page" in refused.json["error"]
    assert cloud.journal.calls(provider="console")[-1].status == 400


def test_simultaneous_first_pages_get_one_token(cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    import secrets
    import threading
    import time

    from iotfake.console import actions

    made = secrets.token_hex

    def slow(n: int) -> str:  # widens the window between "no token yet" and "token set"
        time.sleep(0.01)
        return made(n)

    monkeypatch.setattr(secrets, "token_hex", slow)
    seen: list[str] = []
    start = threading.Barrier(8)

    def render() -> None:
        start.wait()
        seen.append(actions.token(cloud))

    threads = [threading.Thread(target=render) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1 and seen[0] == actions.token(cloud)


def test_a_scenario_that_cannot_load_says_where(cloud: FakeCloud, client: Client) -> None:
    assert act(client, {"action": "load", "scenario": "enos_meter_fleet"}).status_code == 200
    again = act(client, {"action": "load", "scenario": "enos_meter_fleet"})  # its keys are taken now
    assert again.status_code == 400
    assert again.json["error"].startswith("enos_meter_fleet: enos.orgs[0]"), again.json["error"]
