"""Topic rules: Create/Get/List/Replace/Enable/Disable/DeleteTopicRule over the catalog's
``topic rule`` kind. The fake stores rules and checks them; it routes no messages through them.

What is checked: the rule name (the model's pattern), the SQL statement (``rule_sql``: SELECT ...
FROM 'filter' [WHERE ...], else SqlParseException), ``awsIotSqlVersion`` (2015-10-08, the
default, 2016-03-23 or beta, the developer guide's list), each action naming exactly one action
type (the action's own required fields are the model's), at most 10 actions (the model).

Choices where AWS documents nothing ([I] in the README): the model lists no ResourceNotFound for
these operations, so a rule that is not there answers UnauthorizedException (401) on Get, Replace,
Enable, Disable and Delete; ListTopicRules' ``topic`` keeps the rules whose topic filter is exactly
that topic; a rule with no action at all is refused (InvalidRequestException), as the console does;
the ``x-amz-tagging`` header of CreateTopicRule (``k1=v1&k2=v2``) becomes the rule's tags,
under TagResource's rules (``tags.checked``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from ...registry.records import Records
from . import arns, paging
from .context import Context
from .rule_sql import SqlError, topic_of
from .tags import checked, over_limit
from .wire import AwsError, invalid

KIND = "topic rule"
SQL_VERSIONS = ("2015-10-08", "2016-03-23", "beta")
DEFAULT_SQL_VERSION = "2015-10-08"


def arn(ctx: Context, name: str) -> str:
    return arns.arn(ctx.tenant.id, f"rule/{name}")


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def _existing(ctx: Context, name: str) -> dict[str, Any]:
    record = records(ctx).find(name)
    if record is None:
        raise AwsError("UnauthorizedException", f"The rule {name} does not exist or is not authorized")
    return record


def _payload(ctx: Context) -> dict[str, Any]:
    """The stored fields of a TopicRulePayload, checked."""
    payload = ctx.input["topicRulePayload"]
    try:
        topic = topic_of(payload["sql"])
    except SqlError as exc:
        raise AwsError("SqlParseException", str(exc)) from None
    version = payload.get("awsIotSqlVersion", DEFAULT_SQL_VERSION)
    if version not in SQL_VERSIONS:
        raise invalid(f"awsIotSqlVersion {version} is not one of {', '.join(SQL_VERSIONS)}")
    actions = list(payload["actions"])  # none is allowed (the model's ActionList: min 0)
    for index, action in enumerate(actions):
        _one_type(action, f"topicRulePayload.actions[{index}]")
    if payload.get("errorAction") is not None:
        _one_type(payload["errorAction"], "topicRulePayload.errorAction")
    return {
        "sql": payload["sql"],
        "topic": topic,
        "actions": actions,
        "disabled": bool(payload.get("ruleDisabled", False)),
        "sqlVersion": version,
        "description": payload.get("description"),
        "errorAction": payload.get("errorAction"),
    }


def _one_type(action: dict[str, Any], path: str) -> None:
    if len(action) != 1:
        named = ", ".join(sorted(action)) or "none"
        raise invalid(f"{path} must name exactly one action type (named: {named})")


def create(ctx: Context) -> None:
    name = ctx.input["ruleName"]
    fields = _payload(ctx)
    table = records(ctx)
    if name in table:
        raise AwsError("ResourceAlreadyExistsException", f"Rule {name} already exists", resourceId=name)
    pairs = parse_qsl(ctx.input.get("tags") or "", keep_blank_values=True)
    tags = checked(({"Key": k, "Value": v} for k, v in pairs), over=over_limit("CreateTopicRule"))
    table.create(name, {"name": name, **fields, "created": ctx.now_ms, "tags": tags})
    return None


def get(ctx: Context) -> dict[str, Any]:
    name = ctx.input["ruleName"]
    record = _existing(ctx, name)
    rule: dict[str, Any] = {
        "ruleName": name,
        "sql": record["sql"],
        "createdAt": record.get("created", 0) / 1000,
        "actions": record["actions"],
        "ruleDisabled": record.get("disabled", False),
        "awsIotSqlVersion": record.get("sqlVersion", DEFAULT_SQL_VERSION),
    }
    if record.get("description") is not None:
        rule["description"] = record["description"]
    if record.get("errorAction") is not None:
        rule["errorAction"] = record["errorAction"]
    return {"ruleArn": arn(ctx, name), "rule": rule}


def replace(ctx: Context) -> None:
    name = ctx.input["ruleName"]
    current = _existing(ctx, name)
    records(ctx).replace(name, {**current, **_payload(ctx)})
    return None


def enable(ctx: Context) -> None:
    return _set_disabled(ctx, False)


def disable(ctx: Context) -> None:
    return _set_disabled(ctx, True)


def _set_disabled(ctx: Context, disabled: bool) -> None:
    name = ctx.input["ruleName"]
    current = _existing(ctx, name)
    records(ctx).replace(name, {**current, "disabled": disabled})
    return None


def delete(ctx: Context) -> None:
    name = ctx.input["ruleName"]
    _existing(ctx, name)
    records(ctx).delete(name)
    return None


def listing(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    table = records(ctx).table
    names = [
        n
        for n, r in table.items()
        if (args.get("topic") is None or r["topic"] == args["topic"])
        and (args.get("ruleDisabled") is None or r.get("disabled", False) == args["ruleDisabled"])
    ]
    chunk, token = paging.names(
        names,
        args.get("nextToken"),
        args.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {
        "rules": [
            {
                "ruleArn": arn(ctx, n),
                "ruleName": n,
                "topicPattern": table[n]["topic"],
                "createdAt": table[n].get("created", 0) / 1000,
                "ruleDisabled": table[n].get("disabled", False),
            }
            for n in chunk
        ],
        "nextToken": token,
    }
