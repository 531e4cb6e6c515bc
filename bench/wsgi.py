"""Call a WSGI app with a prepared environ: what the fake itself costs, without any client.

werkzeug's test ``Client`` builds an environ, wraps the answer in a response object and parses
cookies on every call, which costs about as much as the fake. A server hands the app a ready
environ; this does the same, so the time measured is the app's.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from werkzeug.test import EnvironBuilder


def prepare(
    method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> Callable[[Callable[..., Any]], tuple[str, bytes]]:
    """``call(app) -> (status, body)`` for one fixed request; the body is JSON-encoded if not bytes."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    builder = EnvironBuilder(
        method=method, path=path, data=data, headers=headers, content_type="application/json"
    )
    template = builder.get_environ()
    builder.close()
    raw = data or b""
    del template["wsgi.input"]

    def call(app: Callable[..., Any]) -> tuple[str, bytes]:
        environ = dict(template)
        environ["wsgi.input"] = io.BytesIO(raw)
        answer: list[str] = []
        chunks = app(environ, lambda status, headers, exc_info=None: answer.append(status))
        try:
            payload = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return answer[0], payload

    return call
