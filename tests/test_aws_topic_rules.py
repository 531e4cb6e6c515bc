"""Topic rules through boto3: the payload stored and answered, the SQL statements AWS refuses,
SQL versions, action shapes, enable/disable, the list filters and paging, snapshots and fixtures."""

from __future__ import annotations

import pytest
from aws_helpers import conforms, lax

from iotfake import FakeCloud

ROLE = "arn:aws:iam::123456789012:role/rules"
REPUBLISH = {"republish": {"roleArn": ROLE, "topic": "out/${topic()}", "qos": 1}}
LAMBDA = {"lambda": {"functionArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}}


def payload(sql: str = "SELECT * FROM 'sensors/+/temp'", **extra) -> dict:
    return {"sql": sql, "actions": [REPUBLISH], **extra}


def test_create_get_replace_delete(iot) -> None:
    iot.create_topic_rule(
        ruleName="temps",
        topicRulePayload=payload(description="hot", errorAction=LAMBDA, awsIotSqlVersion="2016-03-23"),
    )
    got = conforms("GetTopicRule", iot.get_topic_rule(ruleName="temps"))
    assert got["ruleArn"] == "arn:aws:iot:us-east-1:123456789012:rule/temps"
    rule = got["rule"]
    assert rule["ruleName"] == "temps"
    assert rule["sql"] == "SELECT * FROM 'sensors/+/temp'"
    assert rule["actions"] == [REPUBLISH]
    assert rule["errorAction"] == LAMBDA
    assert rule["description"] == "hot"
    assert rule["ruleDisabled"] is False
    assert rule["awsIotSqlVersion"] == "2016-03-23"
    assert rule["createdAt"].timestamp() > 0
    iot.replace_topic_rule(
        ruleName="temps", topicRulePayload={"sql": "SELECT a FROM 'x/#' WHERE a > 1", "actions": [LAMBDA]}
    )
    rule = iot.get_topic_rule(ruleName="temps")["rule"]
    assert rule["sql"] == "SELECT a FROM 'x/#' WHERE a > 1"
    assert rule["actions"] == [LAMBDA]
    assert rule["awsIotSqlVersion"] == "2015-10-08"  # the default
    assert "errorAction" not in rule and "description" not in rule
    iot.delete_topic_rule(ruleName="temps")
    with pytest.raises(iot.exceptions.UnauthorizedException):
        iot.get_topic_rule(ruleName="temps")


def test_missing_rules_and_duplicates(iot) -> None:
    for call in (
        lambda: iot.get_topic_rule(ruleName="nope"),
        lambda: iot.delete_topic_rule(ruleName="nope"),
        lambda: iot.enable_topic_rule(ruleName="nope"),
        lambda: iot.disable_topic_rule(ruleName="nope"),
        lambda: iot.replace_topic_rule(ruleName="nope", topicRulePayload=payload()),
    ):
        with pytest.raises(iot.exceptions.UnauthorizedException, match="nope"):
            call()
    iot.create_topic_rule(ruleName="r", topicRulePayload=payload())
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_topic_rule(ruleName="r", topicRulePayload=payload("SELECT * FROM 'other'"))
    assert iot.get_topic_rule(ruleName="r")["rule"]["sql"] == "SELECT * FROM 'sensors/+/temp'"


@pytest.mark.parametrize(
    "sql",
    [
        "",
        "SELECT FROM 'a'",
        "SELECT * 'a'",
        "DELETE * FROM 'a'",
        "SELECT * FROM a/b",
        "SELECT * FROM ''",
        "SELECT * FROM 'a/#/b'",
        "SELECT * FROM 'a/b+'",
        "SELECT * FROM 'a' WHERE",
        "SELECT * FROM 'a' WHERE (x > 1",
        "SELECT * FROM 'a' WHERE x = 'open",
        "SELECT * WHERE x = 1 FROM 'a'",
        "SELECT * FROM 'a' FROM 'b'",
    ],
)
def test_sql_that_does_not_parse_is_refused(iot, sql: str) -> None:
    with pytest.raises(iot.exceptions.SqlParseException):
        iot.create_topic_rule(ruleName="r", topicRulePayload=payload(sql))
    with pytest.raises(iot.exceptions.UnauthorizedException):
        iot.get_topic_rule(ruleName="r")


@pytest.mark.parametrize(
    ("sql", "topic"),
    [
        ("select temp, 'from here' as f from 'a/b' where temp > 50", "a/b"),
        (
            "SELECT (SELECT v FROM x) AS y FROM '$aws/things/+/shadow/update' WHERE y <> 'WHERE'",
            "$aws/things/+/shadow/update",
        ),
        ("SELECT * FROM '#'", "#"),
        ("SELECT topic(2) AS id, * FROM 'd/+/t'  ", "d/+/t"),
    ],
)
def test_sql_that_parses_gives_the_rules_topic_pattern(iot, sql: str, topic: str) -> None:
    iot.create_topic_rule(ruleName="r", topicRulePayload=payload(sql))
    assert iot.list_topic_rules()["rules"][0]["topicPattern"] == topic


def test_sql_versions_and_action_shapes(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException, match="awsIotSqlVersion"):
        iot.create_topic_rule(ruleName="r", topicRulePayload=payload(awsIotSqlVersion="2020-01-01"))
    for version in ("2015-10-08", "2016-03-23", "beta"):
        iot.create_topic_rule(
            ruleName=f"r_{version.replace('-', '_')}", topicRulePayload=payload(awsIotSqlVersion=version)
        )
    # no action at all is a rule too: the model's ActionList has min 0, and AWS CDK sends one
    # ("Default: No actions will be performed")
    iot.create_topic_rule(ruleName="empty", topicRulePayload={"sql": "SELECT * FROM 'a'", "actions": []})
    assert iot.get_topic_rule(ruleName="empty")["rule"]["actions"] == []
    with pytest.raises(iot.exceptions.InvalidRequestException, match="exactly one action type"):
        iot.create_topic_rule(
            ruleName="two",
            topicRulePayload={"sql": "SELECT * FROM 'a'", "actions": [{**REPUBLISH, **LAMBDA}]},
        )
    with pytest.raises(iot.exceptions.InvalidRequestException, match="errorAction"):
        iot.create_topic_rule(ruleName="two", topicRulePayload=payload(errorAction={}))
    with pytest.raises(iot.exceptions.InvalidRequestException, match=r"actions\.1\.member\.republish\.topic"):
        lax(iot).create_topic_rule(
            ruleName="bad",
            topicRulePayload={"sql": "SELECT * FROM 'a'", "actions": [{"republish": {"roleArn": ROLE}}]},
        )
    with pytest.raises(iot.exceptions.InvalidRequestException, match="ruleName"):
        iot.create_topic_rule(ruleName="no-dashes", topicRulePayload=payload())


def test_enable_disable_and_list_filters(iot) -> None:
    iot.create_topic_rule(ruleName="a", topicRulePayload=payload("SELECT * FROM 't/1'"))
    iot.create_topic_rule(ruleName="b", topicRulePayload=payload("SELECT * FROM 't/2'", ruleDisabled=True))
    iot.create_topic_rule(ruleName="c", topicRulePayload=payload("SELECT * FROM 't/1'"))
    listed = conforms("ListTopicRules", iot.list_topic_rules())
    assert [(r["ruleName"], r["ruleDisabled"]) for r in listed["rules"]] == [
        ("a", False),
        ("b", True),
        ("c", False),
    ]
    assert listed["rules"][0]["ruleArn"] == "arn:aws:iot:us-east-1:123456789012:rule/a"
    assert [r["ruleName"] for r in iot.list_topic_rules(topic="t/1")["rules"]] == ["a", "c"]
    assert [r["ruleName"] for r in iot.list_topic_rules(ruleDisabled=True)["rules"]] == ["b"]
    iot.disable_topic_rule(ruleName="a")
    iot.enable_topic_rule(ruleName="b")
    assert iot.get_topic_rule(ruleName="a")["rule"]["ruleDisabled"] is True
    assert [r["ruleName"] for r in iot.list_topic_rules(ruleDisabled=False)["rules"]] == ["b", "c"]
    assert [r["ruleName"] for r in iot.list_topic_rules(topic="t/1", ruleDisabled=False)["rules"]] == ["c"]


def test_listing_pages_with_the_paginator(iot) -> None:
    for i in range(7):
        iot.create_topic_rule(ruleName=f"r{i}", topicRulePayload=payload())
    first = iot.list_topic_rules(maxResults=3)
    assert [r["ruleName"] for r in first["rules"]] == ["r0", "r1", "r2"]
    assert first["nextToken"]
    pages = iot.get_paginator("list_topic_rules").paginate(PaginationConfig={"PageSize": 2})
    assert [r["ruleName"] for page in pages for r in page["rules"]] == [f"r{i}" for i in range(7)]


def test_tags_header_becomes_the_rules_tags(iot) -> None:
    iot.create_topic_rule(ruleName="r", topicRulePayload=payload(), tags="team=iot&env=dev%20box")
    listed = iot.list_tags_for_resource(resourceArn="arn:aws:iot:us-east-1:123456789012:rule/r")
    assert listed["tags"] == [{"Key": "env", "Value": "dev box"}, {"Key": "team", "Value": "iot"}]


def test_topic_rules_survive_a_snapshot_and_seed_from_fixtures() -> None:
    cloud = FakeCloud(seed=5)
    cloud.seed(
        {
            "aws": {
                "accounts": [
                    {"topicRules": [{"ruleName": "r", "topicRulePayload": payload(errorAction=LAMBDA)}]}
                ]
            }
        }
    )
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    for each in (cloud, copy):
        record = each.registry.tenant("aws", "123456789012/us-east-1").table("topicRules")["r"]
        assert (record["topic"], record["errorAction"], record["disabled"]) == (
            "sensors/+/temp",
            LAMBDA,
            False,
        )
    with pytest.raises(Exception, match="FROM"):
        FakeCloud(seed=5).seed(
            {
                "aws": {
                    "accounts": [{"topicRules": [{"ruleName": "r", "topicRulePayload": payload("SELECT *")}]}]
                }
            }
        )
