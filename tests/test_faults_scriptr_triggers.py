"""When a rule fires on scriptr calls: times, after, every, probability, the clock window, and match
on the device id and the account - for HTTP callers and the Python modules alike."""

from __future__ import annotations

from _scriptr import ScriptrLive

from iotfake import FakeCloud

E = "INTERNAL_ERROR"


def create(live: ScriptrLive, device_id: str, token: str | None = "") -> str:
    """ "success", or the error code (the platform's or the module's) of one device.create over HTTP."""
    response = live.post("device/create", {"id": device_id, "name": "M", "password": "pw"}, token=token)
    envelope = response.json()["response"]
    if envelope["metadata"]["status"] == "failure":
        return envelope["metadata"]["errorCode"]
    module = envelope["result"]["metadata"]
    return module["status"] if module["status"] == "success" else module["errorCode"]


def creates(live: ScriptrLive, n: int, prefix: str = "m") -> list[str]:
    return [create(live, f"{prefix}{i}") for i in range(n)]


def test_times_fires_exactly_n_times(live: ScriptrLive) -> None:
    rule = live.cloud.faults.add(provider="scriptr", operation="device.create", error=E, times=2)
    assert creates(live, 4) == [E, E, "success", "success"]
    assert (rule.matched, rule.fired, rule.exhausted) == (4, 2, True)


def test_after_skips_the_first_matches(live: ScriptrLive) -> None:
    live.cloud.faults.add(provider="scriptr", operation="device.create", error=E, after=2, times=2)
    assert creates(live, 5) == ["success", "success", E, E, "success"]


def test_every_counts_http_and_python_calls_together(live: ScriptrLive) -> None:
    live.cloud.faults.add(provider="scriptr", operation="device.create", error=E, every=2)
    answers = []
    for i in range(3):
        answers.append(create(live, f"h{i}"))
        python = live.acme.device.create({"id": f"p{i}", "name": "M", "password": "pw"})
        answers.append(python["metadata"].get("errorCode", python["metadata"]["status"]))
    assert answers == ["success", E] * 3


def probability_run(live: ScriptrLive, seed: int) -> list[str]:
    live.cloud.reset()
    live.cloud.faults.add(provider="scriptr", operation="device.create", error=E, probability=0.5, seed=seed)
    return creates(live, 30)


def test_probability_is_repeatable_with_its_seed(live: ScriptrLive) -> None:
    first = probability_run(live, seed=42)
    assert first == probability_run(live, seed=42)
    assert 0 < first.count(E) < 30
    assert first != probability_run(live, seed=43)


def test_probability_without_a_seed_follows_the_clouds_seed() -> None:
    def run() -> list[dict]:
        acme = FakeCloud(seed=5).scriptr("acme")
        acme.cloud.faults.add(provider="scriptr", operation="device.create", error=E, probability=0.5)
        return [acme.device.create({"id": f"m{i}", "name": "M", "password": "pw"}) for i in range(20)]

    first = run()
    assert first == run()
    assert 0 < sum(1 for answer in first if answer["metadata"]["status"] == "failure") < 20


def test_the_clock_window_uses_the_fakes_clock(live: ScriptrLive) -> None:
    start = live.cloud.clock.time() + 60
    live.cloud.faults.add(
        provider="scriptr", operation="device.create", error=E, from_=start, until=start + 60
    )
    assert create(live, "before") == "success"
    live.cloud.clock.advance(60)
    assert create(live, "during") == E
    live.cloud.clock.advance(60)  # until is exclusive
    assert create(live, "after") == "success"


def test_match_on_the_device_id(live: ScriptrLive) -> None:
    live.cloud.faults.add(provider="scriptr", match={"id": ["m1", "m3"]}, error="SERVICE_UNAVAILABLE")
    assert creates(live, 4) == ["success", "SERVICE_UNAVAILABLE", "success", "SERVICE_UNAVAILABLE"]
    # every function naming those ids, as a query parameter too, and from Python
    assert live.get("device/get", {"id": "m3"}).status_code == 503
    assert live.get("device/get", {"id": "m2"}).status_code == 200
    assert live.acme.device.delete("m1")["metadata"]["errorCode"] == "SERVICE_UNAVAILABLE"
    assert live.acme.device.delete("m0")["metadata"]["status"] == "success"


def test_match_on_the_account(live: ScriptrLive) -> None:
    globex = live.cloud.scriptr("globex")
    live.cloud.faults.add(provider="scriptr", match={"account": "globex"}, error="INVALID_TOKEN")
    assert create(live, "m0") == "success"
    assert create(live, "m0", token=globex.token) == "INVALID_TOKEN"
    assert globex.device.create({"id": "m0", "name": "M", "password": "pw"})["metadata"]["errorCode"] == (
        "INVALID_TOKEN"
    )
    assert live.cloud.journal.last(params={"account": "globex"}).tenant == "globex"


def test_match_on_the_tenant_and_a_field_together(live: ScriptrLive) -> None:
    globex = live.cloud.scriptr("globex")
    live.cloud.faults.add(
        operation="device.create", match={"tenant": "globex", "id": "m0"}, error="Unavailable"
    )
    assert create(live, "m0") == "success"
    assert [create(live, f"m{i}", token=globex.token) for i in range(2)] == ["SERVICE_UNAVAILABLE", "success"]


def test_operation_patterns(live: ScriptrLive) -> None:
    live.acme.device.create({"id": "m0", "name": "M", "password": "pw"})
    live.cloud.faults.add(provider="scriptr", operation="*Token", error=E)
    assert live.acme.device.generateToken("m0")["metadata"]["errorCode"] == E
    assert live.acme.device.get("m0")["metadata"]["status"] == "success"


def test_rules_for_other_functions_do_not_count(live: ScriptrLive) -> None:
    rule = live.cloud.faults.add(provider="scriptr", operation="device.delete", error=E, times=1)
    aws = live.cloud.faults.add(provider="aws", error="Internal")
    assert creates(live, 2) == ["success", "success"]
    assert (rule.matched, aws.matched) == (0, 0)
