"""Dropping a connection on purpose, without the server thread taking it for a crash.

A fault engine cannot close a socket from inside a WSGI response, so it answers with
:class:`Dropped`; the app then shuts the socket werkzeug's dev server exposes
(``environ["werkzeug.socket"]``) and raises :class:`ConnectionAbortedError`, which that server
treats as a client that went away: no reply, no traceback. Without a socket (werkzeug's test
client, httpx's WSGI transport) there is no connection to drop, and the 5xx that the
``Dropped`` response carries is what the client gets.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from ..reply import Reply

SOCKET_KEY = "werkzeug.socket"


class Dropped(Reply):
    """A reply that must not reach the client; its own status and body serve in-process only."""

    @classmethod
    def instead_of(cls, response: Reply) -> Dropped:
        return cls(response.get_data(), status=response.status_code, headers=response.headers)


def over_socket(environ: dict[str, Any]) -> bool:
    return environ.get(SOCKET_KEY) is not None


def drop_connection(environ: dict[str, Any]) -> None:
    """Close the client's connection without a reply, then leave through the server's
    "connection dropped" path."""
    sock = environ[SOCKET_KEY]
    with contextlib.suppress(OSError):  # the client may have gone already; nothing is sent either way
        sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("iotfake: connection dropped by a fault rule")
