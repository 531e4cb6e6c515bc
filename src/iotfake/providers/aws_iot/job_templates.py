"""Job templates: CreateJobTemplate (from a document, a document source or an existing job),
DescribeJobTemplate, ListJobTemplates, DeleteJobTemplate.

Records are the catalog's ``job template`` kind. A template made from a job (``jobArn``) copies
the job's document and configuration as they are at that moment ([I]: later changes to the job
do not reach the template); members the request names override the job's. A job made from a
template (CreateJob ``jobTemplateArn``) takes the template's document and configuration where
the request does not give its own. Deleting a template leaves jobs made from it alone.
"""

from __future__ import annotations

from typing import Any

from ...registry.records import Records
from . import arns, jobs, paging
from .context import Context
from .job_config import check_document, check_timeout
from .wire import AwsError, invalid

KIND = "job template"
CONFIG = (
    "presignedUrlConfig",
    "jobExecutionsRolloutConfig",
    "abortConfig",
    "timeoutConfig",
    "jobExecutionsRetryConfig",
    "maintenanceWindows",
    "destinationPackageVersions",
    "description",
    "tags",
)


def template_arn(ctx: Context, template_id: str) -> str:
    return ctx.arn("jobtemplate", template_id)


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def create(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    template_id = args["jobTemplateId"]
    if records(ctx).find(template_id) is not None:
        raise AwsError(
            "ConflictException", f"Job template {template_id} already exists.", resourceId=template_id
        )
    config: dict[str, Any] = {}
    document, source = args.get("document"), args.get("documentSource")
    if args.get("jobArn") is not None:
        if document is not None or source is not None:
            raise invalid("Specify either jobArn or a document (document or documentSource), not both.")
        job_id = arns.resource_of(ctx.tenant.id, args["jobArn"], "job")
        job = None if job_id is None else jobs.jobs(ctx).find(job_id)
        if job is None:
            raise AwsError("ResourceNotFoundException", f"Job {args['jobArn']} cannot be found.")
        config = {k: v for k, v in job["config"].items() if k in CONFIG and k != "tags"}
        document, source = job.get("document"), job.get("documentSource")
    else:
        check_document(document, source)
    config.update({k: args[k] for k in CONFIG if k in args})
    check_timeout(config)
    records(ctx).create(
        template_id,
        {
            "id": template_id,
            "created": ctx.now_ms,
            "document": document,
            "documentSource": source,
            "config": config,
        },
    )
    return {"jobTemplateArn": template_arn(ctx, template_id), "jobTemplateId": template_id}


def describe(ctx: Context) -> dict[str, Any]:
    record = records(ctx).get(ctx.input["jobTemplateId"])
    out = {
        "jobTemplateArn": template_arn(ctx, record["id"]),
        "jobTemplateId": record["id"],
        "createdAt": record["created"] / 1000,
        **{k: v for k, v in record["config"].items() if k != "tags"},
    }
    for name in ("document", "documentSource"):
        if record.get(name) is not None:
            out[name] = record[name]
    return out


def listing(ctx: Context) -> dict[str, Any]:
    found = [r for _, r in records(ctx).items()]
    chunk, token = paging.page(found, key=lambda r: [r["id"]], token=ctx.input.get("nextToken"),
                               size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE))  # fmt: skip
    summaries = []
    for record in chunk:
        summary = {
            "jobTemplateArn": template_arn(ctx, record["id"]),
            "jobTemplateId": record["id"],
            "createdAt": record["created"] / 1000,
        }
        if record["config"].get("description") is not None:
            summary["description"] = record["config"]["description"]
        summaries.append(summary)
    return {"jobTemplates": summaries, "nextToken": token}


def delete(ctx: Context) -> dict[str, Any]:
    records(ctx).delete(ctx.input["jobTemplateId"])
    return {}
