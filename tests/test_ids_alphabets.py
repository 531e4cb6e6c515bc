"""Generated strings use every character of their alphabet equally often, whatever its size.

Ids are drawn a byte at a time and bytes past the alphabet's largest multiple are rejected; a
plain ``byte % size`` would favour the first characters (62 letters and digits: 5/256 against
4/256), which a key-collision test with a small alphabet would feel.
"""

from __future__ import annotations

import collections

import pytest

from iotfake.ids import ALPHANUMERIC, HEX, Ids, _byte_alphabet

ALPHABETS = [ALPHANUMERIC, HEX, "ab", "abc", "x", "0123456789" * 3, "".join(map(chr, range(256)))]


@pytest.mark.parametrize("alphabet", ALPHABETS)
def test_every_character_maps_from_the_same_number_of_bytes(alphabet: str) -> None:
    mapping = _byte_alphabet(alphabet)
    assert mapping is not None
    kept = [b for b in range(256) if bytes([b]) not in mapping.delete]
    counts = collections.Counter(bytes([b]).translate(mapping.table).decode("latin-1") for b in kept)
    assert set(counts) == set(alphabet)
    per_char = collections.Counter(alphabet)  # a repeated character is drawn that much more often
    assert len({counts[c] / per_char[c] for c in counts}) == 1


def test_seeded_strings_are_reproducible_and_spread_evenly() -> None:
    text = Ids(seed=5).string(62_000)
    assert text == Ids(seed=5).string(62_000)
    counts = collections.Counter(text)
    assert set(counts) == set(ALPHANUMERIC)
    # 1,000 expected each (binomial sd ~31); seeded, so the same counts every run
    assert all(800 < n < 1200 for n in counts.values())


def test_alphabets_beyond_one_byte_still_work() -> None:
    ids = Ids(seed=1, device_key_length=6, device_key_alphabet="äöü€")
    key = ids.device_key()
    assert len(key) == 6 and set(key) <= set("äöü€")
    assert _byte_alphabet("äöü€") is None  # drawn character by character


def test_unseeded_secrets_differ_and_have_the_right_shape() -> None:
    secrets = {Ids().device_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(s) == 20 and set(s) <= set(ALPHANUMERIC) for s in secrets)
