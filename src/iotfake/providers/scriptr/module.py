"""scriptr's server-side modules as Python objects: ``cloud.scriptr("acme").device.create({...})``.

The functions answer exactly what scriptr's modules return to a script - dicts with ``metadata``
and, on success, ``result`` - and never raise for a scriptr failure. Each call runs through the
same pipeline as HTTP (journal, fault rules, the registry), acting as the account's owner, so a
fault rule on ``device.create`` hits Python and HTTP callers alike.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.test import EnvironBuilder

from ...registry.directory import Directory
from ...request import Request
from . import accounts
from .auth import ENVIRON_ACCOUNT
from .errors import INTERNAL_ERROR, ScriptrError

if TYPE_CHECKING:
    from ...cloud import FakeCloud

Answer = dict[str, Any]


class _Module:
    name = ""

    def __init__(self, account: Account) -> None:
        self._account = account

    def _call(self, function: str, params: dict[str, Any]) -> Answer:
        return self._account._call(self.name, function, params)

    def __repr__(self) -> str:
        return f"<scriptr {self.name} module of account {self._account.name!r}>"


class DeviceModule(_Module):
    """``require("device")``."""

    name = "device"

    def create(self, device: dict[str, Any]) -> Answer:
        return self._call("create", device)

    def save(self, device: dict[str, Any]) -> Answer:
        return self._call("save", device)

    def update(self, device: dict[str, Any]) -> Answer:
        return self._call("update", device)

    def get(self, id: str, options: dict[str, Any] | None = None) -> Answer:
        return self._call("get", {"id": id, "options": options or {}})

    def query(self, filter: dict[str, Any] | None = None) -> Answer:
        return self._call("query", filter or {})

    def delete(self, id: str) -> Answer:
        return self._call("delete", {"id": id})

    def generateToken(self, id: str) -> Answer:
        return self._call("generateToken", {"id": id})

    def regenerateToken(self, id: str) -> Answer:
        return self._call("regenerateToken", {"id": id})

    def revokeToken(self, id: str) -> Answer:
        return self._call("revokeToken", {"id": id})


class UserModule(_Module):
    """``require("user")``, the part devices share an id space with."""

    name = "user"

    def create(self, user: dict[str, Any]) -> Answer:
        return self._call("create", user)

    def save(self, user: dict[str, Any]) -> Answer:
        return self._call("save", user)

    def update(self, user: dict[str, Any]) -> Answer:
        return self._call("update", user)

    def get(self, id: str, options: dict[str, Any] | None = None) -> Answer:
        return self._call("get", {"id": id, "options": options or {}})

    def delete(self, id: str) -> Answer:
        return self._call("delete", {"id": id})

    def generateToken(self, id: str, options: dict[str, Any] | None = None) -> Answer:
        """``options``: ``expiry`` and ``lifeTime`` in seconds, ``password`` to check."""
        return self._call("generateToken", {"id": id, "options": options or {}})

    def revokeToken(self, id: str, token: str | None = None) -> Answer:
        """Revoke ``token``, or every token of the user when none is named."""
        return self._call("revokeToken", {"id": id, "token": token})


class Account:
    """One scriptr account: ``.device`` and ``.user`` modules, the owner ``token``, ``max_devices``."""

    def __init__(self, cloud: FakeCloud, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("a scriptr account name is a non-empty string")
        self.cloud = cloud
        self.name = name
        self.device = DeviceModule(self)
        self.user = UserModule(self)
        self._directory()

    def _directory(self) -> Directory:
        return accounts.directory(self.cloud, self.name)

    @property
    def token(self) -> str | None:
        """The owner token (the built-in ``scriptr`` device's), for HTTP calls into this account."""
        return accounts.owner_token(self._directory())

    @property
    def max_devices(self) -> int | None:
        """The account's device limit (the built-in device not counted); None = unlimited."""
        return self._directory().device_limit

    @max_devices.setter
    def max_devices(self, limit: int | None) -> None:
        self._directory().device_limit = limit

    def _call(self, module: str, function: str, params: dict[str, Any]) -> Answer:
        builder = EnvironBuilder(
            path=f"/scriptr/{module}/{function}",
            method="POST",
            data=json.dumps(params),
            content_type="application/json",
            environ_overrides={ENVIRON_ACCOUNT: self.name},
        )
        try:
            response = self.cloud.wsgi_app.dispatch(Request(builder.get_environ()))
        finally:
            builder.close()
        try:
            envelope = json.loads(response.get_data())["response"]
        except (ValueError, KeyError, TypeError):
            return ScriptrError(
                INTERNAL_ERROR, f"HTTP {response.status_code} without a scriptr answer"
            ).answer()
        if "result" in envelope:
            return envelope["result"]
        return {"metadata": envelope["metadata"]}

    def __repr__(self) -> str:
        return f"<scriptr account {self.name!r}>"
