"""Domain configurations: Create/Describe/List/Update/DeleteDomainConfiguration over the catalog's
``domain configuration`` kind, whose ``authorizer`` is a RESTRICT reference to an authorizer.

AWS's rules kept: without ``domainName`` a configuration is AWS_MANAGED (its domain is the
account's endpoint for its service type); with one it is CUSTOMER_MANAGED and needs
``serverCertificateArns`` (ACM certificate ARNs, the model's pattern); ``serviceType`` is DATA
unless given; a new configuration is ENABLED; an ENABLED configuration cannot be deleted (disable
it first, as the developer guide says); ``removeAuthorizerConfig`` drops the authorizer; the named default
authorizer must exist. The account's own endpoints are listed as ENDPOINT configurations
(``iot:Data-ATS``, ``iot:CredentialProvider``, ``iot:Jobs``).

Choices where AWS documents nothing ([I] in the README): a missing authorizer is
InvalidRequestException (Create's model lists no not-found error); server certificates are
reported VALID without contacting ACM; the ENDPOINT configurations can be described and listed but
not updated or deleted (InvalidRequestException); the ARN ends in the configuration's name and a
five-character id, as AWS's do.
"""

from __future__ import annotations

from typing import Any

from ...registry.errors import NotFound
from ...registry.records import Records
from . import arns, endpoints, paging
from .context import Context
from .wire import AwsError, invalid

KIND = "domain configuration"
#: the account's endpoint configurations: name -> (service type, DescribeEndpoint type)
RESERVED = {
    "iot:Data-ATS": ("DATA", "iot:Data-ATS"),
    "iot:CredentialProvider": ("CREDENTIAL_PROVIDER", "iot:CredentialProvider"),
    "iot:Jobs": ("JOBS", "iot:Jobs"),
}
SETTINGS = ("tlsConfig", "serverCertificateConfig", "authenticationType", "applicationProtocol",
            "clientCertificateConfig")  # fmt: skip


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def _arn(ctx: Context, name: str, suffix: str = "") -> str:
    return arns.arn(ctx.tenant.id, f"domainconfiguration/{name}" + (f"/{suffix}" if suffix else ""))


def _host(ctx: Context, endpoint_type: str) -> str:
    account, region = arns.split_tenant(ctx.tenant.id)
    return endpoints.HOSTS[endpoint_type].format(prefix=endpoints.prefix(account), region=region)


def create(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    name = args["domainConfigurationName"]
    if name in RESERVED:
        raise invalid(f"The domain configuration name {name} is reserved")
    table = records(ctx)
    if name in table:
        raise AwsError(
            "ResourceAlreadyExistsException", f"Domain configuration {name} already exists", resourceId=name
        )
    certificates = list(args.get("serverCertificateArns") or [])
    domain = args.get("domainName")
    if domain is not None and not certificates:
        raise invalid("A custom domainName needs serverCertificateArns")
    if domain is None and certificates:
        raise invalid("serverCertificateArns need a domainName")
    service = args.get("serviceType", "DATA")
    config = args.get("authorizerConfig") or {}
    record = {
        "name": name,
        "domainName": domain,
        "domainType": "CUSTOMER_MANAGED" if domain else "AWS_MANAGED",
        "serviceType": service,
        "status": "ENABLED",
        "authorizer": config.get("defaultAuthorizerName"),
        "allowOverride": config.get("allowAuthorizerOverride"),
        "certificates": certificates,
        "settings": {key: args[key] for key in SETTINGS if args.get(key) is not None},
        "changed": ctx.now_ms,
        "tags": list(args.get("tags") or []),
        "id": ctx.ids.string_for(KIND, 5, "abcdefghijklmnopqrstuvwxyz0123456789"),
    }
    try:
        table.create(name, record)
    except NotFound as exc:
        raise invalid(f"Authorizer {exc.key} does not exist") from None
    return {"domainConfigurationName": name, "domainConfigurationArn": _arn(ctx, name, record["id"])}


def describe(ctx: Context) -> dict[str, Any]:
    name = ctx.input["domainConfigurationName"]
    if name in RESERVED:
        service, endpoint = RESERVED[name]
        return {
            "domainConfigurationName": name,
            "domainConfigurationArn": _arn(ctx, name),
            "domainName": _host(ctx, endpoint),
            "serverCertificates": [],
            "domainConfigurationStatus": "ENABLED",
            "serviceType": service,
            "domainType": "ENDPOINT",
        }
    record = records(ctx).get(name)
    domain = record["domainName"] or _host(ctx, _endpoint_of(record["serviceType"]))
    out: dict[str, Any] = {
        "domainConfigurationName": name,
        "domainConfigurationArn": _arn(ctx, name, record.get("id", "")),
        "domainName": domain,
        "serverCertificates": [
            {"serverCertificateArn": c, "serverCertificateStatus": "VALID"} for c in record["certificates"]
        ],
        "domainConfigurationStatus": record["status"],
        "serviceType": record["serviceType"],
        "domainType": record["domainType"],
        "lastStatusChangeDate": record.get("changed", 0) / 1000,
        **record.get("settings", {}),
    }
    if record.get("authorizer") is not None:
        config: dict[str, Any] = {"defaultAuthorizerName": record["authorizer"]}
        if record.get("allowOverride") is not None:
            config["allowAuthorizerOverride"] = record["allowOverride"]
        out["authorizerConfig"] = config
    return out


def _endpoint_of(service: str) -> str:
    return next(endpoint for service_type, endpoint in RESERVED.values() if service_type == service)


def update(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    name = args["domainConfigurationName"]
    if name in RESERVED:
        raise invalid(f"The domain configuration {name} cannot be updated in the fake")
    table = records(ctx)
    current = table.get(name)
    record = dict(current)
    if args.get("authorizerConfig") is not None and args.get("removeAuthorizerConfig"):
        raise invalid("Give authorizerConfig or removeAuthorizerConfig, not both")
    if args.get("authorizerConfig") is not None:
        config = args["authorizerConfig"]
        record["authorizer"] = config.get("defaultAuthorizerName", record.get("authorizer"))
        record["allowOverride"] = config.get("allowAuthorizerOverride", record.get("allowOverride"))
    if args.get("removeAuthorizerConfig"):
        record["authorizer"], record["allowOverride"] = None, None
    status = args.get("domainConfigurationStatus")
    if status is not None and status != record["status"]:
        record["status"], record["changed"] = status, ctx.now_ms
    record["settings"] = {
        **record.get("settings", {}),
        **{k: args[k] for k in SETTINGS if args.get(k) is not None},
    }
    try:
        table.replace(name, record)
    except NotFound as exc:
        raise AwsError("ResourceNotFoundException", f"Authorizer {exc.key} cannot be found.") from None
    return {"domainConfigurationName": name, "domainConfigurationArn": _arn(ctx, name, record.get("id", ""))}


def delete(ctx: Context) -> dict[str, Any]:
    name = ctx.input["domainConfigurationName"]
    if name in RESERVED:
        raise invalid(f"The domain configuration {name} cannot be deleted")
    table = records(ctx)
    if table.get(name)["status"] == "ENABLED":
        raise invalid(f"Domain configuration {name} is ENABLED: disable it before deleting it")
    table.delete(name)
    return {}


def listing(ctx: Context) -> dict[str, Any]:
    service = ctx.input.get("serviceType")
    table = records(ctx).table
    every = [(n, s) for n, (s, _) in RESERVED.items()] + [(n, r["serviceType"]) for n, r in table.items()]
    chosen = [(n, s) for n, s in every if service is None or s == service]
    chunk, marker = paging.page(
        chosen,
        key=lambda item: [item[0]],
        token=ctx.input.get("marker"),
        size=ctx.input.get("pageSize", paging.DEFAULT_MARKER_PAGE),
        field="marker",
    )
    return {
        "domainConfigurations": [
            {
                "domainConfigurationName": n,
                "domainConfigurationArn": _arn(ctx, n, table[n].get("id", "") if n in table else ""),
                "serviceType": s,
            }
            for n, s in chunk
        ],
        "nextMarker": marker,
    }
