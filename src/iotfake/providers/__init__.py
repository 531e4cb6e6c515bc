"""The wire protocols. Each subpackage translates one cloud; none holds state of its own."""

from __future__ import annotations

from functools import cache

from .base import Call, Provider, ProviderError


@cache
def provider_classes() -> tuple[type[Provider], ...]:
    """Every provider the app serves, in routing order (looked up once: every FakeCloud asks)."""
    from ..mqtt.aws import AwsDeviceSide
    from ..mqtt.enos import EnosDeviceSide
    from .aws_iot import AwsIotProvider
    from .enos import EnosProvider
    from .scriptr import ScriptrProvider

    # the MQTT device sides serve no HTTP route; they are providers so fault rules can name them
    return (EnosProvider, AwsIotProvider, ScriptrProvider, AwsDeviceSide, EnosDeviceSide)


__all__ = ["Call", "Provider", "ProviderError", "provider_classes"]
