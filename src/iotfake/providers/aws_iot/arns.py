"""Accounts, regions and ARNs. A tenant is one account in one region: ``"123456789012/us-east-1"``."""

from __future__ import annotations

import re

from ...memo import keep

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
ACCOUNT = re.compile(r"\d{12}")
#: region names as AWS forms them (us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ...)
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def tenant_id(account: str, region: str) -> str:
    return f"{account}/{region}"


def split_tenant(tenant: str) -> tuple[str, str]:
    account, _, region = tenant.partition("/")
    return account, region


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def arn(tenant: str, resource: str) -> str:
    """``arn:aws:iot:us-east-1:123456789012:<resource>`` for a tenant id."""
    return _prefix(tenant) + resource


def _prefix(tenant: str) -> str:
    """``arn:aws:iot:us-east-1:123456789012:``: made once per tenant, as every answer names one."""
    prefix = _PREFIXES.get(tenant)
    if prefix is None:
        account, region = split_tenant(tenant)
        prefix = f"arn:{partition(region)}:iot:{region}:{account}:"
        keep(_PREFIXES, tenant, prefix, 1024)
    return prefix


_PREFIXES: dict[str, str] = {}


def thing(tenant: str, name: str) -> str:
    return _prefix(tenant) + "thing/" + name


def thing_type(tenant: str, name: str) -> str:
    return arn(tenant, f"thingtype/{name}")


def thing_group(tenant: str, name: str) -> str:
    return arn(tenant, f"thinggroup/{name}")


def certificate(tenant: str, certificate_id: str) -> str:
    return arn(tenant, f"cert/{certificate_id}")


def policy(tenant: str, name: str) -> str:
    return arn(tenant, f"policy/{name}")


def resource_of(tenant: str, value: str, kind: str) -> str | None:
    """The name in an ARN of this tenant (``kind`` = ``thing``, ``cert``, ...), else None."""
    prefix = arn(tenant, f"{kind}/")
    if value.startswith(prefix) and len(value) > len(prefix):
        return value[len(prefix) :]
    return None
