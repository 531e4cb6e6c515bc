"""``iotfake serve`` with bad arguments or unreadable files: a one-line message and exit code 2,
never a traceback, never a server on a port other than the one asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_process import run

from iotfake import FakeCloud
from iotfake.cli import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port: 70000 is not a port (0-65535)"),
        (["--port", "-1"], "--port: -1 is not a port (0-65535)"),
        (["--port", "²"], "--port: ² is not a port (0-65535)"),
        (["--journal-size", "1" + "0" * 30], "--journal-size"),
        (["--journal-size", "0"], "--journal-size"),
        (["--save-interval", "inf"], "--save-interval"),
        (["--save-interval", "nan"], "--save-interval"),
        (["--save-interval", "1e9"], "--save-interval"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", *args])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("seed", ["²", "9" * 5000, "-12", "abc"])
def test_any_seed_text_starts_the_cloud(seed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from iotfake import cli

    made: list[FakeCloud] = []

    class Stop(Exception):
        pass

    def cloud(**options):
        made.append(FakeCloud(**options))
        raise Stop

    monkeypatch.setattr(cli, "FakeCloud", cloud)
    with pytest.raises(Stop):
        main(["serve", "--seed", seed])
    expected = -12 if seed == "-12" else seed
    assert made[0].seed_value == expected


@pytest.mark.parametrize(
    ("args", "warning"),
    [
        (["--fsync", "always"], "iotfake: --fsync has no effect without --state"),
        (
            ["--save-interval", "5", "--fsync", "no"],
            "--save-interval and --fsync have no effect without --state",
        ),
        (["--no-mqtt", "--mqtt-port", "1234"], "iotfake: --mqtt-port has no effect with --no-mqtt"),
    ],
)
def test_flags_that_do_nothing_are_named_and_the_server_still_starts(
    args: list[str], warning: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """They were taken silently: a typo'd ``--state`` variable left a server that saved nothing,
    with ``--fsync always`` saying otherwise. A warning, not a refusal: scripts passing them
    kept starting and must."""
    from iotfake import cli

    class Started(Exception):
        pass

    def cloud(**options):
        raise Started

    monkeypatch.setattr(cli, "FakeCloud", cloud)
    with pytest.raises(Started):
        main(["serve", *args])
    assert warning in capsys.readouterr().err


@pytest.fixture
def not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"enos": {"orgs": [{"orgId": "caf\u00e9"}]}}'.encode("latin-1"))
    return path


@pytest.mark.e2e
@pytest.mark.parametrize("option", ["--fixtures", "--state", "--throttle-profile"])
def test_a_file_that_is_not_utf8_is_refused_in_one_line(option: str, not_utf8: Path) -> None:
    done = run(option, str(not_utf8))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "not valid UTF-8 (byte 0xe9 at offset 33)" in done.stderr
    assert done.stdout == ""
    assert not_utf8.read_bytes().endswith(b'\xe9"}]}}')  # a state file is left as it was
