"""``--state`` when saving goes wrong: nothing is acknowledged that the files do not hold. A
write-ahead log write that fails (a full disk, a file size limit) answers 503 from then on and
leaves the log readable; an admin change whose save fails is answered 503; a namespace deleted
through the router is saved before it is answered; a second server on the same file is refused;
a log line nested past any parser's recursion is refused as unreadable, not a traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from serve_process import run, serving
from werkzeug.test import Client

from iotfake import FakeCloud, durable
from iotfake.durable import StateFileError, StateKeeper
from iotfake.namespaces import CloudSet

AWS = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/iot/aws4_request, Signature=0"}


def started(cloud: FakeCloud, path: Path) -> StateKeeper:
    """A keeper of ``path`` loaded and saving, with the log alone between saves (no interval)."""
    keeper = StateKeeper(cloud, path, interval=3600, fsync="no")
    keeper.load()
    return keeper.start()


class FailingFile:
    """The log's file, whose writes fail once ``fail`` is set, after taking ``partial`` bytes."""

    def __init__(self, real: Any) -> None:
        self.real, self.fail, self.partial = real, False, 0

    def write(self, data: Any) -> int:
        if not self.fail:
            return int(self.real.write(data))
        if self.partial:
            taken, self.partial = self.real.write(bytes(data[: self.partial])), 0
            return int(taken)
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_log_write_that_fails_is_not_acknowledged_and_leaves_the_log_readable(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=1)
    keeper = started(cloud, state)
    client = Client(cloud.wsgi_app)
    assert client.post("/things/kept", json={}, headers=AWS).status_code == 200
    assert keeper.wal is not None
    failing = keeper.wal._file = FailingFile(keeper.wal._file)
    failing.fail, failing.partial = True, 7  # half a line, then a full disk
    refused = client.post("/things/lost", json={}, headers=AWS)
    assert refused.status_code == 503 and "No space left" in refused.get_data(as_text=True)
    failing.fail = False  # room again: still nothing is acknowledged until a restart
    assert client.post("/things/later", json={}, headers=AWS).status_code == 503
    fresh = FakeCloud(seed=1)  # "SIGKILL", and a new process from the same files
    assert StateKeeper(fresh, state, fsync="no").load() is True
    assert set(fresh.registry.tenant("aws", "123456789012/us-east-1").keys) == {"kept"}
    keeper._stop.set()


def test_an_admin_change_whose_save_fails_is_answered_503(tmp_path: Path, monkeypatch) -> None:
    cloud = FakeCloud(seed=2)
    keeper = started(cloud, tmp_path / "state.json")

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(durable, "write_atomic", full)
    rule = {"provider": "aws", "operation": "DescribeThing", "action": {"error": "ThrottlingException"}}
    answer = Client(cloud.wsgi_app).post("/_iotfake/faults", json=rule)
    assert answer.status_code == 503 and "could not save this change" in answer.get_data(as_text=True)
    keeper._stop.set()


@pytest.mark.parametrize("problem", [None, "OSError: disk full"])
def test_a_namespace_deleted_through_the_router_is_saved_before_the_answer(problem: str | None) -> None:
    cloud = FakeCloud(seed=3)
    saves: list[int] = []

    def save() -> str | None:
        saves.append(1)
        return problem

    cloud.on_admin_write = save
    answer = Client(CloudSet(cloud)).delete("/_iotfake/namespaces/default")
    assert saves == [1]
    assert answer.status_code == (200 if problem is None else 503)


def test_a_second_server_on_the_same_state_file_is_refused(tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    with serving("--state", state, "--no-mqtt"):
        second = run("--state", state, "--no-mqtt")
        assert second.returncode == 2
        assert "in use by another iotfake serve" in second.stderr and "Traceback" not in second.stderr
    with serving("--state", state, "--no-mqtt"):  # the first one gone, the file is free again
        pass


@pytest.mark.parametrize("last", [False, True])
def test_a_log_line_nested_past_recursion_is_unreadable_or_torn(tmp_path: Path, last: bool) -> None:
    state = tmp_path / "state.json"
    lines = [b"[" * 200_000, b'{"k": "x"}'] if not last else [b"[" * 200_000]
    (tmp_path / "state.json.wal.1").write_bytes(b"\n".join(lines))
    keeper = StateKeeper(FakeCloud(seed=4), state, fsync="no")
    if last:  # a torn last line: the call it was for was never answered
        assert keeper.load() is True
    else:
        with pytest.raises(StateFileError, match="write-ahead log"):
            keeper.load()


def test_an_empty_state_flag_is_refused() -> None:
    done = run("--state", "", "--no-mqtt")
    assert done.returncode == 2 and "--state is empty" in done.stderr


def test_a_symbolic_link_to_the_state_file_stays_a_link(tmp_path: Path) -> None:
    target, link = tmp_path / "state.json", tmp_path / "link.json"
    target.write_bytes(b"{}")
    target.chmod(0o644)
    link.symlink_to(target)
    durable.write_atomic(link, b'{"new": true}')
    assert link.is_symlink() and target.read_bytes() == b'{"new": true}'
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"


def test_a_symbolic_link_to_a_held_state_file_is_the_same_file(tmp_path: Path) -> None:
    """Both names lead to one file, one lock: two servers wrote one file through a link."""
    state, link = tmp_path / "s.json", tmp_path / "link.json"
    link.symlink_to(state)
    with serving("--state", str(state), "--no-mqtt"):
        second = run("--state", str(link), "--no-mqtt")
        assert second.returncode == 2 and "in use by another iotfake serve" in second.stderr


def test_saves_that_keep_failing_do_not_pile_up_log_segments(tmp_path: Path, monkeypatch) -> None:
    cloud = FakeCloud(seed=5)
    keeper = started(cloud, tmp_path / "state.json")
    monkeypatch.setattr(durable, "write_atomic", lambda path, data: (_ for _ in ()).throw(OSError("full")))
    for _ in range(5):
        cloud.mark_dirty()
        with pytest.raises(OSError):
            keeper.save()
    assert keeper.wal is not None and len(keeper.wal.segments()) <= 2
    keeper._stop.set()


def test_a_new_log_segment_that_cannot_be_opened_keeps_the_log_going(tmp_path: Path) -> None:
    """A save starts a new segment first; when it cannot be made (a directory that turned
    unwritable, no file descriptors left), the save fails and the log goes on in the segment it
    had: the old one was closed first, and every later write was acknowledged unlogged."""
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=6)
    keeper = started(cloud, state)
    client = Client(cloud.wsgi_app)
    assert client.post("/things/before", json={}, headers=AWS).status_code == 200
    assert keeper.wal is not None
    blocker = state.with_name(f"{state.name}.wal.{keeper.wal._number + 1}")
    blocker.mkdir()  # the next segment cannot be opened
    with pytest.raises(OSError):
        keeper.save()
    assert client.post("/things/after", json={}, headers=AWS).status_code == 200
    blocker.rmdir()
    fresh = FakeCloud(seed=6)  # "SIGKILL", and a new process from the same files
    assert StateKeeper(fresh, state, fsync="no").load() is True
    assert set(fresh.registry.tenant("aws", "123456789012/us-east-1").keys) == {"before", "after"}
    keeper._stop.set()


HEAD = '{"format": "iotfake-state", "version": 2, '


@pytest.mark.parametrize(
    ("saved", "logged"),
    [
        (HEAD + '"registry": []}', '{"k": "tokens", "key": "x", "a": {}}'),
        (None, '{"k": "devices", "key": "x", "s": ["enos"], "a": {}}'),
        (HEAD + '"registry": {"tenants": [{"provider": "aws", "id": "a", "tables": []}]}}',
         '{"k": "things", "s": ["aws", "a"], "key": "x", "a": {}}'),
    ],
    ids=["registry-a-list", "scope-of-one", "tables-a-list"],
)  # fmt: skip
def test_a_hand_edited_file_or_log_that_replay_cannot_take_is_refused(
    tmp_path: Path, saved: str | None, logged: str
) -> None:
    """Refused as unusable, which ``iotfake serve`` answers with exit 2 and the files left as they
    are: these raised AttributeError and IndexError, a traceback at start."""
    state = tmp_path / "state.json"
    if saved is not None:
        state.write_text(saved)
    segment = state.with_name("state.json.wal.1")
    segment.write_text(logged + "\n")
    with pytest.raises(StateFileError, match="write-ahead log"):
        StateKeeper(FakeCloud(), state, fsync="no").load()
    assert segment.read_text() == logged + "\n"


def test_a_hand_edited_uncounted_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    """Replay read a tenant's ``"uncounted": "x"`` letter by letter and kept none: the file was
    taken as if it had said ``[]``. It is left for the restore's check, which refuses it."""
    state = tmp_path / "state.json"
    state.write_text(HEAD + '"registry": {"tenants": [{"provider": "enos", "id": "o1", "uncounted": "x"}]}}')
    segment = state.with_name("state.json.wal.1")
    segment.write_text('{"k": "settings", "s": ["enos", "o1"], "key": "note", "a": 1}\n')
    with pytest.raises(StateFileError, match="uncounted"):
        StateKeeper(FakeCloud(), state, fsync="no").load()
