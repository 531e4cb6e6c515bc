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
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ITERATIONS)
    return f"{ALGORITHM}${ITERATIONS}${salt}${digest.hex()}"


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
