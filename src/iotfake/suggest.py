"""Did-you-mean for a misspelt name: fault rules and journal queries word it the same way.

A rule or an assertion naming something that does not exist never matches anything, so both
refuse it when given, offering the names closest to it (and all of them when they are few).
"""

from __future__ import annotations

import difflib

#: name lists longer than this are not spelt out in an error message
MAX_LISTED = 40


def suggest(name: str, known: list[str], what: str = "operations") -> str:
    """The names to offer for a misspelt one: the closest, and all of them when they are few
    (EnOS's 16; AWS has hundreds). ``what`` words the list when no name is close."""
    close = difflib.get_close_matches(name, known, n=3)
    if not close:
        close = [k for k in known if k.lower() == name.lower()]
    guess = f"did you mean {' or '.join(close)}? " if close else ""
    if len(known) <= MAX_LISTED:
        return f"{guess}known: {', '.join(known)}"
    return guess.rstrip() or f"none of the {len(known)} known {what} is like it"
