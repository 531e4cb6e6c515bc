"""``FakeCloud(...)`` and ``cloud.serve(...)`` refuse, at once and by name, what the CLI refuses.

The outside hunt found the Python API taking values the CLI turns away and failing far from the
mistake: ``device_key_alphabet=5`` was a 99500 with a traceback at the first CreateDevice,
``max_body=-1`` refused every body, ``serve(port=70000)`` bound port 4464, ``max_connections=0``
answered 503 to everything, ``admin_hosts="localhost"`` became nine one-letter hosts and
``journal_size="10"`` a bare ``'<' not supported``.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from iotfake import FakeCloud

BAD_CLOUDS = [
    ({"device_key_alphabet": 5}, TypeError, "device_key_alphabet takes a non-empty string"),
    ({"device_key_alphabet": ""}, ValueError, "device_key_alphabet takes a non-empty string"),
    ({"device_key_length": 0}, ValueError, "device_key_length takes a whole number from 1 to 64"),
    ({"device_key_length": "10"}, TypeError, "device_key_length takes a whole number from 1 to 64"),
    ({"device_key_length": True}, TypeError, "device_key_length"),
    ({"device_key_length": 65}, ValueError, "from 1 to 64"),
    ({"journal_size": "10"}, TypeError, "journal_size takes a whole number from 1 to 100000000"),
    ({"journal_size": 0}, ValueError, "at least one entry"),
    ({"journal_size": 100_000_001}, ValueError, "journal_size"),
    ({"journal_size": 2.5}, TypeError, "journal_size"),
    ({"max_body": -1}, ValueError, "max_body takes a whole number of bytes from 0"),
    ({"max_body": "1MB"}, TypeError, "max_body"),
    ({"max_admin_body": -5}, ValueError, "max_admin_body"),
    ({"admin_token": 123}, TypeError, "admin_token takes a string or None"),
    ({"admin_hosts": 5}, TypeError, "admin_hosts takes host names"),
    ({"admin_hosts": ["ok.internal", 7]}, TypeError, "admin_hosts"),
    ({"admin_hosts": ["a.internal, b.internal"]}, ValueError, "one host name each"),
    ({"admin_hosts": [""]}, ValueError, "admin_hosts"),
    ({"auth": "loose"}, ValueError, "auth must be one of"),
]


@pytest.mark.parametrize(("options", "error", "message"), BAD_CLOUDS)
def test_a_bad_constructor_argument_is_refused_by_name(
    options: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        FakeCloud(**options)


def test_the_refusal_shows_the_value_given() -> None:
    with pytest.raises(TypeError, match=r"not '10'"):
        FakeCloud(journal_size="10")


def test_good_arguments_at_their_bounds_are_kept() -> None:
    cloud = FakeCloud(
        device_key_length=64,
        device_key_alphabet="ab",
        journal_size=1,
        max_body=0,
        admin_hosts=["ci.internal"],
    )
    assert (cloud.ids.device_key_length, cloud.journal.size, cloud.max_body) == (64, 1, 0)
    assert cloud.admin_hosts == ("ci.internal",)


def test_a_single_host_string_is_one_host_not_its_letters() -> None:
    assert FakeCloud(admin_hosts="CI.Internal").admin_hosts == ("ci.internal",)


def test_admin_hosts_may_be_any_iterable_of_names() -> None:
    assert FakeCloud(admin_hosts=(h for h in ["a.internal", "b.internal"])).admin_hosts == (
        "a.internal",
        "b.internal",
    )


BAD_SERVES = [
    ({"port": 70000}, ValueError, "port takes a whole number from 0 to 65535"),
    ({"port": -1}, ValueError, "port"),
    ({"port": "4510"}, TypeError, "port"),
    ({"max_connections": 0}, ValueError, "max_connections takes a whole number from 1 to 100000"),
    ({"max_connections": 100_001}, ValueError, "max_connections"),
    ({"mqtt_port": 65536}, ValueError, "mqtt_port"),
    ({"mqtt_tls_port": "8883"}, TypeError, "mqtt_tls_port"),
    ({"host": 127}, TypeError, "host takes"),
    ({"mqtt": "yes"}, TypeError, "mqtt takes True, False or None"),
]


@pytest.mark.parametrize(("options", "error", "message"), BAD_SERVES)
def test_a_bad_serve_argument_is_refused_before_binding(
    options: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        FakeCloud().serve(**options)


def test_an_empty_host_is_every_interface_as_the_cli_takes_it() -> None:
    """``iotfake serve --host ""`` listened on every interface, and still does (it was refused
    for a moment, and the CLI died with a traceback)."""
    with FakeCloud().serve(host="", port=0, mqtt=False) as server:
        port = server.url.rsplit(":", 1)[1]
        assert requests.get(f"http://127.0.0.1:{port}/_iotfake/health", timeout=10).status_code == 200


def test_serve_within_bounds_still_serves() -> None:
    with FakeCloud().serve(port=0, max_connections=1, mqtt=False, mqtt_port=None) as server:
        assert requests.get(server.url + "/_iotfake/health", timeout=10).status_code == 200
