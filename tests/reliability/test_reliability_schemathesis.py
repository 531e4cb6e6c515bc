"""schemathesis against the OpenAPI documents the fake ships, through the WSGI app: requests
generated from the documents (and past them) never get a 5xx, and every answer matches the
documented status codes, content types and schemas.

Slow (about 30 s of CPU) and needs the fuzz extra; CI runs it with the rest of the slow battery
(``.ci/run``: ``pip install -e '.[test,fuzz]'``, then ``pytest -m slow tests/reliability``).
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the fuzz extra")
from hypothesis import HealthCheck, settings  # noqa: E402
from reliability_helpers import assert_consistent  # noqa: E402
from schemathesis import checks  # noqa: E402

from iotfake import FakeCloud  # noqa: E402

pytestmark = pytest.mark.slow

EXAMPLES = 200  # per operation: 12 operations, 2,400 cases
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
ENOS_CLOUD = FakeCloud(seed=71).seed(
    {
        "enos": {
            "orgs": [
                {
                    "orgId": "o1",
                    "products": [{"productKey": "PK1", "productName": "M", "modelId": "m", "quota": 5}],
                    "devices": [{"productKey": "PK1", "deviceKey": "meter-001"}],
                }
            ]
        }
    }
)
SCRIPTR_CLOUD = FakeCloud(seed=72)
SCRIPTR_TOKEN = SCRIPTR_CLOUD.scriptr("default").token
enos = schemathesis.openapi.from_wsgi("/_iotfake/openapi/enos", ENOS_CLOUD.wsgi_app)
scriptr = schemathesis.openapi.from_wsgi("/_iotfake/openapi/scriptr", SCRIPTR_CLOUD.wsgi_app)
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@enos.parametrize()
@SETTINGS
def test_enos_matches_its_document(case: Any) -> None:
    # lenient auth takes any token as the org owner, by design: schemathesis's ignored_auth
    # check would call that a hole, so the checks are named
    case.validate_response(case.call(headers={"apim-accesstoken": "t"}), checks=CHECKS)
    assert_consistent(ENOS_CLOUD)


@scriptr.parametrize()
@SETTINGS
def test_scriptr_matches_its_document(case: Any) -> None:
    case.validate_response(case.call(headers={"Authorization": f"bearer {SCRIPTR_TOKEN}"}), checks=CHECKS)
    assert_consistent(SCRIPTR_CLOUD)
