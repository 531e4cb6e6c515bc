"""How a device's StringI18n name is kept: the default string alone when it has no translations.

Most devices are named in one language. A ``{"defaultValue": ..., "i18nValue": {}}`` pair of
dicts per device cost about 250 bytes (a quarter of a device) and, holding a dict, was one more
object every full garbage collection had to scan. The wire form is rebuilt on the way out.
"""

from __future__ import annotations

from typing import Any


def stored(name: dict[str, Any]) -> str | dict[str, Any]:
    """What a device keeps of a validated StringI18n (``validation.string_i18n``'s result)."""
    return name if name.get("i18nValue") else name["defaultValue"]


def on_wire(value: Any) -> Any:
    """The StringI18n a client sees, whichever form the device keeps (snapshots may hold either)."""
    if isinstance(value, str):
        return {"defaultValue": value, "i18nValue": {}}
    return value
