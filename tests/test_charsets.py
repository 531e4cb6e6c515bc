"""A translate table answers what deleting the allowed bytes and looking for the rest answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from iotfake import charsets


@given(st.binary(max_size=40), st.binary(max_size=40))
def test_all_in_is_deleting_the_allowed_bytes(allowed: bytes, data: bytes) -> None:
    assert charsets.all_in(data, charsets.table(allowed)) == (not data.translate(None, allowed))


def test_every_byte_value_is_read() -> None:
    every = bytes(range(256))
    assert charsets.all_in(every, charsets.table(every))
    assert not charsets.all_in(every, charsets.table(every[:-1]))
    assert not charsets.all_in(b"\x00", charsets.table(b"a0"))  # an allowed "a" or "0" is no help
