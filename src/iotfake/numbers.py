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


def check_whole(name: str, value: Any, low: int, high: int | None, unit: str = "", note: str = "") -> None:
    """Refuse ``value`` unless it is an int (not a bool) from ``low`` to ``high`` (None: no
    top), naming the argument and what it takes: ``journal_size="10"`` was a bare ``'<' not
    supported``, ``max_body=-1`` refused every body and ``serve(port=70000)`` bound port 4464.
    Every fresh cloud runs this: the message is built only when it is needed."""
    if type(value) is int and value >= low and (high is None or value <= high):
        return
    span = f"from {low} to {high}" if high is not None else f"from {low}"
    of = f" of {unit}" if unit else ""
    takes = f"{name} takes a whole number{of} {span}{note}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{takes}, not {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{takes}, not {value!r}")
