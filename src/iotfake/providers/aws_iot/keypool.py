"""RSA-2048 keys made ahead of need, so CreateKeysAndCertificate answers as fast as AWS.

AWS issues RSA-2048 key pairs; generating one costs 50-200 ms of CPU, against well under a
millisecond for the rest of the call. A daemon thread keeps a few keys ready: a burst of creates
takes them at once and the thread refills in the background; a create that finds the pool empty
makes its own key rather than wait for the thread. The pool starts on first use, so a process that
never asks for an RSA key never pays for one. Keys carry no state of any cloud (the certificate
binds a key to an account), so one pool serves every cloud in the process.

Not seeded, even in a seeded cloud: a key pair is random, like real key generation, and so is the
certificate id that hashes it. ``cryptography`` cannot draw a key from a seed, and a seeded
RSA-2048 key made in Python (prime search with ``pow``, then ``RSAPrivateNumbers``) measured
~370 ms median, up to a second, on the request path, against ~35 ms for OpenSSL in this thread.
Random keys also keep the rule that matters more: two certificates never share a key, not even
in two clouds (namespaces of one server) made with the same seed.
"""

from __future__ import annotations

import threading
from collections import deque

from cryptography.hazmat.primitives.asymmetric import rsa

#: keys kept ready: a test's burst of creates rarely asks for more at once
POOL_SIZE = 8


def generate() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class KeyPool:
    def __init__(self, size: int = POOL_SIZE) -> None:
        self.size = size
        self._keys: deque[rsa.RSAPrivateKey] = deque()
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def take(self) -> rsa.RSAPrivateKey:
        """A fresh key: from the pool if one is ready, else made now. Never the same key twice."""
        try:
            key = self._keys.popleft()  # deque operations are atomic
        except IndexError:
            key = None
        self._refill()
        return key if key is not None else generate()

    def ready(self) -> int:
        return len(self._keys)

    def _refill(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="iotfake-rsa-keys", daemon=True)
                    self._thread.start()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            while len(self._keys) < self.size:
                self._keys.append(generate())


#: the process's pool
RSA_POOL = KeyPool()
