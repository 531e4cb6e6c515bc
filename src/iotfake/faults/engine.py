"""The fault engine's seam in the request pipeline.

``before`` runs after authentication and may answer in place of the handler (an injected error,
a throttle, a drop); ``after`` runs once the registry has committed (lost responses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from ..providers.base import Call, Provider


class FaultEngine:
    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud
        self.rules: list[Any] = []

    def before(self, provider: Provider, call: Call) -> Response | None:
        return None

    def after(self, provider: Provider, call: Call, response: Response) -> Response:
        return response

    def load(self, rules: Any, path: str) -> None:
        """Load rules from a fixtures document (the rule engine arrives with the faults issue)."""
        from ..documents import DocumentError

        if rules:
            raise DocumentError(path, "fault rules are not supported yet")

    def clear(self) -> None:
        self.rules.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        return []

    def restore(self, rows: list[dict[str, Any]]) -> None:
        self.clear()
