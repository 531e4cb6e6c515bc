"""Password hashes for identities the fake stores (scriptr devices and users).

A fake holds no real secrets, but test fixtures often reuse real-looking passwords and state files
end up on disk, so only a salted PBKDF2 hash is ever kept. The iteration count is one on purpose:
seeding thousands of devices and every in-process create must stay fast (100 rounds were a third
of a scriptr create's cost, 10 still a twentieth), and nothing here guards production data. A
stored hash names its own count, so hashes made with another one still verify.
"""

from __future__ import annotations

import hashlib
import hmac

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 1


def hash_password(password: str, salt: str) -> str:
    digest = _one_round(password.encode(), salt.encode())
    return f"{ALGORITHM}${ITERATIONS}${salt}${digest.hex()}"


def _one_round(password: bytes, salt: bytes) -> bytes:
    """``hashlib.pbkdf2_hmac("sha256", password, salt, 1)``: one block of one round is
    HMAC-SHA256(password, salt || INT(1)) (RFC 8018 5.2), written out with RFC 2104's pads.
    OpenSSL 3 looks the KDF, the MAC and the digest up on every call of its PBKDF2 (and of
    ``hmac.digest``): 30k instructions and 400 L1 instruction misses, counted, against 20k and
    100 for two plain digests; a test holds the two to the same bytes."""
    key = password if len(password) <= _BLOCK else hashlib.sha256(password).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(key.translate(_IPAD))
    inner.update(salt + b"\0\0\0\1")
    outer = hashlib.sha256(key.translate(_OPAD))
    outer.update(inner.digest())
    return outer.digest()


#: SHA-256's block size, and each byte XOR RFC 2104's inner and outer pads, as translate tables
_BLOCK = 64
_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        algorithm, iterations, salt, expected = stored.split("$", 3)
        rounds = int(iterations)
    except ValueError:
        return False
    if algorithm != ALGORITHM:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds)
    return hmac.compare_digest(digest.hex(), expected)
