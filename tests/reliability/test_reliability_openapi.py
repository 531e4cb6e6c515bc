"""The OpenAPI documents the project ships describe the fake's EnOS and scriptr surfaces: every
route and method is in them, every action and function they list exists, every reference
resolves, and the admin API serves them."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud, openapi
from iotfake.app import url_map
from iotfake.providers.enos import DEVICE_ACTIONS, PRODUCT_ACTIONS
from iotfake.providers.scriptr.devices import FUNCTIONS as DEVICE_FUNCTIONS
from iotfake.providers.scriptr.users import FUNCTIONS as USER_FUNCTIONS


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def served_routes(provider: str) -> dict[str, set[str]]:
    """Path (OpenAPI spelling) -> methods, from the fake's own URL map."""
    out: dict[str, set[str]] = {}
    for rule in url_map().iter_rules():
        if rule.endpoint[0] == provider:
            path = rule.rule.replace("<any(device, user):module>", "{module}").replace(
                "<function>", "{function}"
            )
            out.setdefault(path, set()).update(
                m.lower() for m in rule.methods or () if m not in ("HEAD", "OPTIONS")
            )
    return out


@pytest.mark.parametrize("name", openapi.NAMES)
def test_a_document_is_openapi_3_and_every_reference_resolves(name: str) -> None:
    document = openapi.document(name)
    assert document["openapi"].startswith("3.0.")
    assert document["paths"]
    for ref in refs(document):
        assert resolve(document, ref) is not None, ref
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (path, method)
            assert operation.get("operationId"), (path, method)


def test_enos_document_covers_every_route_and_action() -> None:
    document = openapi.document("enos")
    documented = {path: set(item) for path, item in document["paths"].items()}
    assert documented == served_routes("enos")

    def actions(path: str) -> set[str]:
        params = document["paths"][path]["post"]["parameters"]
        return set(next(p for p in params if p.get("name") == "action")["schema"]["enum"])

    assert actions("/connect-service/v2.1/devices") == set(DEVICE_ACTIONS)
    assert actions("/connect-service/v2.1/products") == set(PRODUCT_ACTIONS)
    assert actions("/connect-service/v2.0/devices") == {"batchCreate"}


def test_scriptr_document_covers_every_function() -> None:
    document = openapi.document("scriptr")
    served = served_routes("scriptr")
    assert served == {"/scriptr/{module}/{function}": {"get", "post"}}
    for module, functions in (("device", DEVICE_FUNCTIONS), ("user", USER_FUNCTIONS)):
        item = document["paths"][f"/scriptr/{module}/{{function}}"]
        assert set(item) == {"get", "post"}
        for operation in item.values():
            function = next(p for p in operation["parameters"] if p["name"] == "function")
            assert set(function["schema"]["enum"]) == set(functions)


def test_the_admin_api_serves_them() -> None:
    client = Client(FakeCloud(seed=61).wsgi_app)
    for name in openapi.NAMES:
        answer = client.get(f"/_iotfake/openapi/{name}")
        assert answer.status_code == 200 and answer.json == openapi.document(name)
    missing = client.get("/_iotfake/openapi/nope")
    assert missing.status_code == 404 and "enos, scriptr" in missing.json["error"]
