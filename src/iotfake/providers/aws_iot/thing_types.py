"""Thing types: Create, Describe, List, Update, Deprecate (and undo), Delete.

A thing type is a registry Product without a quota; its things are the product's devices, so
"type still in use" is the registry's InUse. AWS also requires a type to have been deprecated for
five minutes before DeleteThingType: the fake enforces that on its own clock (``cloud.clock.advance``
skips the wait) and an account can shorten it with ``"thingTypeDeletionWaitSeconds"`` in fixtures.
"""

from __future__ import annotations

from typing import Any

from ...registry import Product, Tenant
from ...registry.errors import InUse
from . import arns, paging
from .context import Context
from .validation import Problems
from .wire import AwsError, invalid

DELETION_WAIT_SECONDS = 300
MAX_SEARCHABLE_ATTRIBUTES = 3
#: the connection attributes a propagating attribute may name (CloudFormation's
#: AWS::IoT::ThingType PropagatingAttribute lists these allowed values; the model only a pattern)
CONNECTION_ATTRIBUTES = ("iot:ClientId", "iot:Thing.ThingName")
#: the properties the developer guide calls immutable ("Thing types are immutable"; CloudFormation
#: replaces the type to change them); UpdateThingType changes ``mqtt5Configuration``
FIXED_PROPERTIES = ("thingTypeDescription", "searchableAttributes")


def wire(product: Product, tenant: Tenant) -> dict[str, Any]:
    attrs = product.attributes
    metadata: dict[str, Any] = {
        "deprecated": bool(attrs.get("deprecated")),
        "creationDate": product.created / 1000,
    }
    if attrs.get("deprecationDate") is not None:
        metadata["deprecationDate"] = attrs["deprecationDate"]
    return {
        "thingTypeName": product.key,
        "thingTypeId": attrs["id"],
        "thingTypeArn": arns.thing_type(tenant.id, product.key),
        "thingTypeProperties": dict(attrs.get("properties") or {}),
        "thingTypeMetadata": metadata,
    }


def add_type(
    ctx: Context, name: str, properties: dict[str, Any], tags: list[dict[str, Any]] | None
) -> Product:
    """Create a thing type, or return the identical one (CreateThingType is idempotent)."""
    searchable = properties.get("searchableAttributes") or []
    check_mqtt5(properties)
    if len(searchable) > MAX_SEARCHABLE_ATTRIBUTES:
        raise invalid(
            f"A thing type can have at most {MAX_SEARCHABLE_ATTRIBUTES} searchable attributes; "
            f"the request gives {len(searchable)}"
        )
    tenant = ctx.tenant
    with tenant.lock:
        existing = tenant.products.get(name)
        if existing is not None:
            if (existing.attributes.get("properties") or {}) == properties:
                return existing
            raise AwsError(
                "ResourceAlreadyExistsException",
                f"Thing type {name} already exists with different properties",
                resourceId=existing.attributes["id"],
                resourceArn=arns.thing_type(tenant.id, name),
            )
        product = Product(
            key=name,
            name=name,
            quota=None,
            created=ctx.now_ms,
            updated=ctx.now_ms,
            attributes={
                "id": ctx.ids.uuid(),
                "properties": properties,
                "tags": tags or [],
                "deprecated": False,
            },
        )
        return tenant.add_product(product)


def create(ctx: Context) -> dict[str, Any]:
    product = add_type(
        ctx,
        ctx.input["thingTypeName"],
        dict(ctx.input.get("thingTypeProperties") or {}),
        ctx.input.get("tags"),
    )
    return {
        "thingTypeName": product.key,
        "thingTypeArn": arns.thing_type(ctx.tenant.id, product.key),
        "thingTypeId": product.attributes["id"],
    }


def check_mqtt5(properties: dict[str, Any]) -> None:
    """What the model's patterns leave to the service: each propagating attribute names its
    user property key and exactly one source, a thing attribute or a connection attribute
    CloudFormation lists ([I]: AWS documents no error text for these)."""
    config = properties.get("mqtt5Configuration") or {}
    for index, attribute in enumerate(config.get("propagatingAttributes") or [], start=1):
        where = f"thingTypeProperties.mqtt5Configuration.propagatingAttributes.{index}.member"
        if not attribute.get("userPropertyKey"):
            raise invalid(f"A propagating attribute needs a userPropertyKey (at '{where}')")
        sources = [k for k in ("thingAttribute", "connectionAttribute") if attribute.get(k)]
        if len(sources) != 1:
            raise invalid(
                f"A propagating attribute names either a thingAttribute or a connectionAttribute "
                f"(at '{where}')"
            )
        connection = attribute.get("connectionAttribute")
        if connection is not None and connection not in CONNECTION_ATTRIBUTES:
            problems = Problems()
            problems.add(
                connection,
                f"{where}.connectionAttribute",
                f"Member must satisfy enum value set: [{', '.join(CONNECTION_ATTRIBUTES)}]",
            )
            raise invalid(problems.message())


def update(ctx: Context) -> dict[str, Any]:
    """UpdateThingType: a new ``mqtt5Configuration`` replaces the old one (an empty one clears
    it). The description and searchable attributes are immutable ([I]: repeating the stored
    value is accepted, another one is ``InvalidRequestException``), and a deprecated type takes
    no update ([I]: deprecation leaves existing things' behaviour unchanged)."""
    tenant, name = ctx.tenant, ctx.input["thingTypeName"]
    given = dict(ctx.input.get("thingTypeProperties") or {})
    check_mqtt5(given)
    with tenant.lock:
        product = tenant.product(name)
        attrs = dict(product.attributes)
        if attrs.get("deprecated"):
            raise invalid(f"Thing type {name} is deprecated and cannot be updated")
        stored = dict(attrs.get("properties") or {})
        for key in FIXED_PROPERTIES:
            if key in given and (given[key] or None) != (stored.get(key) or None):  # [] is none
                raise invalid(f"The {key} of thing type {name} cannot be changed")
        if "mqtt5Configuration" not in given:
            return {}
        if given["mqtt5Configuration"]:
            stored["mqtt5Configuration"] = given["mqtt5Configuration"]
        else:
            stored.pop("mqtt5Configuration", None)
        attrs["properties"] = stored
        tenant.update_product(product, attributes=attrs, replace=True)
    return {}


def describe(ctx: Context) -> dict[str, Any]:
    return wire(ctx.tenant.product(ctx.input["thingTypeName"]), ctx.tenant)


def listing(ctx: Context) -> dict[str, Any]:
    name, products = ctx.input.get("thingTypeName"), ctx.tenant.products
    chunk, token = paging.by_key(
        sorted(products) if name is None else [name] if name in products else [],
        products.get,
        ctx.input.get("nextToken"),
        ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    items = []
    for product in chunk:
        item = wire(product, ctx.tenant)
        del item["thingTypeId"]
        items.append(item)
    return {"thingTypes": items, "nextToken": token}


def deprecate(ctx: Context) -> dict[str, Any]:
    tenant = ctx.tenant
    with tenant.lock:
        product = tenant.product(ctx.input["thingTypeName"])
        attrs = dict(product.attributes)
        if ctx.input.get("undoDeprecate"):
            attrs["deprecated"] = False
            attrs.pop("deprecationDate", None)
        elif not attrs.get("deprecated"):
            attrs["deprecated"] = True
            attrs["deprecationDate"] = ctx.now
        tenant.update_product(product, attributes=attrs, replace=True)
    return {}


def delete(ctx: Context) -> dict[str, Any]:
    tenant, name = ctx.tenant, ctx.input["thingTypeName"]
    wait = tenant.settings.get("thingTypeDeletionWaitSeconds", DELETION_WAIT_SECONDS)
    with tenant.lock:
        product = tenant.product(name)
        since = product.attributes.get("deprecationDate")
        if not product.attributes.get("deprecated") or since is None:
            raise invalid(f"Thing type {name} must be deprecated before it can be deleted")
        if ctx.now - since < wait:
            raise invalid(
                f"Thing type {name} was deprecated {int(ctx.now - since)} seconds ago; it can be deleted "
                f"{wait} seconds after deprecation"
            )
        try:
            tenant.remove_product(name)
        except InUse as exc:
            count = len(product.devices)
            raise invalid(
                f"Thing type {name} cannot be deleted: {count} things are still associated with it"
            ) from exc
    return {}
