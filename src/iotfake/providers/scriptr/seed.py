"""The ``scriptr`` section of a fixtures document.

    {"accounts": [{"name": "acme", "token": "<owner token>", "groups": ["ops"], "maxDevices": null,
                   "devices": [{"id": "meter-1", "name": "Meter 1", "password": "...",
                                "groups": ["ops"], "token": "<device token>", "<custom>": "..."}],
                   "users": [{"id": "ann@acme.io", "name": "Ann", "password": "...", "token": "..."}]}]}

Devices and users go through the same field rules as ``device.create`` and ``user.create``
(passwords are optional here), and every failure names its path, e.g.
``scriptr.accounts[0].devices[3].id``. ``maxDevices`` does not count the built-in ``scriptr``
device. A seeded user token expires like any user token, counted from the moment of seeding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import generate
from ...documents import DocumentError, expect, no_unknown
from ...registry.directory import Directory
from ...registry.errors import DomainError, KeyCollision, QuotaExceeded
from . import accounts, fields, records
from .errors import ScriptrError
from .users import EXPIRY, LIFETIME, MAX_TOKENS

if TYPE_CHECKING:
    from . import ScriptrProvider

ACCOUNT_KEYS = frozenset({"name", "token", "groups", "devices", "users", "maxDevices"})


def seed(provider: ScriptrProvider, section: Any, path: str) -> None:
    expect(section, dict, path, "an object")
    no_unknown(section, ("accounts",), path)
    items = expect(section.get("accounts", []), list, f"{path}.accounts", "a list of accounts")
    seen: set[str] = set()
    for index, raw in enumerate(items):
        where = f"{path}.accounts[{index}]"
        name = _account_name(raw, where)
        if name in seen:
            raise DocumentError(f"{where}.name", f"the account {name!r} appears twice")
        seen.add(name)
        _account(provider, raw, name, where)


def _account_name(raw: Any, where: str) -> str:
    expect(raw, dict, where, "an account object")
    no_unknown(raw, ACCOUNT_KEYS, where)
    if "name" not in raw:
        raise DocumentError(f"{where}.name", "required")
    name = expect(raw["name"], str, f"{where}.name", "a string")
    if not name:
        raise DocumentError(f"{where}.name", "must not be empty")
    return name


def _token_value(raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    token = expect(raw, str, where, "a string")
    if not token or token != token.strip() or len(token) > 1024:
        raise DocumentError(where, "a token is 1-1024 characters without surrounding spaces")
    return token


def _account(provider: ScriptrProvider, raw: dict[str, Any], name: str, where: str) -> None:
    cloud = provider.cloud
    owner = _token_value(raw.get("token"), f"{where}.token")
    if owner is not None:
        known = cloud.registry.tokens.find(owner)
        if known is not None and (known.tenant, known.subject) != (name, accounts.BUILTIN):
            raise DocumentError(f"{where}.token", "this token is already in use elsewhere")
    directory = accounts.directory(cloud, name, owner_token=owner)
    builtin = directory.device(accounts.BUILTIN)
    assert builtin is not None
    if owner is not None and directory.device_token(builtin) != owner:
        try:
            directory.replace_device_token(builtin, owner)
        except DomainError:
            raise DocumentError(f"{where}.token", "this token is already in use elsewhere") from None

    if raw.get("groups") is not None:
        groups = expect(raw["groups"], list, f"{where}.groups", "a list of group names")
        for index, group in enumerate(groups):
            if not isinstance(group, str) or not fields.GROUP.fullmatch(group):
                raise DocumentError(f"{where}.groups[{index}]", "1-128 letters, digits, spaces, _ or -")
        directory.tenant.settings["groups"] = list(dict.fromkeys(groups))

    limit = raw.get("maxDevices")
    if limit is not None:
        expect(limit, int, f"{where}.maxDevices", "an integer or null")
        if limit < 0:
            raise DocumentError(f"{where}.maxDevices", "must be 0 or more")
    directory.device_limit = limit

    devices = expect(_list(raw, "devices"), list, f"{where}.devices", "a list of devices")
    for index, item in enumerate(devices):
        _device(provider, directory, item, f"{where}.devices[{index}]")
    users = expect(_list(raw, "users"), list, f"{where}.users", "a list of users")
    for index, item in enumerate(users):
        _user(provider, directory, item, f"{where}.users[{index}]")


def _list(raw: dict[str, Any], key: str) -> Any:
    value = raw.get(key)
    return [] if value is None else value


def _doc(directory: Directory, item: dict[str, Any], where: str, salt: Any) -> dict[str, Any]:
    if item.get("name") in (None, ""):
        raise DocumentError(f"{where}.name", "required")
    allowed = directory.tenant.settings.get("groups") or None
    try:
        changes = fields.parse(item, creating=False, salt=salt, allowed_groups=allowed)
        return fields.merge(fields.empty_doc(), changes)
    except ScriptrError as error:
        field = error.extra.get("field")
        raise DocumentError(f"{where}.{field}" if field else where, error.message) from None


def _collision(error: DomainError, where: str, what: str) -> DocumentError:
    if isinstance(error, KeyCollision):
        kind = error.details.get("kind")
        if kind == "token value":
            return DocumentError(f"{where}.token", "this token is already in use elsewhere")
        return DocumentError(f"{where}.id", f"the id {error.key!r} is already taken by a {kind or what}")
    if isinstance(error, QuotaExceeded):
        return DocumentError(where, f"the account's maxDevices ({error.limit}) is exceeded")
    return DocumentError(where, error.message)


def _generated(provider: ScriptrProvider, directory: Directory, item: dict[str, Any], where: str) -> None:
    """``{"generate": N, ...}``: N realistic devices (see ``iotfake.generate``)."""
    spec = generate.spec(provider.cloud, item, where, default_kind="device", unique=("id", "token"))
    generate.check_room(spec, where, directory.tenant.room())
    groups = directory.tenant.settings.get("groups") or None
    for sample in generate.samples(spec, lambda key: directory.holder(key) is not None):
        _device(provider, directory, generate.scriptr_device(sample, spec.fixed, groups), where)


def _device(provider: ScriptrProvider, directory: Directory, item: Any, where: str) -> None:
    cloud = provider.cloud
    if generate.is_generator(item):
        _generated(provider, directory, item, where)
        return
    expect(item, dict, where, "a device object")
    item = dict(item)
    token = _token_value(item.pop("token", None), f"{where}.token")
    key = item.get("id")
    if key is not None:
        try:
            fields.identifier(key, "device")
        except ScriptrError as error:
            raise DocumentError(f"{where}.id", error.message) from None
    doc = _doc(directory, item, where, lambda: cloud.ids.secret(16))
    now = cloud.clock.ms()
    try:
        device = directory.add_device(
            key,
            lambda internal_id, device_key: records.new_device(
                internal_id, device_key, doc, accounts.BUILTIN, now
            ),
            new_key=lambda: accounts.new_device_id(cloud),
        )
        if token is not None:
            directory.issue_device_token(device, token)
    except DomainError as error:
        raise _collision(error, where, "device") from None


def _user(provider: ScriptrProvider, directory: Directory, item: Any, where: str) -> None:
    cloud = provider.cloud
    expect(item, dict, where, "a user object")
    item = dict(item)
    token = _token_value(item.pop("token", None), f"{where}.token")
    if "id" not in item:
        raise DocumentError(f"{where}.id", "required")
    try:
        user_id = fields.identifier(item["id"], "user")
    except ScriptrError as error:
        raise DocumentError(f"{where}.id", error.message) from None
    doc = _doc(directory, item, where, lambda: cloud.ids.secret(16))
    try:
        directory.add_user(user_id, records.new_user(doc, accounts.BUILTIN, cloud.clock.ms()))
        if token is not None:
            directory.issue_user_token(user_id, ttl=EXPIRY, lifetime=LIFETIME, limit=MAX_TOKENS, value=token)
    except DomainError as error:
        raise _collision(error, where, "user") from None
