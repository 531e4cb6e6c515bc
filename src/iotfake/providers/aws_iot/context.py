"""What a handler works with: the validated input, the tenant, and the registry's views of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...registry.credentials import Credentials
from ...registry.groups import Groups
from . import arns

if TYPE_CHECKING:
    from ...ids import Ids
    from ...registry import Tenant
    from ..base import Call
    from . import AwsIotProvider


@dataclass(slots=True)
class Context:
    provider: AwsIotProvider
    #: the request, or None when fixtures are being loaded
    call: Call | None
    tenant: Tenant
    input: dict[str, Any]
    _now: float | None = field(default=None, repr=False)

    @property
    def ids(self) -> Ids:
        return self.provider.cloud.ids

    @property
    def now(self) -> float:
        """One instant per request, in seconds (AWS's wire timestamps are epoch seconds)."""
        if self._now is None:
            self._now = self.provider.cloud.clock.time()
        return self._now

    @property
    def now_ms(self) -> int:
        return int(self.now * 1000)

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.tenant)

    @property
    def groups(self) -> Groups:
        return Groups(self.tenant)

    def arn(self, kind: str, name: str) -> str:
        return arns.arn(self.tenant.id, f"{kind}/{name}")
