"""Provisioning templates and their versions through boto3: the records, the template engine's
checks on stored bodies, the five-version limit, the default version's rules, hooks, paging,
tags, fault rules, fixtures and snapshots."""

from __future__ import annotations

import json

import pytest
from aws_helpers import conforms, string_params, template, thing_resource

from iotfake import FakeCloud

ROLE = "arn:aws:iam::123456789012:role/Provisioning"
HOOK = "arn:aws:lambda:us-east-1:123456789012:function:check-serial"
ARN = "arn:aws:iot:us-east-1:123456789012:provisioningtemplate/"
CERTIFICATE = {
    "Type": "AWS::IoT::Certificate",
    "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"},
}
BODY = template(
    {"thing": thing_resource({"Fn::Join": ["", ["dev-", {"Ref": "SerialNumber"}]]}), "cert": CERTIFICATE},
    string_params("SerialNumber"),
)


def body(prefix: str) -> str:
    return template(
        {"thing": thing_resource({"Fn::Join": ["", [prefix, {"Ref": "SerialNumber"}]]}), "cert": CERTIFICATE},
        string_params("SerialNumber"),
    )


def make(iot, name: str = "widgets", **extra) -> dict:
    return iot.create_provisioning_template(
        templateName=name, templateBody=BODY, provisioningRoleArn=ROLE, **extra
    )


def test_create_describe(iot) -> None:
    made = conforms("CreateProvisioningTemplate", make(iot, description="widget fleet", enabled=True))
    assert made["templateArn"] == ARN + "widgets"
    assert made["templateName"] == "widgets"
    assert made["defaultVersionId"] == 1
    described = conforms(
        "DescribeProvisioningTemplate", iot.describe_provisioning_template(templateName="widgets")
    )
    assert described["templateArn"] == ARN + "widgets"
    assert described["description"] == "widget fleet"
    assert described["templateBody"] == BODY
    assert described["enabled"] is True
    assert described["provisioningRoleArn"] == ROLE
    assert described["type"] == "FLEET_PROVISIONING"
    assert described["defaultVersionId"] == 1
    assert described["creationDate"] == described["lastModifiedDate"]
    assert "preProvisioningHook" not in described


def test_defaults_and_duplicates(iot) -> None:
    make(iot)
    described = iot.describe_provisioning_template(templateName="widgets")
    assert described["enabled"] is False
    assert "description" not in described
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException, match="widgets already exists"):
        make(iot)
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Provisioning template nope cannot"):
        iot.describe_provisioning_template(templateName="nope")


@pytest.mark.parametrize(
    ("bad_body", "said"),
    [
        ("{not json", "JSON not well-formed"),
        (json.dumps({"Resources": {}}), "Resources section is required"),
        (json.dumps({"Resources": {"x": {"Type": "AWS::S3::Bucket"}}}), "AWS::S3::Bucket"),
        (template({"t": thing_resource({"Ref": "Missing"})}), "Missing is not declared"),
        (template({"t": thing_resource({"Fn::If": ["a", "b", "c"]})}), "Fn::If is not supported"),
        (template({"t": thing_resource("x", Colour="red")}), "unknown properties Colour"),
        (template({"a": thing_resource("a"), "b": thing_resource("b")}), "only one AWS::IoT::Thing"),
        (
            template({"t": thing_resource("x", OverrideSettings={"ThingName": "REPLACE"})}),
            "ThingName cannot be overridden",
        ),
        (template({"t": thing_resource("x")}, {"P": {"Type": "Number"}}), "Type must be String"),
    ],
)
def test_bodies_are_checked_by_the_template_engine(iot, bad_body: str, said: str) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException, match=said) as raised:
        iot.create_provisioning_template(templateName="t", templateBody=bad_body, provisioningRoleArn=ROLE)
    assert raised.value.response["Error"]["Message"].startswith("Invalid registration template.")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_provisioning_template(templateName="t")  # nothing stored
    make(iot, "t")
    with pytest.raises(iot.exceptions.InvalidRequestException, match=said):
        iot.create_provisioning_template_version(templateName="t", templateBody=bad_body)
    assert len(iot.list_provisioning_template_versions(templateName="t")["versions"]) == 1


def test_a_body_using_builtin_parameters_and_mappings_is_accepted(iot) -> None:
    mapped = template(
        {
            "thing": thing_resource(
                {"Ref": "ThingName"},
                AttributePayload={"url": {"Fn::FindInMap": ["Sites", {"Ref": "Site"}, "Url"]}},
            ),
            "cert": CERTIFICATE,
        },
        string_params("ThingName", "Site"),
        Mappings={"Sites": {"east": {"Url": "https://east"}}},
    )
    made = iot.create_provisioning_template(templateName="m", templateBody=mapped, provisioningRoleArn=ROLE)
    assert made["defaultVersionId"] == 1


def test_role_and_hook_are_checked(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not a valid IAM role ARN"):
        iot.create_provisioning_template(
            templateName="t", templateBody=BODY, provisioningRoleArn="arn:aws:iam::1:user/someone"
        )
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not a Lambda function ARN"):
        make(iot, preProvisioningHook={"targetArn": "arn:aws:sns:us-east-1:123456789012:topic"})
    with pytest.raises(iot.exceptions.InvalidRequestException, match="only for templates of type"):
        make(iot, type="JITP", preProvisioningHook={"targetArn": HOOK})
    make(iot, preProvisioningHook={"targetArn": HOOK})
    assert iot.describe_provisioning_template(templateName="widgets")["preProvisioningHook"] == {
        "targetArn": HOOK,
        "payloadVersion": "2020-04-01",
    }


def test_update(iot, aws_cloud: FakeCloud) -> None:
    make(iot)
    aws_cloud.clock.advance(60)
    conforms(
        "UpdateProvisioningTemplate",
        iot.update_provisioning_template(
            templateName="widgets",
            description="new",
            enabled=True,
            provisioningRoleArn=ROLE + "2",
            preProvisioningHook={"targetArn": HOOK, "payloadVersion": "2020-04-01"},
        ),
    )
    described = iot.describe_provisioning_template(templateName="widgets")
    assert (described["description"], described["enabled"]) == ("new", True)
    assert described["provisioningRoleArn"] == ROLE + "2"
    assert described["preProvisioningHook"]["targetArn"] == HOOK
    assert 60 <= (described["lastModifiedDate"] - described["creationDate"]).total_seconds() < 61
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not both"):
        iot.update_provisioning_template(
            templateName="widgets", preProvisioningHook={"targetArn": HOOK}, removePreProvisioningHook=True
        )
    iot.update_provisioning_template(templateName="widgets", removePreProvisioningHook=True)
    assert "preProvisioningHook" not in iot.describe_provisioning_template(templateName="widgets")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Version 9 of provisioning template"):
        iot.update_provisioning_template(templateName="widgets", defaultVersionId=9)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_provisioning_template(templateName="ghost", enabled=True)


def test_versions_and_the_default(iot) -> None:
    make(iot)
    second = conforms(
        "CreateProvisioningTemplateVersion",
        iot.create_provisioning_template_version(templateName="widgets", templateBody=body("v2-")),
    )
    assert (second["versionId"], second["isDefaultVersion"]) == (2, False)
    assert second["templateArn"] == ARN + "widgets"
    third = iot.create_provisioning_template_version(
        templateName="widgets", templateBody=body("v3-"), setAsDefault=True
    )
    assert (third["versionId"], third["isDefaultVersion"]) == (3, True)
    described = iot.describe_provisioning_template(templateName="widgets")
    assert (described["defaultVersionId"], described["templateBody"]) == (3, body("v3-"))
    listed = conforms(
        "ListProvisioningTemplateVersions", iot.list_provisioning_template_versions(templateName="widgets")
    )
    assert [(v["versionId"], v["isDefaultVersion"]) for v in listed["versions"]] == [
        (1, False),
        (2, False),
        (3, True),
    ]
    one = conforms(
        "DescribeProvisioningTemplateVersion",
        iot.describe_provisioning_template_version(templateName="widgets", versionId=2),
    )
    assert (one["templateBody"], one["isDefaultVersion"]) == (body("v2-"), False)
    iot.update_provisioning_template(templateName="widgets", defaultVersionId=1)
    assert iot.describe_provisioning_template(templateName="widgets")["templateBody"] == BODY


def test_the_default_version_cannot_be_deleted(iot) -> None:
    make(iot)
    iot.create_provisioning_template_version(templateName="widgets", templateBody=body("v2-"))
    with pytest.raises(iot.exceptions.DeleteConflictException, match="Version 1 is the default version"):
        iot.delete_provisioning_template_version(templateName="widgets", versionId=1)
    conforms(
        "DeleteProvisioningTemplateVersion",
        iot.delete_provisioning_template_version(templateName="widgets", versionId=2),
    )
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Version 2 of provisioning"):
        iot.describe_provisioning_template_version(templateName="widgets", versionId=2)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_provisioning_template_version(templateName="widgets", versionId=2)
    # ids are never reused
    again = iot.create_provisioning_template_version(templateName="widgets", templateBody=body("v3-"))
    assert again["versionId"] == 3


def test_five_versions_at_most(iot) -> None:
    make(iot)
    for i in range(2, 6):
        iot.create_provisioning_template_version(templateName="widgets", templateBody=body(f"v{i}-"))
    with pytest.raises(iot.exceptions.VersionsLimitExceededException, match="maximum number of versions"):
        iot.create_provisioning_template_version(templateName="widgets", templateBody=body("v6-"))
    iot.delete_provisioning_template_version(templateName="widgets", versionId=2)
    made = iot.create_provisioning_template_version(templateName="widgets", templateBody=body("v6-"))
    assert made["versionId"] == 6
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.create_provisioning_template_version(templateName="ghost", templateBody=BODY)


def test_delete_takes_the_versions_along(iot, aws_cloud: FakeCloud) -> None:
    make(iot)
    iot.create_provisioning_template_version(templateName="widgets", templateBody=body("v2-"))
    conforms("DeleteProvisioningTemplate", iot.delete_provisioning_template(templateName="widgets"))
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.list_provisioning_template_versions(templateName="widgets")
    tenant = aws_cloud.providers["aws"].account("123456789012", "us-east-1")
    assert tenant.table("provisioningTemplateVersions") == {}
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_provisioning_template(templateName="widgets")
    make(iot)  # the name is free again, and its versions start over
    assert iot.list_provisioning_template_versions(templateName="widgets")["versions"][0]["versionId"] == 1


def test_listings_page_with_boto3_paginators(iot) -> None:
    for i in range(7):
        make(iot, f"t{i}", type="JITP" if i % 2 else "FLEET_PROVISIONING")
    listed = conforms("ListProvisioningTemplates", iot.list_provisioning_templates(maxResults=3))
    assert [t["templateName"] for t in listed["templates"]] == ["t0", "t1", "t2"]
    assert listed["templates"][1]["type"] == "JITP"
    pages = iot.get_paginator("list_provisioning_templates").paginate(PaginationConfig={"PageSize": 2})
    assert [t["templateName"] for p in pages for t in p["templates"]] == [f"t{i}" for i in range(7)]
    for i in range(2, 5):
        iot.create_provisioning_template_version(templateName="t0", templateBody=body(f"v{i}-"))
    pages = iot.get_paginator("list_provisioning_template_versions").paginate(
        templateName="t0", PaginationConfig={"PageSize": 3}
    )
    assert [v["versionId"] for p in pages for v in p["versions"]] == [1, 2, 3, 4]


def test_templates_take_tags(iot) -> None:
    make(iot, tags=[{"Key": "team", "Value": "fleet"}])
    listed = iot.list_tags_for_resource(resourceArn=ARN + "widgets")["tags"]
    assert listed == [{"Key": "team", "Value": "fleet"}]
    iot.tag_resource(resourceArn=ARN + "widgets", tags=[{"Key": "env", "Value": "test"}])
    tags = iot.list_tags_for_resource(resourceArn=ARN + "widgets")["tags"]
    assert {t["Key"] for t in tags} == {"team", "env"}


def test_a_fault_rule_names_the_template(iot, aws_cloud: FakeCloud) -> None:
    aws_cloud.faults.add(provider="aws", operation="DescribeProvisioningTemplate", error="NotFound")
    make(iot, "t1")
    missing = "Provisioning template t1 cannot be found"
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match=missing):
        iot.describe_provisioning_template(templateName="t1")


def test_templates_survive_a_snapshot_and_seed_from_fixtures() -> None:
    cloud = FakeCloud(seed=5)
    cloud.seed(
        {
            "aws": {
                "accounts": [
                    {
                        "accountId": "123456789012",
                        "provisioningTemplates": [
                            {
                                "templateName": "seeded",
                                "templateBody": BODY,
                                "provisioningRoleArn": ROLE,
                                "enabled": True,
                            }
                        ],
                    }
                ]
            }
        }
    )
    tenant = cloud.providers["aws"].account("123456789012", "us-east-1")
    assert tenant.table("provisioningTemplates")["seeded"]["enabled"] is True
    assert tenant.table("provisioningTemplateVersions")["seeded:1"]["body"] == BODY
    snapshot = cloud.snapshot()
    other = FakeCloud.from_snapshot(snapshot)
    again = other.providers["aws"].account("123456789012", "us-east-1")
    assert again.table("provisioningTemplates") == tenant.table("provisioningTemplates")
    assert again.table("provisioningTemplateVersions") == tenant.table("provisioningTemplateVersions")


def test_a_bad_fixtures_template_names_its_path() -> None:
    from iotfake.documents import DocumentError

    cloud = FakeCloud(seed=5)
    bad = {"templateName": "x", "templateBody": "{", "provisioningRoleArn": ROLE}
    with pytest.raises(DocumentError, match=r"provisioningTemplates\[0\]"):
        cloud.seed({"aws": {"accounts": [{"provisioningTemplates": [bad]}]}})


def _snapshot_tables(cloud: FakeCloud) -> tuple[dict, dict]:
    snapshot = cloud.snapshot()
    tenant = next(t for t in snapshot["registry"]["tenants"] if t["provider"] == "aws")
    return snapshot, tenant["tables"]


def test_a_snapshot_breaking_the_version_rules_is_refused() -> None:
    cloud = FakeCloud(seed=5)
    seeded = {"templateName": "t", "templateBody": BODY, "provisioningRoleArn": ROLE}
    cloud.seed({"aws": {"accounts": [{"provisioningTemplates": [seeded]}]}})
    snapshot, tables = _snapshot_tables(cloud)
    tables["provisioningTemplates"]["t"]["default"] = "t:7"
    dangling = r"provisioningTemplates\.t\.default: no provisioning template version"
    with pytest.raises(ValueError, match=dangling):
        FakeCloud.from_snapshot(snapshot)
    snapshot, tables = _snapshot_tables(cloud)
    versions = tables["provisioningTemplateVersions"]
    for i in range(2, 7):
        versions[f"t:{i}"] = {**versions["t:1"], "versionId": i}
    with pytest.raises(ValueError, match="more than 5 provisioning template versions"):
        FakeCloud.from_snapshot(snapshot)
