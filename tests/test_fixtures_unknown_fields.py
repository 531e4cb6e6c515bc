"""Every section of a fixtures document refuses keys it does not know, in the same words.

The first unknown key in the document's own order is named by its path, with the keys that
would have been understood, so a typo is found at a glance.
"""

from __future__ import annotations

import pytest

from iotfake import DocumentError, FakeCloud


@pytest.mark.parametrize(
    ("document", "path", "known"),
    [
        ({"enos": {"orgz": [], "extra": 1}}, "enos.orgz", "orgs"),
        (
            {"enos": {"orgs": [{"orgId": "o1", "prodcts": [], "apps": []}]}},
            "enos.orgs[0].prodcts",
            "apps, devices, models, orgId, products",
        ),
        ({"aws": {"acounts": []}}, "aws.acounts", "accounts"),
        (
            {"aws": {"accounts": [{"things": [{"thingName": "t", "type": "x", "attribute": {}}]}]}},
            "aws.accounts[0].things[0].type",
            "attributes, billingGroupName, thingName, thingTypeName",
        ),
        ({"scriptr": {"acounts": []}}, "scriptr.acounts", "accounts"),
        (
            {"scriptr": {"accounts": [{"name": "acme", "tokn": "x", "devics": []}]}},
            "scriptr.accounts[0].tokn",
            "devices, groups, maxDevices, name, token, users",
        ),
    ],
)
def test_an_unknown_key_is_named_with_the_known_ones(document: dict, path: str, known: str) -> None:
    cloud = FakeCloud(seed=1)
    with pytest.raises(DocumentError) as caught:
        cloud.seed(document)
    assert caught.value.path == path
    assert caught.value.message == f"unknown field (expected one of {known})"
