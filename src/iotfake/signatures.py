"""Comparing a secret the fake computed with one a client sent.

``hmac.compare_digest`` raises TypeError when either string holds a non-ASCII character, so a
client sending ``apim-signature: é`` would turn a refusal into a 500. Comparing the UTF-8 bytes
keeps the comparison constant-time and makes any text a plain mismatch.
"""

from __future__ import annotations

import hmac


def matches(expected: str, given: str) -> bool:
    """Is ``given`` exactly ``expected``? Constant-time, for any text."""
    return hmac.compare_digest(_bytes(expected), _bytes(given))


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
