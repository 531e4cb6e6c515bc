"""Topic rule destinations: Create/Get/List/Update/Delete/ConfirmTopicRuleDestination over the
catalog's ``topic rule destination`` kind (keyed by the id at the end of the ARN).

AWS's rules kept: an HTTP destination starts IN_PROGRESS and becomes ENABLED once confirmed with
the token AWS sends to its ``confirmationUrl``; it cannot be ENABLED before that
(InvalidRequestException); setting IN_PROGRESS again asks for a new confirmation; a second HTTP
destination for the same URL is ResourceAlreadyExistsException. ARNs are
``ruledestination/http/<uuid>`` and ``ruledestination/vpc/<uuid>``.

Choices where AWS documents nothing or the fake cannot do what AWS does ([I] in the README): the
fake sends no confirmation request, so an IN_PROGRESS HTTP destination's ``statusReason`` carries
the token to confirm it with; a VPC destination is ENABLED at once (AWS takes about a minute);
missing destinations answer UnauthorizedException (the model lists no not-found error);
ERROR and DELETING cannot be set; influxDB destinations are not served (InvalidRequestException).
"""

from __future__ import annotations

from typing import Any

from ...registry.records import Records
from . import arns, paging
from .context import Context
from .wire import AwsError, invalid

KIND = "topic rule destination"
SETTABLE = ("ENABLED", "DISABLED", "IN_PROGRESS")


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def _arn(ctx: Context, record: dict[str, Any]) -> str:
    return arns.arn(ctx.tenant.id, f"ruledestination/{record['type']}/{record['id']}")


def _find(ctx: Context, arn: str) -> dict[str, Any]:
    prefix = arns.arn(ctx.tenant.id, "ruledestination/")
    _, _, key = arn.removeprefix(prefix).partition("/") if arn.startswith(prefix) else ("", "", "")
    record = records(ctx).find(key) if key else None
    if record is None or _arn(ctx, record) != arn:
        raise AwsError("UnauthorizedException", f"The destination {arn} does not exist or is not authorized")
    return record


def _reason(record: dict[str, Any]) -> str | None:
    if record["status"] == "IN_PROGRESS" and record.get("token"):
        return f"Awaiting confirmation: ConfirmTopicRuleDestination with token {record['token']}"
    return None


def _view(ctx: Context, record: dict[str, Any], *, summary: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "arn": _arn(ctx, record),
        "status": record["status"],
        "createdAt": record.get("created", 0) / 1000,
        "lastUpdatedAt": record.get("updated", 0) / 1000,
    }
    reason = _reason(record)
    if reason:
        out["statusReason"] = reason
    if record["type"] == "http":
        out["httpUrlSummary" if summary else "httpUrlProperties"] = dict(record["config"])
    else:
        out["vpcDestinationSummary" if summary else "vpcProperties"] = dict(record["config"])
    return out


def create(ctx: Context) -> dict[str, Any]:
    config = ctx.input["destinationConfiguration"]
    named = [
        k for k in ("httpUrlConfiguration", "vpcConfiguration", "influxDBConfiguration") if config.get(k)
    ]
    if len(named) != 1:
        raise invalid(
            "destinationConfiguration must name exactly one of httpUrlConfiguration, vpcConfiguration"
        )
    if named[0] == "influxDBConfiguration":
        raise invalid("influxDBConfiguration destinations are not served by the fake")
    table = records(ctx)
    record: dict[str, Any] = {
        "id": ctx.ids.uuid_for(KIND),
        "created": ctx.now_ms,
        "updated": ctx.now_ms,
        "confirmed": False,
    }
    if named[0] == "httpUrlConfiguration":
        url = config["httpUrlConfiguration"]["confirmationUrl"]
        if not url.startswith("https://"):
            raise invalid(f"The confirmationUrl must be an HTTPS URL: {url}")
        for _, other in table.items():
            if other["type"] == "http" and other["config"]["confirmationUrl"] == url:
                raise AwsError(
                    "ResourceAlreadyExistsException",
                    f"A destination for {url} already exists",
                    resourceId=other["id"],
                )
        record.update(
            type="http", status="IN_PROGRESS", config={"confirmationUrl": url}, token=ctx.ids.uuid_for(KIND)
        )
    else:
        record.update(type="vpc", status="ENABLED", config=dict(config["vpcConfiguration"]), token=None)
    table.create(record["id"], record)
    return {"topicRuleDestination": _view(ctx, record, summary=False)}


def get(ctx: Context) -> dict[str, Any]:
    return {"topicRuleDestination": _view(ctx, _find(ctx, ctx.input["arn"]), summary=False)}


def listing(ctx: Context) -> dict[str, Any]:
    table = records(ctx).table
    chunk, token = paging.page(
        list(table),
        key=lambda k: [table[k].get("created", 0), k],
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"destinationSummaries": [_view(ctx, table[k], summary=True) for k in chunk], "nextToken": token}


def update(ctx: Context) -> dict[str, Any]:
    record = _find(ctx, ctx.input["arn"])
    status = ctx.input["status"]
    if status not in SETTABLE:
        raise invalid(f"The status can be set to {', '.join(SETTABLE)}, not {status}")
    changes: dict[str, Any] = {"status": status, "updated": ctx.now_ms}
    if status == "ENABLED" and record["type"] == "http" and not record.get("confirmed"):
        raise invalid("The destination cannot be ENABLED before it is confirmed")
    if status == "IN_PROGRESS" and record["type"] == "http":
        changes.update(token=ctx.ids.uuid_for(KIND), confirmed=False)
    records(ctx).replace(record["id"], {**record, **changes})
    return {}


def delete(ctx: Context) -> dict[str, Any]:
    record = _find(ctx, ctx.input["arn"])
    records(ctx).delete(record["id"])
    return {}


def confirm(ctx: Context) -> dict[str, Any]:
    token = ctx.input["confirmationToken"]
    table = records(ctx)
    for key, record in table.items():
        if record.get("token") == token and record["status"] == "IN_PROGRESS":
            table.replace(
                key, {**record, "status": "ENABLED", "confirmed": True, "token": None, "updated": ctx.now_ms}
            )
            return {}
    raise invalid("The confirmation token is not valid")
