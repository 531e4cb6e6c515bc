"""Form bodies werkzeug refuses to parse (too many parts) are the client's 413, journaled, not
the fake's 500."""

from __future__ import annotations

import requests
from werkzeug.test import Client

from iotfake import FakeCloud

TOKEN = {"Authorization": "bearer owner-token"}
PARTS = b"".join(b'--XX\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i for i in range(2000))
MULTIPART = {**TOKEN, "Content-Type": "multipart/form-data; boundary=XX"}


def test_too_many_form_parts_is_413_and_journaled() -> None:
    cloud = FakeCloud(seed=1)
    answer = Client(cloud.wsgi_app).post(
        "/scriptr/device/create", data=PARTS + b"--XX--\r\n", headers=MULTIPART
    )
    assert answer.status_code == 413
    assert "capacity limit" in answer.json["message"]
    [entry] = cloud.journal.calls(provider="scriptr")
    assert entry.status == 413 and entry.outcome == "error"


def test_over_a_socket_too() -> None:
    cloud = FakeCloud(seed=1)
    with cloud.serve() as server:
        answer = requests.post(
            f"{server.url}/scriptr/device/create", data=PARTS + b"--XX--\r\n", headers=MULTIPART, timeout=10
        )
    assert answer.status_code == 413
