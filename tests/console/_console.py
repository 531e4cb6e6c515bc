"""Helpers for the console tests: the page token, and a cloud with something in it."""

from __future__ import annotations

import re

from werkzeug.test import Client, TestResponse

CONSOLE = "/_iotfake/console"


def page_token(page: TestResponse) -> str:
    found = re.search(r'data-token="([0-9a-f]+)"', page.get_data(as_text=True))
    assert found, "the console page carries no token"
    return found.group(1)


def act(client: Client, body: object, prefix: str = "") -> TestResponse:
    """One console change as the page's script sends it: JSON with the page's token."""
    token = page_token(client.get(prefix + CONSOLE))
    return client.post(f"{prefix}{CONSOLE}/action", json=body, headers={"X-Iotfake-Console": token})
