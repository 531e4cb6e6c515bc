"""AWS IoT logging settings through boto3: the v1 options (Get/SetLoggingOptions), the v2 options
(Get/SetV2LoggingOptions) and v2 log levels per target (Set/List/DeleteV2LoggingLevel), stored
per account and region, checked against the model and kept in snapshots. Account set-up code
(Terraform, CDK custom resources, scripts) calls them before anything else: they answered 501."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

ROLE = "arn:aws:iam::123456789012:role/iot-logging"


def target(kind: str, name: str | None = None) -> dict[str, str]:
    return {"targetType": kind, **({"targetName": name} if name else {})}


def test_v1_logging_options_are_stored_and_read_back(iot) -> None:
    fresh = conforms("GetLoggingOptions", iot.get_logging_options())
    assert "roleArn" not in fresh and "logLevel" not in fresh
    iot.set_logging_options(loggingOptionsPayload={"roleArn": ROLE, "logLevel": "WARN"})
    got = conforms("GetLoggingOptions", iot.get_logging_options())
    assert (got["roleArn"], got["logLevel"]) == (ROLE, "WARN")


def test_v2_logging_options_are_not_configured_until_set(iot) -> None:
    with pytest.raises(iot.exceptions.NotConfiguredException):
        iot.get_v2_logging_options()
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="INFO")
    got = conforms("GetV2LoggingOptions", iot.get_v2_logging_options())
    assert (got["roleArn"], got["defaultLogLevel"], got["disableAllLogs"]) == (ROLE, "INFO", False)
    iot.set_v2_logging_options(disableAllLogs=True)  # a set replaces the options, as AWS's does
    got = iot.get_v2_logging_options()
    assert got["disableAllLogs"] is True and "roleArn" not in got and "defaultLogLevel" not in got


def test_v2_log_levels_per_target(iot) -> None:
    with pytest.raises(iot.exceptions.NotConfiguredException):
        iot.list_v2_logging_levels()
    with pytest.raises(iot.exceptions.NotConfiguredException):
        iot.set_v2_logging_level(logTarget=target("CLIENT_ID", "lamp"), logLevel="DEBUG")
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="ERROR")
    iot.create_thing_group(thingGroupName="lamps")
    iot.set_v2_logging_level(logTarget=target("THING_GROUP", "lamps"), logLevel="DEBUG")
    iot.set_v2_logging_level(logTarget=target("CLIENT_ID", "lamp-1"), logLevel="INFO")
    iot.set_v2_logging_level(logTarget=target("CLIENT_ID", "lamp-1"), logLevel="WARN")
    listed = conforms("ListV2LoggingLevels", iot.list_v2_logging_levels())["logTargetConfigurations"]
    assert listed == [
        {"logTarget": {"targetType": "CLIENT_ID", "targetName": "lamp-1"}, "logLevel": "WARN"},
        {"logTarget": {"targetType": "THING_GROUP", "targetName": "lamps"}, "logLevel": "DEBUG"},
    ]
    only = iot.list_v2_logging_levels(targetType="THING_GROUP")["logTargetConfigurations"]
    assert [c["logTarget"]["targetName"] for c in only] == ["lamps"]
    pages = iot.get_paginator("list_v2_logging_levels").paginate(PaginationConfig={"PageSize": 1})
    assert len([c for page in pages for c in page["logTargetConfigurations"]]) == 2
    iot.delete_v2_logging_level(targetType="CLIENT_ID", targetName="lamp-1")
    iot.delete_v2_logging_level(targetType="CLIENT_ID", targetName="never-set")  # no error
    assert [
        c["logTarget"]["targetName"] for c in iot.list_v2_logging_levels()["logTargetConfigurations"]
    ] == ["lamps"]


def test_the_default_target_s_level_is_one_whatever_name_a_call_gives(iot) -> None:
    """DEFAULT names no target: its level is set without a name and deleted with any (the
    DeleteV2LoggingLevel model requires one); the delete looked up the name it was given."""
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="ERROR")
    iot.set_v2_logging_level(logTarget=target("DEFAULT"), logLevel="WARN")
    iot.set_v2_logging_level(logTarget=target("DEFAULT", "ignored"), logLevel="INFO")
    listed = iot.list_v2_logging_levels()["logTargetConfigurations"]
    assert listed == [{"logTarget": {"targetType": "DEFAULT"}, "logLevel": "INFO"}]
    iot.delete_v2_logging_level(targetType="DEFAULT", targetName="any")
    assert iot.list_v2_logging_levels()["logTargetConfigurations"] == []


def test_bad_logging_input_is_refused_and_changes_nothing(iot) -> None:
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="ERROR")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="thing group nope"):
        iot.set_v2_logging_level(logTarget=target("THING_GROUP", "nope"), logLevel="INFO")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="targetName"):
        iot.set_v2_logging_level(logTarget=target("CLIENT_ID"), logLevel="INFO")
    assert iot.list_v2_logging_levels()["logTargetConfigurations"] == []


def test_logging_settings_survive_a_snapshot(iot, aws_cloud) -> None:
    iot.set_logging_options(loggingOptionsPayload={"roleArn": ROLE, "logLevel": "ERROR"})
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="WARN")
    iot.set_v2_logging_level(logTarget=target("SOURCE_IP", "10.0.0.1"), logLevel="DEBUG")
    snapshot = aws_cloud.snapshot()
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert iot.get_logging_options()["logLevel"] == "ERROR"
    assert iot.get_v2_logging_options()["defaultLogLevel"] == "WARN"
    assert iot.list_v2_logging_levels()["logTargetConfigurations"][0]["logLevel"] == "DEBUG"


def test_a_hand_edited_logging_setting_is_refused_at_restore(aws_cloud, iot) -> None:
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="WARN")
    snapshot = aws_cloud.snapshot()
    tenant = next(t for t in snapshot["registry"]["tenants"] if t["provider"] == "aws")
    tenant["settings"]["v2LoggingOptions"]["defaultLogLevel"] = "LOUD"
    with pytest.raises(ValueError, match="v2LoggingOptions"):
        aws_cloud.restore(snapshot)
    assert iot.get_v2_logging_options()["defaultLogLevel"] == "WARN"
