"""The ``enos`` section of a fixtures document.

```json
{"orgs": [{"orgId": "o1",
           "apps": [{"appKey": "...", "appSecret": "..."}],
           "models": ["meter_model"],
           "products": [{"productKey": "p1", "productName": "Meter", "quota": 10000, ...}],
           "devices": [{"productKey": "p1", "deviceKey": "meter-001", ...}]}]}
```

Products take the CreateProduct fields plus ``quota`` (absent: 10,000; ``null``: unlimited),
``productSecret`` and ``createTime``. Devices take the CreateDevice fields (``deviceName`` and
``timezone`` default to the deviceKey and ``+08:00``) plus ``assetId``, ``deviceSecret``,
``status``, ``activeTime``, ``lastOnlineTime``, ``lastOfflineTime`` and ``createTime``.
``models``, when given, is the list of modelIds CreateProduct accepts in that org (11699 for
others). Every error names its path; ``documents.apply`` undoes a half-loaded document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ... import generate
from ...documents import DocumentError, expect, no_unknown
from ...registry import Device, Product, Tenant
from ...registry.errors import DomainError
from . import products as p
from . import validation as v
from .errors import EnosError
from .queries import STATUSES
from .stored_names import stored

if TYPE_CHECKING:
    from . import EnosProvider

ORG_KEYS = {"orgId", "apps", "models", "products", "devices"}
PRODUCT_KEYS = {
    "productKey",
    "productName",
    "productType",
    "dataFormat",
    "modelId",
    "biDirectionalAuth",
    "dynamicActivateEnabled",
    "productDesc",
    "productTags",
    "productSecret",
    "quota",
    "createTime",
}
DEVICE_KEYS = {
    "productKey",
    "deviceKey",
    "deviceName",
    "timezone",
    "deviceAttributes",
    "deviceTags",
    "deviceDesc",
    "assetId",
    "deviceSecret",
    "status",
    "activeTime",
    "lastOnlineTime",
    "lastOfflineTime",
    "createTime",
}


def seed(provider: EnosProvider, section: Any, path: str) -> None:
    expect(section, dict, path, "an object")
    no_unknown(section, {"orgs"}, path)
    orgs = expect(section.get("orgs", []), list, f"{path}.orgs", "a list of orgs")
    for i, raw in enumerate(orgs):
        _org(provider, raw, f"{path}.orgs[{i}]")


def _checked(path: str, check: Callable[[], Any]) -> Any:
    """Run one of the wire validators and report its complaint at ``path``."""
    try:
        return check()
    except EnosError as exc:
        raise DocumentError(path, exc.message.split(":", 1)[-1]) from None


def _org(provider: EnosProvider, raw: Any, path: str) -> None:
    expect(raw, dict, path, "an org object")
    no_unknown(raw, ORG_KEYS, path)
    org_id = expect(raw.get("orgId"), str, f"{path}.orgId", "a string orgId")
    if not org_id:
        raise DocumentError(f"{path}.orgId", "orgId must not be empty")
    org = provider.cloud.registry.tenant("enos", org_id)
    apps = expect(raw.get("apps", []), list, f"{path}.apps", "a list of apps")
    for i, app in enumerate(apps):
        _app(provider, org, app, f"{path}.apps[{i}]")
    models = expect(raw.get("models", []), list, f"{path}.models", "a list of modelIds")
    if "models" in raw:
        known = list(org.settings.get("models") or [])
        for i, model in enumerate(models):
            expect(model, str, f"{path}.models[{i}]", "a modelId string")
            if model not in known:
                known.append(model)
        org.settings["models"] = known
    for i, product in enumerate(expect(raw.get("products", []), list, f"{path}.products", "a list")):
        _product(provider, org, product, f"{path}.products[{i}]")
    for i, device in enumerate(expect(raw.get("devices", []), list, f"{path}.devices", "a list")):
        if generate.is_generator(device):
            _generated(provider, org, device, f"{path}.devices[{i}]")
        else:
            _device(provider, org, device, f"{path}.devices[{i}]")


def _app(provider: EnosProvider, org: Tenant, raw: Any, path: str) -> None:
    expect(raw, dict, path, "an app object")
    no_unknown(raw, {"appKey", "appSecret"}, path)
    key = expect(raw.get("appKey"), str, f"{path}.appKey", "a string appKey")
    secret = expect(raw.get("appSecret"), str, f"{path}.appSecret", "a string appSecret")
    if not key or not secret:
        raise DocumentError(path, "appKey and appSecret must not be empty")
    keys = provider.cloud.registry.keys
    held = keys.find(provider.name, key)
    if held is not None and held.secret != secret:
        raise DocumentError(f"{path}.appSecret", f"app {key} is already seeded with another secret")
    keys.claim(provider.name, key, secret=secret, owner=None, tenant=org.id)
    org.settings["apps"] = {**(org.settings.get("apps") or {}), key: secret}


def _product(provider: EnosProvider, org: Tenant, raw: Any, path: str) -> None:
    expect(raw, dict, path, "a product object")
    no_unknown(raw, PRODUCT_KEYS, path)
    key = expect(raw.get("productKey"), str, f"{path}.productKey", "a string productKey")
    if not key:
        raise DocumentError(f"{path}.productKey", "productKey must not be empty")
    name = _i18n(raw.get("productName", key), f"{path}.productName")
    quota = raw.get("quota", p.DEFAULT_QUOTA)
    if quota is not None:
        expect(quota, int, f"{path}.quota", "a whole number of devices or null")
        if quota < 0:
            raise DocumentError(f"{path}.quota", "quota must not be negative")
    attrs: dict[str, Any] = {
        "productType": _choice(raw, "productType", "Device", p.PRODUCT_TYPES, path),
        "dataFormat": _choice(raw, "dataFormat", "Json", p.DATA_FORMATS, path),
        "modelId": expect(raw.get("modelId", f"{key}_model"), str, f"{path}.modelId", "a modelId string"),
        "biDirectionalAuth": expect(
            raw.get("biDirectionalAuth", False), bool, f"{path}.biDirectionalAuth", "a boolean"
        ),
        "dynamicActivateEnabled": expect(
            raw.get("dynamicActivateEnabled", False), bool, f"{path}.dynamicActivateEnabled", "a boolean"
        ),
        "productTags": _checked(f"{path}.productTags", lambda: v.tags(raw.get("productTags"), "productTags")),
        "productSecret": expect(
            raw.get("productSecret") or provider.cloud.ids.product_secret(),
            str,
            f"{path}.productSecret",
            "a string",
        ),
        "createBy": None,
        "updateBy": None,
    }
    if raw.get("productDesc") is not None:
        attrs["productDesc"] = expect(raw["productDesc"], str, f"{path}.productDesc", "a string")
    created = _millis(raw, "createTime", provider.cloud.clock.ms(), path)
    product = Product(key=key, name=name, quota=quota, created=created, updated=created, attributes=attrs)
    try:
        org.add_product(product)
    except DomainError:
        raise DocumentError(f"{path}.productKey", f"product {key} already exists in {org.id}") from None


def _device(provider: EnosProvider, org: Tenant, raw: Any, path: str) -> None:
    expect(raw, dict, path, "a device object")
    no_unknown(raw, DEVICE_KEYS, path)
    product_key = expect(raw.get("productKey"), str, f"{path}.productKey", "a string productKey")
    if product_key not in org.products:
        raise DocumentError(f"{path}.productKey", f"product {product_key} is not seeded in {org.id}")
    key = raw.get("deviceKey")
    if key is not None:
        _checked(f"{path}.deviceKey", lambda: v.device_key(key))
    asset_id = raw.get("assetId")
    if asset_id is not None and (not isinstance(asset_id, str) or not asset_id):
        raise DocumentError(f"{path}.assetId", "expected a non-empty string assetId")
    name = stored(_i18n(raw.get("deviceName", key or "device"), f"{path}.deviceName"))
    zone = _checked(f"{path}.timezone", lambda: v.timezone(raw.get("timezone", "+08:00")))
    attrs = _checked(f"{path}.deviceAttributes", lambda: v.attributes(raw.get("deviceAttributes")))
    tags = _checked(f"{path}.deviceTags", lambda: v.tags(raw.get("deviceTags"), "deviceTags"))
    status = raw.get("status", "inactive")
    if status not in STATUSES:
        raise DocumentError(f"{path}.status", f"status must be one of {', '.join(STATUSES)}")
    secret = raw.get("deviceSecret")
    if secret is not None:
        expect(secret, str, f"{path}.deviceSecret", "a string")
    extra: dict[str, Any] = {"timezone": zone}
    if raw.get("deviceDesc") is not None:
        extra["deviceDesc"] = expect(raw["deviceDesc"], str, f"{path}.deviceDesc", "a string")
    for field in ("activeTime", "lastOnlineTime", "lastOfflineTime"):
        if field in raw:
            extra[field] = _millis(raw, field, 0, path)
    created = _millis(raw, "createTime", provider.cloud.clock.ms(), path)
    ids = provider.cloud.ids

    def build(device_id: str, device_key: str) -> Device:
        return Device(
            id=device_id,
            key=device_key,
            product=product_key,
            name=name,
            secret=secret or ids.device_secret(),
            attributes=attrs,
            tags=tags,
            status=status,
            created=created,
            updated=created,
            extra=extra,
        )

    try:
        org.add_device(key=key, product=product_key, build=build, device_id=asset_id)
    except DomainError as exc:
        field = "assetId" if asset_id is not None and asset_id in org.devices else "deviceKey"
        raise DocumentError(f"{path}.{field}" if exc.name == "KeyCollision" else path, exc.message) from None


def _generated(provider: EnosProvider, org: Tenant, raw: dict[str, Any], path: str) -> None:
    """``{"generate": N, "productKey": ...}``: N realistic devices (see ``iotfake.generate``)."""
    product_key = raw.get("productKey")
    product = org.products.get(product_key) if isinstance(product_key, str) else None
    if product is None:
        raise DocumentError(f"{path}.productKey", f"product {product_key} is not seeded in {org.id}")
    spec = generate.spec(
        provider.cloud,
        raw,
        path,
        default_kind=product.name["defaultValue"].strip()[:40],
        default_kind_zh=(product.name.get("i18nValue") or {}).get("zh_CN"),
        unique=("deviceKey", "assetId", "deviceSecret"),
    )
    generate.check_room(spec, path, org.room(product.key))
    status = spec.fixed.get("status") if spec.fixed.get("status") in STATUSES else None
    for sample in generate.samples(
        spec, org.keys.__contains__, status=status, taken_id=org.devices.__contains__
    ):
        _device(provider, org, generate.enos_device(sample, spec.fixed), path)


def _i18n(value: Any, path: str) -> dict[str, Any]:
    """Fixtures may name things with a plain string; the wire form is a StringI18n."""
    if isinstance(value, str) and value.strip():
        return {"defaultValue": value, "i18nValue": {}}
    return _checked(path, lambda: v.string_i18n(value, "name"))


def _choice(raw: dict[str, Any], field: str, default: str, options: tuple[str, ...], path: str) -> str:
    value = raw.get(field, default)
    if value not in options:
        raise DocumentError(f"{path}.{field}", f"{field} must be one of {', '.join(options)}")
    return value


def _millis(raw: dict[str, Any], field: str, default: int, path: str) -> int:
    value = raw.get(field, default)
    expect(value, int, f"{path}.{field}", "epoch milliseconds (an integer)")
    if value < 0:
        raise DocumentError(f"{path}.{field}", f"{field} must not be negative")
    return value
