"""Seeded generation of every identifier, key, secret and default name the fake hands out.

One source per cloud: the same seed and the same sequence of calls that change state give the
same values, which is what makes a failing test reproduce. Request ids, which every answer carries
but no state keeps, come from a generator of their own (derived from the seed), so an extra read,
a retry or an injected fault shifts no later id, key or secret. Without a seed, identifiers still
come from a fast PRNG (seeded from the OS) but secrets and tokens come from ``secrets`` so that
they are unguessable.

Not from here, seeded or not: certificates' key pairs (``providers/aws_iot/keypool``), and so the
certificate ids that hash them. ``cryptography`` cannot draw a key from a seed, and a seeded
RSA-2048 key made in Python costs a third of a second or more per certificate.
"""

from __future__ import annotations

import random
import secrets
import string
import threading
from collections.abc import Callable
from typing import Any

from .memo import keep
from .numbers import check_whole

ALPHANUMERIC = string.ascii_letters + string.digits
LOWER_ALPHANUMERIC = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
#: the longest generated device key: EnOS's own limit (``providers/enos/validation.DEVICE_KEY``),
#: so every key the fake makes is one its CreateDevice would take from a client
MAX_DEVICE_KEY_LENGTH = 64


class _Sequence:
    """A generator of an :class:`Ids`, made when first drawn from, then read as a plain attribute.

    A Mersenne Twister holds 2.5 KB and takes 6 µs to seed: a fresh cloud, each ``reset()`` and
    every idle namespace made three of them (two distinct) and never drew. Not a data descriptor,
    so once made the generator is found in the instance's ``__dict__`` before this is consulted:
    a draw costs what it did. Made under ``_MAKING``, which ``Ids._reseed`` holds too, so a
    first draw racing a reset gets the old sequence or the new one, never keeps the old.
    """

    def __init__(self, make: Callable[[Any], random.Random]) -> None:
        self.make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, ids: Any, owner: type | None = None) -> Any:
        if ids is None:
            return self
        with _MAKING:
            made = ids.__dict__.get(self.name)
            if made is None:
                made = ids.__dict__[self.name] = self.make(ids)
        return made


#: held while a generator is made or the sequences start again (rare: no need for one per cloud);
#: reentrant, as secrets' generator is the main one when seeded
_MAKING = threading.RLock()


class Ids:
    """Identifier factory.

    ``device_key_length`` and ``device_key_alphabet`` shape *generated* device keys. Real EnOS
    sometimes cannot allocate a fresh key (error 11714); shrinking the key space (say length 1 and
    alphabet ``"ab"``) lets a test reach that path honestly, through real collisions.
    """

    #: the main sequence (ids, keys), secrets' (the main one when seeded), and request ids'
    _random = _Sequence(
        lambda ids: random.Random(secrets.randbits(64) if ids._sequence_seed is None else ids._sequence_seed)
    )
    _secret_random = _Sequence(lambda ids: ids._random if ids._secrets_seeded else random.SystemRandom())
    _requests = _Sequence(lambda ids: random.Random(_derived(ids._sequence_seed, "requests")))
    #: their names, which ``_reseed`` forgets
    _SEQUENCES = ("_random", "_secret_random", "_requests")

    def __init__(
        self,
        seed: int | str | None = None,
        *,
        device_key_length: int = 10,
        device_key_alphabet: str = ALPHANUMERIC,
    ) -> None:
        check_device_key_shape(device_key_length, device_key_alphabet)
        self.seed = seed
        self.device_key_length = device_key_length
        self.device_key_alphabet = device_key_alphabet
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        self._reseed(self.seed)
        self._faker: Any = None
        #: a restored Faker's random state, applied when it is next built (building one costs
        #: tens of milliseconds: not under the registry lock, where restores run)
        self._faker_state: list | None = None
        #: one generator per record kind added after the first release: drawing a billing group's
        #: id must not move the ids a seeded cloud gave its things and certificates before
        self._streams: dict[str, random.Random] = {}

    def diverge(self, label: str) -> None:
        """Continue every sequence from a point derived from the seed and ``label`` (fresh
        entropy when unseeded): after a state was rebuilt from a log, the saved generators would
        hand out again the ids the log re-created."""
        with self._lock:
            self._reseed(_derived(self.seed, f"diverged:{label}"))
            self._faker, self._faker_state = None, None
            self._streams = {}

    def _reseed(self, seed: int | str | None) -> None:
        """Start the main and request-id sequences again from ``seed``: each generator is made
        when first drawn from (see ``_Sequence``)."""
        with _MAKING:
            self._sequence_seed = seed
            #: secrets are seeded only when the user asked for determinism
            self._secrets_seeded = self.seed is not None
            for name in self._SEQUENCES:
                self.__dict__.pop(name, None)

    def reset(self) -> None:
        """Start the sequences again from the seed (fresh ones when unseeded).

        In place and under the lock: a thread in the middle of a draw finishes it on the old
        sequence, and the next draw starts the new one.
        """
        with self._lock:
            self._start()

    # -- primitives ---------------------------------------------------------------------------
    def string(self, length: int, alphabet: str = ALPHANUMERIC) -> str:
        with self._lock:
            return _draw(self._random, length, alphabet)

    def secret(self, length: int, alphabet: str = ALPHANUMERIC) -> str:
        """A credential: unguessable unless the cloud was seeded."""
        with self._lock:
            return _draw(self._secret_random, length, alphabet)

    def uuid(self) -> str:
        # one draw is one call into C, which no other thread interleaves (the GIL; a critical
        # section on free-threaded builds): no lock, which cost a fifth of the draw
        return _uuid4(self._random.getrandbits(128))

    def uuid_for(self, kind: str) -> str:
        """A UUID from ``kind``'s own stream (see ``_streams``)."""
        with self._lock:
            stream = self._streams.get(kind)
            if stream is None:
                stream = self._streams[kind] = random.Random(_derived(self.seed, f"kind:{kind}"))
            return _uuid4(stream.getrandbits(128))

    def string_for(self, kind: str, length: int, alphabet: str = ALPHANUMERIC) -> str:
        """A string from ``kind``'s own stream."""
        with self._lock:
            stream = self._streams.get(kind)
            if stream is None:
                stream = self._streams[kind] = random.Random(_derived(self.seed, f"kind:{kind}"))
            return _draw(stream, length, alphabet)

    def integer(self, low: int, high: int) -> int:
        with self._lock:
            return self._random.randint(low, high)

    # -- provider-shaped values ---------------------------------------------------------------
    def asset_id(self) -> str:
        """EnOS assetId: 8 alphanumerics, like ``Uvmm5AXU``."""
        return self.string(8)

    def device_key(self) -> str:
        return self.string(self.device_key_length, self.device_key_alphabet)

    def device_secret(self) -> str:
        """EnOS deviceSecret: 20 alphanumerics, like ``Z5YtZaQpK5IWocakV7zQ``."""
        return self.secret(20)

    def product_key(self) -> str:
        return self.string(8)

    def product_secret(self) -> str:
        return self.secret(16)

    def request_id(self) -> str:
        """A UUID from the request-id generator: drawing one moves no other value."""
        return _uuid4(self._requests.getrandbits(128))  # one C call: no lock (see ``uuid``)

    def token(self, nbytes: int = 32) -> str:
        return self.secret(nbytes * 2, HEX)

    # -- realistic names ----------------------------------------------------------------------
    @property
    def faker(self) -> Any:
        """A seeded Faker, built on first use: constructing one costs milliseconds."""
        if self._faker is None:
            if self._faker_state is not None:  # restored: continue the saved sequence
                self._faker = _new_faker(0)
                self._faker.random.setstate(_unstate(self._faker_state))
                self._faker_state = None
            else:
                self._faker = _new_faker(self._random.getrandbits(64))
        return self._faker

    def device_name(self) -> str:
        with self._lock:
            fake = self.faker
            return f"{fake.city()} {fake.random_element(('meter', 'inverter', 'sensor', 'gateway'))}"

    def person_name(self) -> str:
        with self._lock:
            return self.faker.name()

    # -- state ----------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        with self._lock:
            data = {"random": _state(self._random), "requests": _state(self._requests)}
            if self._faker is not None:  # it draws from a generator of its own once built
                data["faker"] = _state(self._faker.random)
            elif self._faker_state is not None:
                data["faker"] = self._faker_state
            if self._streams:
                data["streams"] = {kind: _state(rng) for kind, rng in self._streams.items()}
            return data

    def restore(self, data: dict) -> None:
        state = data.get("random")
        if state:
            with self._lock:
                self._random.setstate(_unstate(state))
                self._faker, self._faker_state = None, None
        if data.get("requests"):
            requests = random.Random()
            requests.setstate(_unstate(data["requests"]))
            with self._lock, _MAKING:  # so that a first draw making one now cannot replace it
                self._requests = requests
        streams = data.get("streams") or ({} if state else None)  # a full snapshot names them all
        if isinstance(streams, dict):
            restored = {}
            for kind, state in streams.items():
                rng = random.Random()
                rng.setstate(_unstate(state))
                restored[kind] = rng
            with self._lock:
                self._streams = restored
        if data.get("faker"):
            with self._lock:
                self._faker, self._faker_state = None, data["faker"]


def check_device_key_shape(length: Any, alphabet: Any) -> None:
    """Refuse a key shape at once, by argument name: ``device_key_alphabet=5`` was taken and
    turned the first generated key into an internal error (99500) with a traceback."""
    if type(length) is int and 1 <= length <= MAX_DEVICE_KEY_LENGTH and type(alphabet) is str and alphabet:
        return  # every fresh cloud checks: the common case costs a few comparisons
    check_whole("device_key_length", length, 1, MAX_DEVICE_KEY_LENGTH)
    if not isinstance(alphabet, str):
        raise TypeError(f"device_key_alphabet takes a non-empty string of characters, not {alphabet!r}")
    if not alphabet:
        raise ValueError("device_key_alphabet takes a non-empty string of characters, not ''")


def _derived(seed: int | str | None, purpose: str) -> int | str:
    """The seed of a generator kept apart from the main one (a fresh one when unseeded)."""
    return secrets.randbits(64) if seed is None else f"{seed}/{purpose}"


def _new_faker(seed: int) -> Any:
    from faker import Faker

    fake = Faker()
    fake.seed_instance(seed)  # a generator of its own, not the random module's
    return fake


def _state(rng: random.Random) -> list:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _unstate(data: list) -> tuple:
    version, internal, gauss = data
    return (version, tuple(internal), gauss)


# -- hot-path helpers: every create draws three strings and a request id ----------------------------
class _ByteAlphabet:
    """Maps random bytes onto an alphabet of at most 256 one-byte characters without bias.

    Bytes at or above the largest multiple of the alphabet's size are dropped (rejection
    sampling) and the rest taken modulo the size, so every character is equally likely; one
    draw of random bits and one ``bytes.translate`` replace a Python-level loop per character,
    and unseeded secrets read the OS once per secret instead of once per character.
    """

    __slots__ = ("delete", "keep", "table")

    def __init__(self, alphabet: str) -> None:
        size = len(alphabet)
        usable = 256 - 256 % size
        codes = alphabet.encode("latin-1")
        self.table = bytes(codes[b % size] if b < usable else 0 for b in range(256))
        self.delete = bytes(range(usable, 256))
        self.keep = usable / 256

    def draw(self, rng: random.Random, length: int) -> str:
        # enough bytes that one round almost always suffices, whatever is rejected
        size = int(length / self.keep) + 2
        text = rng.getrandbits(size * 8).to_bytes(size, "little").translate(self.table, self.delete)
        while len(text) < length:
            text += rng.getrandbits(64).to_bytes(8, "little").translate(self.table, self.delete)
        return text[:length].decode("latin-1")


_alphabets: dict[str, _ByteAlphabet | None] = {}


def _byte_alphabet(alphabet: str) -> _ByteAlphabet | None:
    """The byte mapping for an alphabet, or None when it has characters beyond one byte or
    more than 256 of them (then each character is drawn alone)."""
    try:
        return _alphabets[alphabet]
    except KeyError:
        pass
    try:
        mapping = _ByteAlphabet(alphabet) if 0 < len(alphabet) <= 256 else None
    except UnicodeEncodeError:
        mapping = None
    return keep(_alphabets, alphabet, mapping, 64)  # from configuration: a handful per process


def _draw(rng: random.Random, length: int, alphabet: str) -> str:
    """``length`` characters from ``alphabet``, each equally likely, from ``rng``."""
    mapping = _byte_alphabet(alphabet)
    if mapping is not None:
        return mapping.draw(rng, length)
    return "".join(rng.choices(alphabet, k=length))


#: the bits a version-4 UUID fixes (version 4, RFC 4122 variant): cleared, then set
_UUID4_KEEP, _UUID4_SET = 0xFFFFFFFFFFFF0FFF3FFFFFFFFFFFFFFF, 0x00000000000040008000000000000000


def _uuid4(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``, without building the UUID object."""
    text = ((bits & _UUID4_KEEP) | _UUID4_SET).to_bytes(16, "big").hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
