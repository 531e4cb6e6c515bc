"""What an AWS account's settings must hold for a snapshot to be restored (``check_settings``).

A tenant's settings are the provider's own (the registry checks only that they are an object),
and the handlers read them as they wrote them: ``describe`` indexes the indexing configuration's
two parts, DescribeEndpoint the region, CreateKeysAndCertificate the CA's PEMs. A hand-edited
state file that broke one was restored and then failed each call that read it with a 500; the
registry now asks this check first (``Registry.settings_check``), and the restore is refused
naming the setting. Settings written by earlier versions pass: each is checked only if present.
"""

from __future__ import annotations

from typing import Any

from ...registry.integrity import SnapshotError
from . import event_configurations
from .validation import check_stored
from .wire import AwsError

#: the settings that are text when present (the account's own names, made on its first call)
TEXT = ("accountId", "region", "registrationCode")
INDEXING = "indexingConfiguration"
#: the indexing configuration's parts and their model shapes
INDEXING_PARTS = {
    "thingIndexingConfiguration": "ThingIndexingConfiguration",
    "thingGroupIndexingConfiguration": "ThingGroupIndexingConfiguration",
}


def check_settings(settings: dict[str, Any]) -> None:
    """Raise :class:`SnapshotError` (its path: the setting's name) for a setting no handler can read."""
    for name in TEXT:
        if name in settings and not isinstance(settings[name], str):
            raise SnapshotError(name, f"expected a string, got {type(settings[name]).__name__}")
    if settings.get(INDEXING) is not None:
        _indexing(settings[INDEXING])
    wait = settings.get("thingTypeDeletionWaitSeconds")
    if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0):
        raise SnapshotError("thingTypeDeletionWaitSeconds", "expected a number of seconds >= 0")
    if "keyAlgorithm" in settings:
        from .pki import KEY_ALGORITHMS

        if settings["keyAlgorithm"] not in KEY_ALGORITHMS:
            raise SnapshotError("keyAlgorithm", f"expected one of {', '.join(KEY_ALGORITHMS)}")
    incoming = settings.get("incomingTransfers")
    if incoming is not None and not (
        isinstance(incoming, dict) and all(isinstance(v, str) for v in incoming.values())
    ):
        raise SnapshotError("incomingTransfers", "expected an object of certificate ids to account ids")
    if settings.get("ca") is not None:
        _ca(settings["ca"])
    from .logging_options import check as check_logging

    check_logging(settings)
    if settings.get(event_configurations.SETTING) is not None:
        event_configurations.check(settings[event_configurations.SETTING])


def _indexing(config: Any) -> None:
    from .indexing import configuration

    if not isinstance(config, dict) or set(config) != set(INDEXING_PARTS):
        raise SnapshotError(INDEXING, f"expected an object of {' and '.join(INDEXING_PARTS)}")
    for part, shape in INDEXING_PARTS.items():
        check_stored(shape, config[part], INDEXING, part)
    try:  # the rules UpdateIndexingConfiguration keeps (named shadows need thing indexing, ...)
        configuration.check(config)
    except AwsError as exc:
        raise SnapshotError(INDEXING, exc.message) from None


def _ca(stored: Any) -> None:
    """The account's CA: a key and a certificate in PEM that load (each certificate it issues
    is signed with them)."""
    if not (
        isinstance(stored, dict)
        and isinstance(stored.get("key"), str)
        and isinstance(stored.get("cert"), str)
    ):
        raise SnapshotError("ca", 'expected {"key": PEM, "cert": PEM}')
    from .pki import load_ca

    try:
        load_ca(stored["key"], stored["cert"])
    except (ValueError, TypeError, AssertionError) as exc:
        raise SnapshotError("ca", f"the CA's key and certificate cannot be loaded: {exc}") from None
