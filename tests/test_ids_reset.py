"""``Ids.reset`` starts the sequences again in place: same lock, and not in the middle of a draw."""

from __future__ import annotations

import threading

from iotfake.ids import Ids


def test_reset_waits_for_a_draw_in_progress_and_keeps_the_lock() -> None:
    ids = Ids(seed=3)
    expected = Ids(seed=3)
    first = (expected.device_key(), expected.uuid(), expected.request_id(), expected.token())
    ids.device_key(), ids.uuid(), ids.request_id()
    lock = ids._lock
    with lock:  # a draw in progress in another thread holds it
        resetting = threading.Thread(target=ids.reset)
        resetting.start()
        resetting.join(0.2)
        assert resetting.is_alive(), "reset swapped state under a draw in progress"
    resetting.join()
    assert ids._lock is lock
    assert (ids.device_key(), ids.uuid(), ids.request_id(), ids.token()) == first


def test_reset_forgets_the_faker_and_keeps_the_key_shape() -> None:
    ids = Ids(seed=3, device_key_length=4, device_key_alphabet="ab")
    name = ids.device_name()
    ids.reset()
    assert ids.device_name() == name
    assert set(ids.device_key()) <= {"a", "b"} and len(ids.device_key()) == 4


def test_an_unseeded_reset_starts_fresh_sequences() -> None:
    ids = Ids()
    before = [ids.uuid() for _ in range(3)]
    ids.reset()
    assert [ids.uuid() for _ in range(3)] != before
