"""The fault engine decides without a transport: the MQTT side (and any future one) drives
``decide`` with a call that carries no HTTP request, then waits and answers in its own terms."""

from __future__ import annotations

from iotfake import FakeCloud
from iotfake.providers.base import Call


def mqtt_like_call(operation: str = "Publish") -> Call:
    return Call("aws", operation, None, tenant="123456789012/us-east-1", params={"topic": "t/1"})


def test_a_decision_names_the_rule_its_action_and_its_delay() -> None:
    cloud = FakeCloud(seed=1)
    rule = cloud.faults.add(
        provider="aws", operation="Publish", match={"topic": "t/1"}, action={"latency_ms": 250}, times=1
    )
    call = mqtt_like_call()
    decision = cloud.faults.decide(call)
    assert decision is not None
    assert (decision.rule, decision.kind, decision.delay) == (rule.id, "latency", 0.25)
    assert (call.fault, call.fault_action) == (rule.id, "latency")
    assert cloud.faults.decide(mqtt_like_call()) is None  # times=1: counted once, exactly


def test_an_error_decision_becomes_the_providers_error_without_any_http() -> None:
    cloud = FakeCloud(seed=1)
    cloud.faults.add(provider="aws", operation="Publish", error="ThrottlingException")
    call = mqtt_like_call()
    decision = cloud.faults.decide(call)
    assert decision is not None and decision.kind == "error"
    error = cloud.faults.failure(cloud.providers["aws"], call, decision)
    assert error is not None and error.code == "ThrottlingException"


def test_a_throttle_decision_says_when_a_token_is_free_again() -> None:
    cloud = FakeCloud(seed=1)
    cloud.faults.add(provider="aws", operation="Publish", throttle={"rate": 1, "burst": 1})
    assert cloud.faults.decide(mqtt_like_call()) is None  # the one token
    decision = cloud.faults.decide(mqtt_like_call())
    assert decision is not None and decision.kind == "throttle"
    assert decision.wait is not None and 0 < decision.wait <= 1
    cloud.clock.advance(1)
    assert cloud.faults.decide(mqtt_like_call()) is None
