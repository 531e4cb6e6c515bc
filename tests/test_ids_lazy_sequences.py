"""An ``Ids`` makes its generators when first drawn from: a fresh cloud, a ``reset()`` and an
idle namespace pay for no Mersenne Twister (2.5 KB and 6 µs each), and the seeded sequences
are the very ones the generators made at once gave."""

from __future__ import annotations

import threading

from iotfake import FakeCloud
from iotfake.ids import Ids

#: what ``Ids(seed=7)`` handed out when its generators were made in ``__init__`` (before this
#: change): the same seed must keep giving the same values
FIRST = (
    "6513270e-269e-4d37-b2a7-4de452e6b438",
    "3345d9d8-0fc4-4d29-9e07-a667f303abe0",
    "sONQwdEm",
    "KibyRuVnrUyy",
    "FCXz3eFoyF",
)
DIVERGED = ("722d35e3-56b9-4ed9-a5ea-289caab392e1", "ae2fa39d-b975-49b4-97d8-1d0c7f085db2", "E9US7jq68Fbw")


def made(ids: Ids) -> set[str]:
    return {name for name in ("_random", "_secret_random", "_requests") if name in vars(ids)}


def test_the_seeded_sequences_are_the_ones_made_at_once() -> None:
    ids = Ids(seed=7)
    assert (ids.uuid(), ids.request_id(), ids.string(8), ids.secret(12), ids.device_key()) == FIRST
    ids.diverge("log")
    assert (ids.uuid(), ids.request_id(), ids.secret(12)) == DIVERGED
    ids.reset()
    assert (ids.request_id(), ids.uuid(), ids.secret(12)) == (FIRST[1], FIRST[0], "sONQwdEmZVps")


def test_a_snapshot_taken_before_any_draw_restores_the_sequences() -> None:
    fresh = Ids(seed=7)
    other = Ids(seed=99)
    other.restore(fresh.snapshot())
    assert (other.uuid(), other.request_id(), other.string(8)) == FIRST[:3]


def test_restored_then_diverged_and_partly_restored_sequences_are_the_eager_ones() -> None:
    source = Ids(seed=7)
    source.uuid(), source.request_id()
    snapshot = source.snapshot()
    restored = Ids(seed=99)
    restored.restore(snapshot)
    restored.diverge("log")
    assert (restored.uuid(), restored.request_id(), restored.secret(6)) == (
        "c0c9b6b5-cb65-40b5-8bf4-5bea167164df",
        "b79ba157-9c12-4a86-89ae-40989ac30927",
        "yB97gU",
    )
    partly = Ids(seed=99)
    partly.restore({"requests": snapshot["requests"]})
    assert (partly.request_id(), partly.uuid()) == (
        "ea33ac9b-7f64-42d6-96c1-651d51598ecc",
        "9974d75b-3338-44fe-a179-0134676b1b69",
    )


def test_a_first_draw_racing_a_restore_keeps_the_restored_sequence(monkeypatch) -> None:
    """A request-id generator being made while ``restore`` installs one must not replace it."""
    source = Ids(seed=7)
    source.request_id(), source.request_id()  # two: the racing draw itself takes one
    snapshot = source.snapshot()
    expected = source.request_id()
    ids = Ids(seed=7)
    sequence = vars(Ids)["_requests"]
    make = sequence.make
    making, go = threading.Event(), threading.Event()

    def slow_make(owner: Ids):  # holds the making lock, as a real first draw would
        making.set()
        go.wait(5)
        return make(owner)

    monkeypatch.setattr(sequence, "make", slow_make)
    drawing = threading.Thread(target=ids.request_id)
    drawing.start()
    making.wait(5)
    restoring = threading.Thread(target=ids.restore, args=({"requests": snapshot["requests"]},))
    restoring.start()
    restoring.join(0.5)  # unguarded, the restore is done by now; guarded, it waits for the draw
    go.set()
    drawing.join()
    restoring.join()
    assert ids.request_id() == expected


def test_nothing_is_made_until_drawn_and_a_reset_forgets_what_was() -> None:
    ids = Ids(seed=7)
    assert made(ids) == set()
    ids.request_id()
    assert made(ids) == {"_requests"}
    ids.secret(4)  # seeded: secrets come from the main sequence
    assert made(ids) == {"_random", "_secret_random", "_requests"}
    assert ids._secret_random is ids._random
    ids.reset()
    assert made(ids) == set()


def test_unseeded_secrets_stay_apart_from_the_main_sequence() -> None:
    ids = Ids()
    ids.secret(4)
    assert ids._secret_random is not ids._random
    assert type(ids._secret_random).__name__ == "SystemRandom"


def test_a_fresh_cloud_and_an_idle_namespace_make_no_generator() -> None:
    cloud = FakeCloud(seed=1)
    named = cloud.namespaces.get("team-a")
    assert made(cloud.ids) == set() and made(named.ids) == set()
    cloud.reset()
    assert made(cloud.ids) == set()


def test_threads_drawing_first_share_one_sequence() -> None:
    """Eight threads making the request-id generator at once: one is made, so no two answers
    carry the same request id (two generators from one seed would repeat each other)."""
    ids = Ids(seed=7)
    start = threading.Barrier(8)
    drawn: list[str] = []

    def draw() -> None:
        start.wait()
        drawn.extend(ids.request_id() for _ in range(50))

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(drawn)) == len(drawn) == 400
