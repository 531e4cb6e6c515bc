"""Password hashes for identities the fake stores (scriptr devices and users).

A fake holds no real secrets, but test fixtures often reuse real-looking passwords and state files
end up on disk, so only a salted PBKDF2 hash is ever kept. The iteration count is low on purpose:
seeding thousands of devices must stay fast, and nothing here guards production data.
"""

from __future__ import annotations

import hashlib
import hmac

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 100


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
