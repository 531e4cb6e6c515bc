"""Hostile requests against the scriptr surface: never a 5xx, never a traceback, always JSON, and
afterwards the directory is whole: one id space, every token held by a live identity, the device
limit kept.

The quick form sends a few hundred requests; ``pytest -m slow tests/reliability`` sends 10,000.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hostile import (
    JSON_VALUES,
    SCALARS,
    TEXT,
    content_types,
    fuzz_settings,
    objects,
    raw_bodies,
    requests,
    send,
)
from hypothesis import given
from hypothesis import strategies as st
from reliability_helpers import assert_consistent
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.providers.scriptr.devices import FUNCTIONS as DEVICE_FUNCTIONS
from iotfake.providers.scriptr.users import FUNCTIONS as USER_FUNCTIONS

LIMIT = 15
FUNCTIONS = sorted({*DEVICE_FUNCTIONS, *USER_FUNCTIONS})
IDS = st.one_of(st.sampled_from(["scriptr", "meter-1", "meter-2", "ann", "bob"]), TEXT)
PATHS = st.one_of(
    st.builds(
        lambda module, fn: f"/scriptr/{module}/{fn}",
        st.sampled_from(["device", "user"]),
        st.sampled_from(FUNCTIONS),
    ),
    st.builds(
        lambda module, fn: (
            f"/scriptr/{module}/{json.dumps(fn)[1:-1].replace('?', '%3F').replace('#', '%23')}"
        ),
        st.sampled_from(["device", "user", "devices", ""]),
        TEXT,
    ),
)
OPTIONS = objects(
    {
        "expiry": JSON_VALUES,
        "lifeTime": JSON_VALUES,
        "password": JSON_VALUES,
        "token": JSON_VALUES,
        "includeFieldType": JSON_VALUES,
    },
    most=3,
)
FIELDS = {
    "id": st.one_of(IDS, JSON_VALUES),
    "name": JSON_VALUES,
    "password": st.one_of(st.just("pw"), JSON_VALUES),
    "description": JSON_VALUES,
    "isSuspended": JSON_VALUES,
    "groups": st.one_of(
        JSON_VALUES, st.fixed_dictionaries({}, optional={"append": JSON_VALUES, "delete": JSON_VALUES})
    ),
    "meta.types": st.one_of(JSON_VALUES, st.dictionaries(TEXT, JSON_VALUES, max_size=3)),
    "globalDateFormat": JSON_VALUES,
    "query": st.one_of(
        TEXT,
        st.sampled_from(['name = "m"', 'groups like "%"', "x<numeric:>", 'a = "b" or (c != "d"', "(" * 60]),
    ),
    "sort": st.one_of(TEXT, st.sampled_from(["name<string:DESC>", "x<numeric:ASC>,y", "<>"])),
    "fields": JSON_VALUES,
    "count": JSON_VALUES,
    "resultsPerPage": JSON_VALUES,
    "pageNumber": JSON_VALUES,
    "options": st.one_of(OPTIONS, JSON_VALUES),
    "token": JSON_VALUES,
    "auth_token": JSON_VALUES,
    "custom_field": JSON_VALUES,
    "temperature": SCALARS,
}
PARAMS = {name: st.one_of(IDS, TEXT) for name in ("id", "name", "auth_token", "count", "options", "query")}
BODIES = raw_bodies(objects(FIELDS))


def headers(owner: str) -> st.SearchStrategy[dict[str, str]]:
    tokens = st.one_of(
        st.none(),
        st.just(f"bearer {owner}"),
        st.just(f"Bearer {owner}"),
        TEXT.map(lambda t: f"bearer {t}"),
        TEXT,
    ).filter(lambda value: value is None or ("\n" not in value and "\r" not in value))
    return st.builds(
        lambda auth, kind: {
            **({"Authorization": auth} if auth is not None else {}),
            **({"Content-Type": kind} if kind else {}),
        },
        tokens,
        content_types(),
    )


def assert_directory_whole(cloud: FakeCloud) -> None:
    tokens = cloud.registry.tokens
    for tenant in cloud.registry.tenants("scriptr"):
        users = tenant.tables.get("users", {})
        assert not set(users) & set(tenant.keys), "a device and a user share an id"
        for device in tenant.devices.values():
            value = (device.extra or {}).get("auth_token")
            if value is not None:
                token = tokens.find(value)
                assert token is not None and token.subject == device.key and token.tenant == tenant.id
        for user_id, record in users.items():
            for value in record.get("tokens", ()):
                token = tokens.find(value)
                assert token is not None and token.subject == user_id and token.tenant == tenant.id
        limit = tenant.settings.get("device_limit")
        if limit is not None:
            assert len(tenant.devices) - ("scriptr" in tenant.keys) <= limit


@pytest.mark.parametrize(
    "examples", [pytest.param(200, id="quick"), pytest.param(10_000, id="long", marks=pytest.mark.slow)]
)
def test_hostile_scriptr_requests(examples: int) -> None:
    cloud = FakeCloud(seed=22)
    acme = cloud.scriptr("acme")
    acme.max_devices = LIMIT
    acme.device.create({"id": "meter-1", "name": "Meter 1", "password": "pw", "groups": "g"})
    acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})
    client = Client(cloud.wsgi_app)

    @fuzz_settings(examples)
    @given(request=requests(PATHS, PARAMS, BODIES, headers(acme.token)))
    def hostile(request: dict[str, Any]) -> None:
        send(client, request)

    hostile()
    assert_consistent(cloud)
    assert_directory_whole(cloud)
