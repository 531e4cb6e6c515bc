"""RegisterThing with any body a client can send gets the model's 4xx, never a 500.

An outside battery found ``POST /things`` with ``''``, ``[]``, ``null``, ``1`` or ``{`` answered
500 InternalFailureException (the fault-matching fields read a body that was not an object)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud


@pytest.mark.parametrize("path", ["/things", "/things/"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Value null at 'templateBody' failed to satisfy constraint: Member must not be null"),
        (b"null", "Value null at 'templateBody' failed to satisfy constraint: Member must not be null"),
        (b"[]", "Could not parse request body into json"),
        (b"1", "Could not parse request body into json"),
        (b"{", "Could not parse request body into json"),
        (b'"text"', "Could not parse request body into json"),
    ],
)
def test_a_body_that_is_no_request_object_is_a_400(path: str, body: bytes, message: str) -> None:
    cloud = FakeCloud(auth="off")
    answer = Client(cloud.wsgi_app).post(path, data=body, content_type="application/json")
    assert answer.status_code == 400, answer.json
    assert answer.json["__type"] == "InvalidRequestException"
    assert message in answer.json["message"]
    assert cloud.journal.calls()[-1].operation == "RegisterThing"
