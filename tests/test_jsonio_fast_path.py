"""jsonio reads and writes through orjson where it can: the results must be the standard library's,
byte for byte and value for value, and every refusal must keep the standard library's message."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from iotfake import jsonio

STDLIB = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def stdlib_encode(value: Any) -> bytes:
    """What jsonio answered before orjson (and still answers where orjson would differ)."""
    try:
        return STDLIB.encode(value).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def stdlib_loads(data: bytes | str) -> Any:
    """jsonio's own slow path: the standard library's parser with jsonio's checks."""
    return jsonio.loads(data if isinstance(data, str) else data.decode("utf-8"), what="the body")


scalars = (
    st.none()
    | st.booleans()
    | st.integers()  # past 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-5, -1.5e-7, 0.0001, 1e16, 1e22, 5e-324, -0.0, 1e-10, 123.456e-6])
    | st.text(st.characters(codec="utf-8"))
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_encode_writes_the_standard_librarys_bytes(value: Any) -> None:
    assert jsonio.encode(value) == stdlib_encode(value)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_loads_reads_the_standard_librarys_values(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        fast = jsonio.loads(text.encode())
        assert _same(fast, stdlib_loads(text.encode()))
        assert _same(jsonio.loads(text), fast)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0, and -0.0 and 0.0, differ)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"v": 1e-5}, b'{"v":1e-05}'),  # orjson would write 0.00001
        ([1.5e-7], b"[1.5e-07]"),  # orjson: 1.5e-7
        ({"n": 2**70}, b'{"n":1180591620717411303424}'),  # orjson refuses
        ({1: "a"}, b'{"1":"a"}'),  # a key that is not text
        ({"s": "\ud800"}, b'{"s":"\\ud800"}'),  # a lone surrogate set through the Python API
        # NaN and infinities (only Python code can store them) are null on both paths
        ({"n": float("nan"), "i": [float("-inf")]}, b'{"n":null,"i":[null]}'),
        ({"n": float("nan"), "big": 2**70}, b'{"n":null,"big":1180591620717411303424}'),
        ({"e": 1e16, "n": None}, b'{"e":1e+16,"n":null}'),
    ],
)
def test_encode_where_orjson_would_differ(value: Any, expected: bytes) -> None:
    assert jsonio.encode(value) == expected


def test_dumps_is_encode_as_text() -> None:
    value = {"a": [1, 2.5, 1e-7, None, "é", "\ud800"]}
    assert jsonio.dumps(value) == jsonio.encode(value).decode("utf-8")


def test_encode_still_refuses_what_the_standard_library_refuses() -> None:
    import datetime

    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonio.encode({"when": datetime.datetime(2030, 1, 1)})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"18446744073709551616", 18446744073709551616),  # orjson would read a float
        (b'{"n": -99999999999999999999}', {"n": -99999999999999999999}),
        (b"\xef\xbb\xbf{}", {}),  # a UTF-8 byte-order mark, which orjson refuses
        ('{"é": "\\ud83d\\ude00"}', {"é": "😀"}),
        (bytearray(b"[1]"), [1]),
    ],
)
def test_loads_where_orjson_would_differ(data: Any, expected: Any) -> None:
    assert _same(jsonio.loads(data), expected)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the body is not valid JSON (Expecting value: line 1 column 1 (char 0))"),
        (b"[1,]", "the body is not valid JSON (Expecting value: line 1 column 4 (char 3))"),
        (b'"\\ud800"', "the body holds a lone surrogate at the top level"),
        (b"[NaN]", "the body holds NaN, which is not a JSON number"),
        (b"1e400", "the body holds the number 1e400, which is out of range"),
        (b'"\xff"', "the body is not valid UTF-8 (byte 0xff at offset 1)"),
        (b"\x00\x00{}x", "the body is not valid UTF-32-BE, which its first bytes (NUL bytes) mean"),
        (b"[" * 101 + b"]" * 101, "the body is nested too deeply (more than 100 levels)"),
        (b"[" * 2000 + b"]" * 2000, "the body is nested too deeply (more than 100 levels)"),
    ],
)
def test_refusals_keep_their_messages(data: bytes, message: str) -> None:
    with pytest.raises(jsonio.JSONInputError) as caught:
        jsonio.loads(data)
    assert str(caught.value).startswith(message)


def test_an_empty_object_is_a_new_dict_each_time() -> None:
    first = jsonio.loads(b"{}")
    first["changed"] = True
    assert jsonio.loads(b"{}") == {} and jsonio.loads(bytearray(b"{}")) == {} and jsonio.loads("{}") == {}


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [b"e-", b"e-4", b"1e-7", b"0.0000", b",", b"]", b"}", b"9", b"a", b'"', b":", b"\n", b"."]
        ),
        max_size=16,
    )
)
@example([b"e-", b"e-", b"e-", b":", b"1e-7", b"\n"])  # found by the one scan after the first looks
@example([b"e-", b"e-", b"e-", b":", b"1e-7", b"}"])
def test_the_byte_search_never_skips_a_float_the_pattern_finds(parts: list[bytes]) -> None:
    out = b"".join(parts)
    if jsonio._SMALL_FLOAT.search(out) is not None:
        assert jsonio._may_differ(out)
    else:
        assert not jsonio._may_differ(out)


def test_the_empty_object_shortcut_keeps_loads_contract() -> None:
    with pytest.raises(jsonio.JSONInputError, match="nested too deeply"):
        jsonio.loads(b"{}", max_depth=0)
    assert jsonio.loads(b"{}", max_depth=None) == {}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", BytesWarning)  # text is never compared with bytes
        assert jsonio.loads('{"a": 1}') == {"a": 1} and jsonio.loads("{}") == {}
