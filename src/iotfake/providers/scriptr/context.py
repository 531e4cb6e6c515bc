"""What a module function needs to know about the call: the account, who calls, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...registry.directory import Directory

if TYPE_CHECKING:
    from ...cloud import FakeCloud

SUCCESS: dict[str, Any] = {"status": "success"}


@dataclass(slots=True)
class Context:
    cloud: FakeCloud
    directory: Directory
    #: the identity acting (``scriptr`` for the owner): recorded as creator / lastModifiedBy
    principal: str

    def now(self) -> int:
        return self.cloud.clock.ms()

    def salt(self) -> str:
        return self.cloud.ids.secret(16)

    @property
    def allowed_groups(self) -> list[str] | None:
        """A seeded, non-empty group list restricts group names; otherwise any name goes."""
        return self.directory.tenant.settings.get("groups") or None


def ok(result: Any = None) -> dict[str, Any]:
    """A module's success answer; functions without a result return metadata alone."""
    if result is None:
        return {"metadata": dict(SUCCESS)}
    return {"result": result, "metadata": dict(SUCCESS)}
