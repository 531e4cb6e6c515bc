"""Numbers from clients, read safely.

Two traps this module closes: ``str.isdigit()`` is true for "²" and "٣" (which ``int()`` then
rejects or reads), and ``int()`` of a string longer than 4300 digits raises; a JSON number can be
NaN-like or so large that ``float()`` overflows (``math.isfinite(10**400)`` itself raises).
"""

from __future__ import annotations

from typing import Any

#: digits in the largest whole number the fake reads from text (a Java ``long`` has 19)
MAX_DIGITS = 19


def whole_number(text: Any, *, signed: bool = False, max_digits: int = MAX_DIGITS) -> int | None:
    """``text`` as an int if it is ASCII decimal digits (a leading ``-`` or ``+`` if ``signed``)
    of at most ``max_digits``; None otherwise."""
    if not isinstance(text, str):
        return None
    digits = text[1:] if signed and text[:1] in ("-", "+") else text
    if not digits or len(digits) > max_digits or not (digits.isascii() and digits.isdecimal()):
        return None
    return int(text)


def real(value: Any, low: float, high: float) -> float | None:
    """``value`` as a float if it is a JSON number (not a boolean) from ``low`` to ``high``, which
    also rules out NaN and the infinities; None otherwise. Never overflows on a huge int."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not low <= value <= high:  # an int compares exactly with a float, however large
        return None
    return float(value)
