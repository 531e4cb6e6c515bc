"""The wire protocols. Each subpackage translates one cloud; none holds state of its own."""

from __future__ import annotations

from functools import cache

from .base import Call, Provider, ProviderError


@cache
def provider_classes() -> tuple[type[Provider], ...]:
    """Every provider the app serves, in routing order (looked up once: every FakeCloud asks)."""
    from .aws_iot import AwsIotProvider
    from .enos import EnosProvider
    from .scriptr import ScriptrProvider

    return (EnosProvider, AwsIotProvider, ScriptrProvider)


__all__ = ["Call", "Provider", "ProviderError", "provider_classes"]
