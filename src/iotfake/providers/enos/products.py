"""EnOS product operations. A product carries the device quota (default 10,000)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...registry import Product, Tenant
from ...reply import Reply
from ..base import Call, query_of
from . import validation as v
from .devices import tenant
from .errors import MODEL_NOT_FOUND, EnosError, invalid

if TYPE_CHECKING:
    from . import EnosProvider

DEFAULT_QUOTA = 10_000
PRODUCT_TYPES = ("Device", "Gateway")
DATA_FORMATS = ("Custom", "Json")


def wire(product: Product, org: Tenant) -> dict[str, Any]:
    a = product.attributes
    return {
        "orgId": org.id,
        "productKey": product.key,
        "productName": product.name,
        "productSecret": a.get("productSecret"),
        "productDesc": a.get("productDesc"),
        "productType": a.get("productType"),
        "dataFormat": a.get("dataFormat"),
        "productTags": a.get("productTags") or {},
        "modelId": a.get("modelId"),
        "dynamicActivateEnabled": a.get("dynamicActivateEnabled", False),
        "biDirectionalAuth": a.get("biDirectionalAuth", False),
        "createTime": product.created,
        "createBy": a.get("createBy"),
        "updateTime": product.updated,
        "updateBy": a.get("updateBy"),
    }


def choice(value: Any, field: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise invalid(field, f"{field} must be one of {', '.join(options)}")
    return value


def boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, f"{field} must be true or false")
    return value


def principal(call: Call) -> str | None:
    """createBy/updateBy: the appKey behind a token the gateway issued, else unknown (None)."""
    return call.principal if isinstance(call.principal, str) else None


def check_model(org: Tenant, model_id: str) -> None:
    """A seeded org that lists its models accepts only those; otherwise any modelId exists."""
    models = org.settings.get("models")
    if models is not None and model_id not in models:
        raise EnosError(MODEL_NOT_FOUND, f"modelId does not exist: {model_id}")


def create(provider: EnosProvider, call: Call) -> Reply:
    body = v.body_object(call.body, call.body_error)
    name = v.string_i18n(v.require(body, "productName"), "productName")
    attrs: dict[str, Any] = {
        "productType": choice(v.require(body, "productType"), "productType", PRODUCT_TYPES),
        "dataFormat": choice(v.require(body, "dataFormat"), "dataFormat", DATA_FORMATS),
        "modelId": v.string(v.require(body, "modelId"), "modelId"),
        "biDirectionalAuth": boolean(v.require(body, "biDirectionalAuth"), "biDirectionalAuth"),
        "dynamicActivateEnabled": boolean(
            body.get("dynamicActivateEnabled", False), "dynamicActivateEnabled"
        ),
        "productTags": v.tags(body.get("productTags"), "productTags"),
    }
    if body.get("productDesc") is not None:
        attrs["productDesc"] = v.string(body["productDesc"], "productDesc", allow_empty=True)
    org = tenant(provider, call, create=True)
    check_model(org, attrs["modelId"])
    ids, now = provider.cloud.ids, provider.cloud.clock.ms()
    attrs["productSecret"] = ids.product_secret()
    attrs["createBy"] = attrs["updateBy"] = principal(call)
    key = org.new_product_key(ids.product_key)
    org.add_product(
        Product(key=key, name=name, quota=DEFAULT_QUOTA, created=now, updated=now, attributes=attrs)
    )
    return provider.ok(call, key)


def product_key(call: Call) -> str:
    key = query_of(call).get("productKey")
    if not key:
        raise invalid("productKey", "productKey is missing")
    return key


def get(provider: EnosProvider, call: Call) -> Reply:
    org = tenant(provider, call)
    product = org.product(product_key(call))
    return provider.ok(call, wire(product, org))


def update(provider: EnosProvider, call: Call) -> Reply:
    """productName and biDirectionalAuth are required (as the docs say); productTags are
    replaced whole; the other fields are patched."""
    body = v.body_object(call.body, call.body_error)
    org = tenant(provider, call)
    product = org.product(product_key(call))
    name = v.string_i18n(v.require(body, "productName"), "productName")
    attrs: dict[str, Any] = {
        "biDirectionalAuth": boolean(v.require(body, "biDirectionalAuth"), "biDirectionalAuth")
    }
    if body.get("dynamicActivateEnabled") is not None:
        attrs["dynamicActivateEnabled"] = boolean(body["dynamicActivateEnabled"], "dynamicActivateEnabled")
    if "productTags" in body:
        attrs["productTags"] = v.tags(body["productTags"], "productTags")
    if "productDesc" in body:
        desc = body["productDesc"]
        attrs["productDesc"] = None if desc is None else v.string(desc, "productDesc", allow_empty=True)
    attrs["updateBy"] = principal(call)
    org.update_product(product, name=name, attributes=attrs)
    return provider.ok(call, product.key)


def delete(provider: EnosProvider, call: Call) -> Reply:
    org = tenant(provider, call)
    removed = org.remove_product(product_key(call))
    return provider.ok(call, removed.key)
