"""An empty admin token is refused, never taken as "anyone with an empty Bearer may steer".

The outside battery found ``--admin-token ''`` (or ``IOTFAKE_ADMIN_TOKEN=''``) let a non-loopback
client in with ``Authorization: Bearer``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud


def test_the_cli_refuses_an_empty_token_with_exit_2() -> None:
    for args, env in ((["--admin-token", ""], {}), ([], {"IOTFAKE_ADMIN_TOKEN": ""})):
        done = subprocess.run(
            [sys.executable, "-m", "iotfake", "serve", "--port", "0", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env},
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("iotfake: --admin-token (or IOTFAKE_ADMIN_TOKEN) is empty")


def test_the_python_api_refuses_it_too() -> None:
    with pytest.raises(ValueError, match="empty admin token"):
        FakeCloud(admin_token="  ")


def test_a_remote_client_with_an_empty_bearer_is_refused_even_if_a_token_slipped_in() -> None:
    cloud = FakeCloud()
    cloud.admin_token = ""  # set behind the constructor's back
    answer = Client(cloud.wsgi_app).post(
        "/_iotfake/reset", headers={"Authorization": "Bearer "}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert answer.status_code == 403


def test_listening_beyond_loopback_without_a_token_says_what_is_open() -> None:
    sys.path.insert(0, os.path.dirname(__file__))
    from serve_process import serving

    with serving("--host", "0.0.0.0") as served:
        assert served.url.startswith("http://0.0.0.0:")
    assert "the providers are open to the network; the admin API is not" in served.stderr
