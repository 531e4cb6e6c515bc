"""A long SigV4 Authorization header is refused at once, in every auth mode.

It used to be parsed by a regular expression that backtracked quadratically: 8 KB cost about a
second, 65 KB about 36 s, and because of the GIL every other client waited as long (an outside
battery's CPU denial of service). The guard below is a hang guard (seconds against tens of
seconds), not a speed target.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.providers.aws_iot import auth


@pytest.mark.parametrize("mode", ["off", "lenient", "strict"])
@pytest.mark.parametrize("filler", ["a" * 65_000, "a=b," * 16_000, "Credential=" + "x" * 65_000])
def test_a_huge_authorization_header_is_answered_without_grinding(mode: str, filler: str) -> None:
    client = Client(FakeCloud(auth=mode).wsgi_app)
    answers: list[int] = []

    def call() -> None:
        answers.append(
            client.get("/things", headers={"Authorization": "AWS4-HMAC-SHA256 " + filler}).status_code
        )

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert answers, "the request was still being parsed after 10 s"
    assert answers[0] in ((200,) if mode == "off" else (400, 403))


def test_the_parser_still_reads_a_real_header() -> None:
    header = (
        "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/eu-west-1/iotdata/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=abc123"
    )
    parsed = auth.parse(header)
    assert parsed is not None
    assert (parsed.access_key, parsed.region, parsed.service) == ("AKIAEXAMPLE", "eu-west-1", "iotdata")
    assert parsed.signed_headers == ("host", "x-amz-content-sha256", "x-amz-date")
    assert auth.parse("AWS4-HMAC-SHA256 " + "x" * (auth.MAX_HEADER + 1)) is None
