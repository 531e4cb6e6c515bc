"""When a rule fires on AWS calls: times, after, every, probability, the clock window, and match
on thingName, account, region and template parameters - through boto3 against a live server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_helpers import string_params, template, thing_resource
from botocore.exceptions import ClientError

from iotfake import FakeCloud

OTHER = {"accessKeyId": "AKIAOTHERACCOUNT0001", "secretAccessKey": "other-secret"}


def outcome(call: Callable[[], Any]) -> str:
    """ "ok", or the AWS error code the call met."""
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return "ok"


def creates(iot, n: int, prefix: str = "t") -> list[str]:
    return [outcome(lambda i=i: iot.create_thing(thingName=f"{prefix}{i}")) for i in range(n)]


E = "InternalFailureException"


def test_times_fires_exactly_n_times(aws_cloud: FakeCloud, iot) -> None:
    rule = aws_cloud.faults.add(provider="aws", operation="CreateThing", error=E, times=2)
    assert creates(iot, 4) == [E, E, "ok", "ok"]
    assert (rule.matched, rule.fired, rule.exhausted) == (4, 2, True)


def test_after_skips_the_first_matches(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(provider="aws", operation="CreateThing", error=E, after=2, times=2)
    assert creates(iot, 5) == ["ok", "ok", E, E, "ok"]


def test_every_fires_on_each_nth_match_after_after(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(provider="aws", operation="CreateThing", error=E, after=1, every=2)
    assert creates(iot, 6) == ["ok", "ok", E, "ok", E, "ok"]


def probability_run(aws_cloud: FakeCloud, iot, seed: int) -> list[str]:
    aws_cloud.reset()
    aws_cloud.faults.add(provider="aws", operation="CreateThing", error=E, probability=0.5, seed=seed)
    return creates(iot, 30)


def test_probability_is_repeatable_with_its_seed(aws_cloud: FakeCloud, iot) -> None:
    first = probability_run(aws_cloud, iot, seed=42)
    assert first == probability_run(aws_cloud, iot, seed=42)
    assert 0 < first.count(E) < 30
    assert first != probability_run(aws_cloud, iot, seed=43)


def test_the_clock_window_uses_the_fakes_clock(aws_cloud: FakeCloud, iot) -> None:
    start = aws_cloud.clock.time() + 60
    aws_cloud.faults.add(provider="aws", operation="CreateThing", error=E, from_=start, until=start + 60)
    assert creates(iot, 1, "before") == ["ok"]
    aws_cloud.clock.advance(60)
    assert creates(iot, 1, "during") == [E]
    aws_cloud.clock.advance(60)  # until is exclusive
    assert creates(iot, 1, "after") == ["ok"]


def test_match_on_thing_name(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(
        provider="aws", match={"thingName": ["t1", "t3"]}, error="ServiceUnavailableException"
    )
    assert creates(iot, 4) == ["ok", "ServiceUnavailableException", "ok", "ServiceUnavailableException"]
    # every operation on those things, reads included
    assert outcome(lambda: iot.describe_thing(thingName="t2")) == "ok"
    assert outcome(lambda: iot.describe_thing(thingName="t3")) == "ServiceUnavailableException"
    assert outcome(lambda: iot.list_things()) == "ok"  # a call without a thingName never matches


def test_match_on_account_and_region(aws_cloud: FakeCloud, iot, aws_clients) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"accountId": "210987654321", "accessKeys": [OTHER]}]}})
    other_account = aws_clients(key=(OTHER["accessKeyId"], OTHER["secretAccessKey"]))
    other_region = aws_clients(region="eu-west-1")
    aws_cloud.faults.add(provider="aws", match={"account": "210987654321"}, error="UnauthorizedException")
    aws_cloud.faults.add(provider="aws", match={"region": "eu-west-1"}, error="ServiceUnavailableException")
    assert creates(iot, 1) == ["ok"]
    assert creates(other_account, 1) == ["UnauthorizedException"]
    assert creates(other_region, 1) == ["ServiceUnavailableException"]
    entry = aws_cloud.journal.last(params={"account": "210987654321"})
    assert (entry.tenant, entry.params["region"], entry.code) == (
        "210987654321/us-east-1",
        "us-east-1",
        "UnauthorizedException",
    )


def test_match_on_the_tenant_and_on_several_fields(aws_cloud: FakeCloud, iot, aws_clients) -> None:
    other_region = aws_clients(region="eu-west-1")
    aws_cloud.faults.add(
        operation="CreateThing",
        match={"tenant": "123456789012/eu-west-1", "thingName": "t0"},
        error="Internal",
    )
    assert creates(iot, 1) == ["ok"]
    assert creates(other_region, 2) == [E, "ok"]


def test_match_reaches_into_register_thing_parameters(aws_cloud: FakeCloud, iot) -> None:
    rule = aws_cloud.faults.add(
        provider="aws",
        operation="RegisterThing",
        match={"parameters.ThingName": "dev-2"},
        error="ThrottlingException",
    )
    body = template({"thing": thing_resource()}, string_params("ThingName"))
    register = [
        outcome(lambda n=n: iot.register_thing(templateBody=body, parameters={"ThingName": n}))
        for n in ("dev-1", "dev-2")
    ]
    assert register == ["ok", "ThrottlingException"]
    assert (
        outcome(lambda: iot.register_thing(templateBody=template({"thing": thing_resource("dev-2")}))) == "ok"
    )
    assert (rule.matched, rule.fired) == (1, 1)


@pytest.mark.parametrize("accepted", [True, "true", "True", [False, True]])
def test_match_on_a_json_boolean_field(aws_cloud: FakeCloud, iot, accepted) -> None:
    """A JSON body's boolean could not be matched: ``true`` was refused as a match value and
    ``"true"`` never equalled the stored ``True``. Booleans match as JSON writes them (``true``,
    ``"true"``), as a query string's do."""
    iot.create_thing(thingName="t")
    match = {"removeThingType": accepted}
    aws_cloud.faults.add(provider="aws", operation="UpdateThing", match=match, error=E)
    assert outcome(lambda: iot.update_thing(thingName="t", removeThingType=True)) == E
    expected = E if isinstance(accepted, list) else "ok"
    assert outcome(lambda: iot.update_thing(thingName="t", removeThingType=False)) == expected
    again = aws_cloud.faults.add_rule({**aws_cloud.faults.rules[0].to_dict(), "id": "again"})
    assert again.match == aws_cloud.faults.rules[0].match  # its JSON shape reads back the same


def test_a_dotted_match_into_a_field_carried_as_text_is_refused(aws_cloud: FakeCloud, iot) -> None:
    """``thingGroupProperties.attributePayload.merge`` was accepted and never fired: calls carry
    only a body's top-level scalars (and RegisterThing's ``parameters`` object)."""
    with pytest.raises(ValueError, match="no aws UpdateThingGroup call carries a field"):
        aws_cloud.faults.add(
            provider="aws",
            operation="UpdateThingGroup",
            match={"thingGroupProperties.attributePayload.merge": True},
            error=E,
        )
    assert aws_cloud.faults.rules == []


def test_rules_for_other_operations_do_not_count(aws_cloud: FakeCloud, iot) -> None:
    rule = aws_cloud.faults.add(provider="aws", operation="DeleteThing", error=E, times=1)
    enos = aws_cloud.faults.add(provider="enos", error="Internal")
    assert creates(iot, 2) == ["ok", "ok"]
    assert (rule.matched, enos.matched) == (0, 0)
    assert outcome(lambda: iot.delete_thing(thingName="t0")) == E
    assert outcome(lambda: iot.delete_thing(thingName="t0")) == "ok"


@pytest.mark.parametrize(
    ("pattern", "hits"),
    [("Create*", ["CreateThing", "CreateThingType"]), ("*Thing", ["CreateThing", "DescribeThing"])],
)
def test_operation_patterns(aws_cloud: FakeCloud, iot, pattern: str, hits: list[str]) -> None:
    aws_cloud.faults.add(provider="aws", operation=pattern, error=E)
    calls = {
        "CreateThing": lambda: iot.create_thing(thingName="t1"),
        "CreateThingType": lambda: iot.create_thing_type(thingTypeName="meter"),
        "DescribeThing": lambda: iot.describe_thing(thingName="t1"),
        "ListThings": lambda: iot.list_things(),
    }
    failed = [name for name, call in calls.items() if outcome(call) == E]
    assert failed == hits
