"""TagResource / UntagResource / ListTagsForResource through boto3 over every kind the fake tags:
thing types, thing groups, billing groups, policies, role aliases, topic rules, authorizers, jobs
and job templates; AWS's limits."""

from __future__ import annotations

import json

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud

PREFIX = "arn:aws:iot:us-east-1:123456789012:"
ROLE = "arn:aws:iam::123456789012:role/r"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}

MAKERS = {
    "thingtype/tt": lambda iot: iot.create_thing_type(
        thingTypeName="tt", tags=[{"Key": "made", "Value": "1"}]
    ),
    "thinggroup/g": lambda iot: iot.create_thing_group(
        thingGroupName="g", tags=[{"Key": "made", "Value": "1"}]
    ),
    "billinggroup/b": lambda iot: iot.create_billing_group(
        billingGroupName="b", tags=[{"Key": "made", "Value": "1"}]
    ),
    "policy/p": lambda iot: iot.create_policy(
        policyName="p", policyDocument=json.dumps(POLICY), tags=[{"Key": "made", "Value": "1"}]
    ),
    "rolealias/ra": lambda iot: iot.create_role_alias(
        roleAlias="ra", roleArn=ROLE, tags=[{"Key": "made", "Value": "1"}]
    ),
    "authorizer/au": lambda iot: iot.create_authorizer(
        authorizerName="au",
        authorizerFunctionArn="f",
        signingDisabled=True,
        tags=[{"Key": "made", "Value": "1"}],
    ),
    "rule/tr": lambda iot: iot.create_topic_rule(
        ruleName="tr",
        topicRulePayload={
            "sql": "SELECT * FROM 'a'",
            "actions": [{"republish": {"roleArn": ROLE, "topic": "b"}}],
        },
        tags="made=1",
    ),
    # jobs and job templates keep what they were created with: it was accepted, never readable
    "job/jb": lambda iot: iot.create_job(
        jobId="jb",
        targets=[iot.create_thing(thingName="t")["thingArn"]],
        document="{}",
        tags=[{"Key": "made", "Value": "1"}],
    ),
    "jobtemplate/jt": lambda iot: iot.create_job_template(
        jobTemplateId="jt", description="d", document="{}", tags=[{"Key": "made", "Value": "1"}]
    ),
}


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_tag_untag_and_list_every_taggable_kind(iot, resource: str) -> None:
    MAKERS[resource](iot)
    arn = PREFIX + resource
    assert iot.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "made", "Value": "1"}]
    conforms(
        "TagResource",
        iot.tag_resource(
            resourceArn=arn, tags=[{"Key": "env", "Value": "dev"}, {"Key": "made", "Value": "2"}]
        ),
    )
    listed = conforms("ListTagsForResource", iot.list_tags_for_resource(resourceArn=arn))
    assert listed["tags"] == [{"Key": "env", "Value": "dev"}, {"Key": "made", "Value": "2"}]
    iot.untag_resource(resourceArn=arn, tagKeys=["made", "not-there"])
    assert iot.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "env", "Value": "dev"}]


def test_missing_resources_and_untaggable_arns(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="does not exist"):
        iot.tag_resource(resourceArn=PREFIX + "rolealias/nope", tags=[{"Key": "k", "Value": "v"}])
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.list_tags_for_resource(resourceArn=PREFIX + "thingtype/nope")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not the ARN of a taggable resource"):
        iot.untag_resource(resourceArn="arn:aws:iot:eu-west-1:123456789012:rule/r", tagKeys=["k"])
    iot.create_thing(thingName="t")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.list_tags_for_resource(resourceArn=PREFIX + "thing/t")


def test_fifty_tags_at_most_and_reserved_keys(iot) -> None:
    iot.create_billing_group(billingGroupName="b")
    arn = PREFIX + "billinggroup/b"
    iot.tag_resource(resourceArn=arn, tags=[{"Key": f"k{i:02}", "Value": "v"} for i in range(50)])
    iot.tag_resource(resourceArn=arn, tags=[{"Key": "k00", "Value": "again"}])  # a replacement, still 50
    with pytest.raises(iot.exceptions.LimitExceededException, match="at most 50 tags"):
        iot.tag_resource(resourceArn=arn, tags=[{"Key": "k50", "Value": "v"}])
    with pytest.raises(iot.exceptions.InvalidRequestException, match="reserved"):
        iot.tag_resource(resourceArn=PREFIX + "billinggroup/b", tags=[{"Key": "aws:owner", "Value": "v"}])
    with pytest.raises(iot.exceptions.InvalidRequestException, match=r"tags\.1\.member\.Key"):
        iot.tag_resource(resourceArn=arn, tags=[{"Key": "k" * 129, "Value": "v"}])
    with pytest.raises(iot.exceptions.InvalidRequestException, match=r"tags\.1\.member\.Value"):
        iot.tag_resource(resourceArn=arn, tags=[{"Key": "k", "Value": "v" * 257}])
    pages = iot.get_paginator("list_tags_for_resource").paginate(resourceArn=arn)
    tags = [t for page in pages for t in page["tags"]]
    assert len(tags) == 50
    assert tags[0] == {"Key": "k00", "Value": "again"}


def test_tags_survive_a_snapshot(iot, aws_cloud: FakeCloud) -> None:
    iot.create_role_alias(roleAlias="ra", roleArn=ROLE)
    iot.create_thing_type(thingTypeName="tt")
    iot.tag_resource(resourceArn=PREFIX + "rolealias/ra", tags=[{"Key": "k", "Value": "v"}])
    iot.tag_resource(resourceArn=PREFIX + "thingtype/tt", tags=[{"Key": "k", "Value": "w"}])
    copy = FakeCloud.from_snapshot(aws_cloud.snapshot())
    tenant = copy.registry.tenant("aws", "123456789012/us-east-1")
    assert tenant.table("roleAliases")["ra"]["tags"] == [{"Key": "k", "Value": "v"}]
    assert tenant.product("tt").attributes["tags"] == [{"Key": "k", "Value": "w"}]


def test_a_job_made_from_a_template_has_tags_of_its_own(iot) -> None:
    """A template's tags are the template's: a job made from it showed them as its own."""
    made = iot.create_job_template(
        jobTemplateId="tpl", description="d", document="{}", tags=[{"Key": "owner", "Value": "team"}]
    )
    arn = iot.create_thing(thingName="t")["thingArn"]
    iot.create_job(jobId="jb", targets=[arn], jobTemplateArn=made["jobTemplateArn"])
    assert iot.list_tags_for_resource(resourceArn=PREFIX + "job/jb")["tags"] == []


#: creators whose ``tags`` the create call itself carries; the limit's error is the one the
#: operation's model declares (LimitExceededException where it has one, else InvalidRequest)
CREATE_WITH_TAGS = {
    "thinggroup/g": (
        lambda iot, tags: iot.create_thing_group(thingGroupName="g", tags=tags),
        "InvalidRequest",
    ),
    "billinggroup/b": (
        lambda iot, tags: iot.create_billing_group(billingGroupName="b", tags=tags),
        "InvalidRequest",
    ),
    "thingtype/tt": (
        lambda iot, tags: iot.create_thing_type(thingTypeName="tt", tags=tags),
        "InvalidRequest",
    ),
    "policy/p": (
        lambda iot, tags: iot.create_policy(policyName="p", policyDocument=json.dumps(POLICY), tags=tags),
        "InvalidRequest",
    ),
    "rolealias/ra": (
        lambda iot, tags: iot.create_role_alias(roleAlias="ra", roleArn=ROLE, tags=tags),
        "LimitExceeded",
    ),
    "rule/tr": (
        lambda iot, tags: iot.create_topic_rule(
            ruleName="tr",
            topicRulePayload={
                "sql": "SELECT * FROM 'a'",
                "actions": [{"republish": {"roleArn": ROLE, "topic": "b"}}],
            },
            tags="&".join(f"{t['Key']}={t['Value']}" for t in tags),
        ),
        "InvalidRequest",
    ),
}


@pytest.mark.parametrize("resource", sorted(CREATE_WITH_TAGS))
def test_tags_given_at_creation_follow_tag_resources_rules(iot, resource: str) -> None:
    """Tags given to a Create call were stored unchecked: a reserved ``aws:`` key, 51 tags, and
    a key given twice (listed twice afterwards) all went in."""
    create, over = CREATE_WITH_TAGS[resource]
    arn = PREFIX + resource
    with pytest.raises(iot.exceptions.InvalidRequestException, match="reserved"):
        create(iot, [{"Key": "aws:owner", "Value": "v"}])
    with pytest.raises(getattr(iot.exceptions, over + "Exception"), match="at most 50 tags"):
        create(iot, [{"Key": f"k{i:02}", "Value": "v"} for i in range(51)])
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.list_tags_for_resource(resourceArn=arn)  # neither refused call made the resource
    create(iot, [{"Key": "k", "Value": "1"}, {"Key": "j", "Value": "x"}, {"Key": "k", "Value": "2"}])
    assert iot.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"Key": "j", "Value": "x"},
        {"Key": "k", "Value": "2"},
    ]
