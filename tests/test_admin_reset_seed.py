"""``POST /_iotfake/reset {"seed": N}``: a fresh cloud as if made with that seed (what a remote
pytest run asks of its namespace before each test); bad seeds are a 400 that changes nothing."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud

PRODUCT = {"productName": {"defaultValue": "M"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "m", "biDirectionalAuth": False}  # fmt: skip
CREATE = "/connect-service/v2.1/products?action=create&orgId=o1"


def product_key(cloud: FakeCloud) -> str:
    return Client(cloud.wsgi_app).post(CREATE, json=PRODUCT, headers={"apim-accesstoken": "t"}).json["data"]


def test_a_reset_with_a_seed_gives_that_seeds_ids() -> None:
    cloud = FakeCloud(seed=1)
    product_key(cloud)
    answer = Client(cloud.wsgi_app).post("/_iotfake/reset", json={"seed": 9})
    assert answer.status_code == 200 and answer.json == {"status": "reset", "seed": 9}
    assert Client(cloud.wsgi_app).get("/_iotfake/health").json["seed"] == 9
    assert product_key(cloud) == product_key(FakeCloud(seed=9))
    assert Client(cloud.wsgi_app).post("/_iotfake/reset").json == {"status": "reset"}  # keeps 9
    assert product_key(cloud) == product_key(FakeCloud(seed=9))


@pytest.mark.parametrize("body", [{"seed": 1.5}, {"seed": True}, {"seed": [1]}, {"seeds": 1}, [1]])
def test_a_bad_seed_is_refused_and_changes_nothing(body: object) -> None:
    cloud = FakeCloud(seed=1)
    key = product_key(cloud)
    answer = Client(cloud.wsgi_app).post("/_iotfake/reset", json=body)
    assert answer.status_code == 400 and "seed" in answer.json["error"]
    assert cloud.seed_value == 1 and cloud.registry.tenant("enos", "o1").products.get(key) is not None


def test_an_empty_object_resets_keeping_the_seed() -> None:
    """What a client that always sends JSON sends for "no options" (it was a 400)."""
    cloud = FakeCloud(seed=1)
    first = product_key(cloud)
    answer = Client(cloud.wsgi_app).post("/_iotfake/reset", json={})
    assert answer.status_code == 200 and answer.json == {"status": "reset"}
    assert cloud.seed_value == 1 and product_key(cloud) == first
