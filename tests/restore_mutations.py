"""Mutation testing of restore: a rich AWS snapshot, each leaf of its records deleted, retyped or
pushed out of range, restored, then read back through boto3.

A hand-edited snapshot that restore accepts must be one that later calls can serve: restore
either refuses it (a 400 naming the path) or every call on it answers as the service would,
never a 500 (a traceback-shaped ``InternalFailure``) or a reply boto3 cannot parse. The helpers
here build the snapshot, list its leaves, make the mutations and run the reads; the tests choose
how many (``test_admin_state_mutations.py`` a sample, ``reliability`` every leaf).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

from aws_helpers import in_process, template
from aws_pki import customer_ca, register_ca
from botocore.exceptions import ClientError

from iotfake import FakeCloud

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/iot"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:auth"
KEYS = {"k1": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"}
POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
)
CN = "AWS::IoT::Certificate::CommonName"
BODY = template(
    {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": CN}}}}, {CN: {"Type": "String"}}
)
DOC = '{"op": "reboot"}'


class _Delete:
    """A mutation that removes the leaf (its repr stays the same in every process: test ids)."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def rich_cloud() -> FakeCloud:
    """A cloud holding at least one record of every AWS kind, made through boto3 as a user would."""
    cloud = FakeCloud(seed=5)
    iot, data = in_process(cloud, attempts=1), in_process(cloud, "iot-data", attempts=1)
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    iot.create_thing_type(
        thingTypeName="lamp",
        thingTypeProperties={"thingTypeDescription": "a lamp", "searchableAttributes": ["room"]},
    )
    iot.deprecate_thing_type(thingTypeName="lamp")
    iot.deprecate_thing_type(thingTypeName="lamp", undoDeprecate=True)
    iot.create_thing_type(thingTypeName="plain")
    iot.create_thing_type(thingTypeName="old")
    iot.deprecate_thing_type(thingTypeName="old")
    arns = [
        iot.create_thing(
            thingName=f"t{i}", thingTypeName="lamp", attributePayload={"attributes": {"room": "a"}}
        )["thingArn"]
        for i in range(2)
    ]
    iot.create_thing_group(
        thingGroupName="top",
        thingGroupProperties={"thingGroupDescription": "d", "attributePayload": {"attributes": {"k": "v"}}},
    )
    iot.create_thing_group(thingGroupName="sub", parentGroupName="top")
    iot.add_thing_to_thing_group(thingGroupName="sub", thingName="t0")
    iot.create_dynamic_thing_group(thingGroupName="dyn", queryString="attributes.room:a")
    iot.create_billing_group(billingGroupName="bill", billingGroupProperties={"billingGroupDescription": "b"})
    iot.add_thing_to_billing_group(billingGroupName="bill", thingName="t0")
    cert = iot.create_keys_and_certificate(setAsActive=True)
    moving = iot.create_keys_and_certificate(setAsActive=False)["certificateId"]
    iot.transfer_certificate(certificateId=moving, targetAwsAccount="210987654321", transferMessage="m")
    back = iot.create_keys_and_certificate(setAsActive=False)["certificateId"]
    iot.transfer_certificate(certificateId=back, targetAwsAccount="210987654321")
    iot.cancel_certificate_transfer(certificateId=back)
    iot.create_policy(policyName="pol", policyDocument=POLICY)
    iot.create_policy_version(policyName="pol", policyDocument=POLICY, setAsDefault=True)
    iot.attach_policy(policyName="pol", target=cert["certificateArn"])
    iot.attach_thing_principal(thingName="t0", principal=cert["certificateArn"])
    ca = customer_ca()
    ca_id = register_ca(iot, ca, registrationConfig={"templateBody": BODY, "roleArn": ROLE})
    iot.register_certificate(certificatePem=ca.device("sensor-1"), status="ACTIVE")
    iot.create_role_alias(roleAlias="cam", roleArn=ROLE, tags=[{"Key": "a", "Value": "b"}])
    iot.create_topic_rule(
        ruleName="rule",
        topicRulePayload={
            "sql": "SELECT * FROM 'a/b'",
            "description": "r",
            "actions": [{"republish": {"roleArn": ROLE, "topic": "c/d"}}],
            "errorAction": {"republish": {"roleArn": ROLE, "topic": "e"}},
        },
    )
    iot.create_topic_rule_destination(
        destinationConfiguration={"httpUrlConfiguration": {"confirmationUrl": "https://example.com/x"}}
    )
    iot.create_authorizer(
        authorizerName="auth",
        authorizerFunctionArn=FUNCTION,
        tokenKeyName="token",
        tokenSigningPublicKeys=KEYS,
    )
    iot.set_default_authorizer(authorizerName="auth")
    iot.create_domain_configuration(
        domainConfigurationName="dom",
        authorizerConfig={"defaultAuthorizerName": "auth", "allowAuthorizerOverride": True},
    )
    iot.create_job(
        jobId="job",
        targets=arns,
        document=DOC,
        timeoutConfig={"inProgressTimeoutInMinutes": 5},
        jobExecutionsRolloutConfig={"maximumPerMinute": 10},
    )
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    iot.create_job(jobId="later", targets=arns[:1], document=DOC, schedulingConfig={"startTime": soon})
    iot.create_job(jobId="done", targets=arns[1:], document=DOC)
    iot.cancel_job(jobId="done", reasonCode="R1", comment="c")
    iot.create_job_template(jobTemplateId="tpl", description="d", document=DOC)
    iot.create_provisioning_template(
        templateName="fleet", templateBody=BODY, provisioningRoleArn=ROLE, enabled=True, description="d"
    )
    iot.create_provisioning_template(
        templateName="hooked",
        templateBody=BODY,
        provisioningRoleArn=ROLE,
        preProvisioningHook={"targetArn": FUNCTION, "payloadVersion": "2020-04-01"},
    )
    iot.create_provisioning_template_version(templateName="fleet", templateBody=BODY, setAsDefault=True)
    iot.create_provisioning_claim(templateName="fleet")
    jobs = in_process(cloud, "iot-jobs-data", attempts=1)
    jobs.start_next_pending_job_execution(
        thingName="t0", statusDetails={"step": "1"}, stepTimeoutInMinutes=30
    )
    data.update_thing_shadow(thingName="t0", payload=b'{"state": {"reported": {"on": true}}}')
    data.update_thing_shadow(thingName="t0", shadowName="named", payload=b'{"state": {"desired": {"x": 1}}}')
    data.publish(topic="keep/me", payload=b"hello", retain=True, qos=1)
    _ownership_token(cloud)
    assert ca_id
    return cloud


def _ownership_token(cloud: FakeCloud) -> None:
    from iotfake.providers.aws_iot.fleet_topics import respond

    aws = cloud.providers["aws"]
    respond(aws, aws.account(ACCOUNT, "us-east-1"), "$aws/certificates/create/json", b"{}",
            certificate_id=None, client_id="c-1")  # fmt: skip


def aws_tenant(snapshot: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in snapshot["registry"]["tenants"] if t["provider"] == "aws")


def leaves(snapshot: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path from the AWS tenant, value) of every leaf and every object or list inside a record
    of a table, a product or a device (not link tables: their checks are older and complete)."""
    tenant = aws_tenant(snapshot)
    for table, rows in tenant.get("tables", {}).items():
        if table.endswith("~") or table in LINKS:
            continue
        for key, record in rows.items():
            yield from _walk(("tables", table, key), record)
    for index, product in enumerate(tenant.get("products", [])):
        yield from _walk(("products", index), product)
    for index, device in enumerate(tenant.get("devices", [])):
        yield from _walk(("devices", index), device)


LINKS = {"groupMembers", "billingGroupMembers", "thingPrincipals", "policyTargets", "exclusivePrincipals"}


def _walk(path: tuple[Any, ...], value: Any) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*path, key), inner
            yield from _walk((*path, key), inner)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*path, index), inner
            yield from _walk((*path, index), inner)


def mutations(value: Any) -> list[tuple[str, Any]]:
    """What a hand edit might do to a leaf: delete it, give it another type, push it out of range."""
    found: list[tuple[str, Any]] = [("deleted", DELETE)]
    if isinstance(value, bool):
        found.append(("text", "x"))
    elif isinstance(value, int):
        found += [("text", "x"), ("huge", 2**70), ("negative", -(2**70)), ("float", 1.5)]
    elif isinstance(value, str):
        found += [("number", 7), ("empty", ""), ("garbled", "x!")]
    elif isinstance(value, dict):
        found += [("number", 7), ("list", [])]
    elif isinstance(value, list):
        found += [("number", 7), ("object", {})]
    else:
        found.append(("object", {}))
    return found


def mutated(snapshot: dict[str, Any], path: tuple[Any, ...], replacement: Any) -> dict[str, Any]:
    broken = copy.deepcopy(snapshot)
    holder: Any = aws_tenant(broken)
    for step in path[:-1]:
        holder = holder[step]
    if replacement is DELETE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = replacement
    return broken


def _reads(iot: Any, data: Any, jobs: Any, cloud: FakeCloud) -> dict[str, list[Callable[[], Any]]]:
    """The calls that read each table (or ``products``/``devices``), by its snapshot name."""
    tenant = aws_tenant(cloud.snapshot())
    tables = tenant.get("tables", {})
    certs = list(tables.get("certificates", {}))
    cas = list(tables.get("caCertificates", {}))
    policies = list(tables.get("policies", {}))
    destinations = list(tables.get("topicRuleDestinations", {}))
    arn = f"arn:aws:iot:us-east-1:{ACCOUNT}:"
    groups: list[Callable[[], Any]] = [
        lambda: iot.list_thing_groups(),
        lambda: iot.list_thing_groups(parentGroup="top"),
        lambda: iot.list_thing_groups_for_thing(thingName="t0"),
        lambda: iot.list_things_in_thing_group(thingGroupName="dyn"),
        lambda: iot.list_things_in_thing_group(thingGroupName="top", recursive=True),
        lambda: iot.search_index(queryString="thingGroupNames:sub"),
        lambda: iot.update_thing_group(
            thingGroupName="top", thingGroupProperties={"thingGroupDescription": "x"}
        ),
        lambda: iot.update_dynamic_thing_group(thingGroupName="dyn", thingGroupProperties={}),
        lambda: iot.create_thing_group(thingGroupName="sub", parentGroupName="top"),
        lambda: iot.list_tags_for_resource(resourceArn=f"{arn}thinggroup/top"),
    ]
    groups += [lambda n=n: iot.describe_thing_group(thingGroupName=n) for n in ("top", "sub", "dyn")]
    certificates: list[Callable[[], Any]] = [
        lambda: iot.list_certificates(),
        lambda: iot.list_certificates(ascendingOrder=True),
        lambda: iot.list_principal_things(principal=f"{arn}cert/{certs[0]}"),
        lambda: iot.list_outgoing_certificates(),
    ]
    certificates += [lambda c=c: iot.describe_certificate(certificateId=c) for c in certs]
    certificates += [lambda c=c: iot.list_certificates_by_ca(caCertificateId=c) for c in cas]
    certificates += [
        lambda c=c: iot.update_certificate(certificateId=c, newStatus="INACTIVE") for c in certs[:1]
    ]
    policy_reads: list[Callable[[], Any]] = [
        lambda: iot.list_policies(),
        lambda: iot.list_policies(ascendingOrder=True),
    ]
    for p in policies:
        policy_reads += [
            lambda p=p: iot.get_policy(policyName=p),
            lambda p=p: iot.list_policy_versions(policyName=p),
            lambda p=p: iot.get_policy_version(policyName=p, policyVersionId="1"),
            lambda p=p: iot.get_policy_version(policyName=p, policyVersionId="2"),
            lambda p=p: iot.list_targets_for_policy(policyName=p),
            lambda p=p: iot.create_policy_version(policyName=p, policyDocument=POLICY),
        ]
    policy_reads += [lambda c=c: iot.list_attached_policies(target=f"{arn}cert/{c}") for c in certs[:1]]
    types: list[Callable[[], Any]] = [
        lambda: iot.list_thing_types(),
        lambda: iot.describe_thing_type(thingTypeName="lamp"),
        lambda: iot.describe_thing_type(thingTypeName="plain"),
        lambda: iot.create_thing_type(thingTypeName="lamp"),
        lambda: iot.deprecate_thing_type(thingTypeName="lamp"),
        lambda: iot.list_tags_for_resource(resourceArn=f"{arn}thingtype/lamp"),
        lambda: iot.search_index(queryString="thingTypeName:lamp"),
        lambda: iot.describe_thing(thingName="t0"),
        lambda: iot.list_things(thingTypeName="lamp"),
    ]
    things: list[Callable[[], Any]] = [
        lambda: iot.describe_thing(thingName="t0"),
        lambda: iot.list_things(),
        lambda: iot.list_things(attributeName="room", attributeValue="a"),
        lambda: iot.search_index(queryString="thingName:t*"),
        lambda: iot.list_thing_principals(thingName="t0"),
        lambda: iot.update_thing(thingName="t0", attributePayload={"attributes": {"x": "y"}, "merge": True}),
        lambda: iot.list_job_executions_for_thing(thingName="t0"),
    ]
    job_reads: list[Callable[[], Any]] = [
        lambda: iot.list_jobs(),
        lambda: iot.describe_job(jobId="job"),
        lambda: iot.get_job_document(jobId="job"),
        lambda: iot.list_job_executions_for_job(jobId="job"),
        lambda: iot.list_job_executions_for_thing(thingName="t0"),
        lambda: iot.list_job_executions_for_thing(thingName="t1"),
        lambda: iot.describe_job_execution(jobId="job", thingName="t0"),
        lambda: iot.describe_job_execution(jobId="job", thingName="t1"),
        lambda: jobs.get_pending_job_executions(thingName="t0"),
        lambda: jobs.get_pending_job_executions(thingName="t1"),
        lambda: jobs.describe_job_execution(jobId="job", thingName="t0", includeJobDocument=True),
        lambda: jobs.start_next_pending_job_execution(thingName="t1"),
        lambda: iot.update_job(jobId="job", description="x"),
        lambda: iot.list_tags_for_resource(resourceArn=f"{arn}job/job"),
    ]
    templates: list[Callable[[], Any]] = [
        lambda: iot.list_job_templates(),
        lambda: iot.describe_job_template(jobTemplateId="tpl"),
        lambda: iot.create_job(
            jobId="from-tpl", targets=[f"{arn}thing/t0"], jobTemplateArn=f"{arn}jobtemplate/tpl"
        ),
    ]
    provisioning: list[Callable[[], Any]] = [
        lambda: iot.list_provisioning_templates(),
        lambda: iot.describe_provisioning_template(templateName="fleet"),
        lambda: iot.list_provisioning_template_versions(templateName="fleet"),
        lambda: iot.describe_provisioning_template_version(templateName="fleet", versionId=1),
        lambda: iot.describe_provisioning_template_version(templateName="fleet", versionId=2),
        lambda: iot.update_provisioning_template(templateName="fleet", description="x"),
        lambda: iot.create_provisioning_template_version(templateName="fleet", templateBody=BODY),
        lambda: iot.create_provisioning_claim(templateName="fleet"),
        lambda: iot.list_tags_for_resource(resourceArn=f"{arn}provisioningtemplate/fleet"),
    ]
    billing: list[Callable[[], Any]] = [
        lambda: iot.list_billing_groups(),
        lambda: iot.describe_billing_group(billingGroupName="bill"),
        lambda: iot.list_things_in_billing_group(billingGroupName="bill"),
        lambda: iot.update_billing_group(billingGroupName="bill", billingGroupProperties={}),
        lambda: iot.describe_thing(thingName="t0"),
    ]
    aliases: list[Callable[[], Any]] = [
        lambda: iot.list_role_aliases(),
        lambda: iot.describe_role_alias(roleAlias="cam"),
        lambda: iot.update_role_alias(roleAlias="cam", credentialDurationSeconds=1000),
        lambda: iot.list_tags_for_resource(resourceArn=f"{arn}rolealias/cam"),
    ]
    rules: list[Callable[[], Any]] = [
        lambda: iot.list_topic_rules(),
        lambda: iot.get_topic_rule(ruleName="rule"),
        lambda: iot.disable_topic_rule(ruleName="rule"),
        lambda: iot.list_tags_for_resource(resourceArn=f"{arn}rule/rule"),
        lambda: data.publish(topic="a/b", payload=b"{}"),
    ]
    destination_reads: list[Callable[[], Any]] = [lambda: iot.list_topic_rule_destinations()]
    destination_reads += [
        lambda d=d: iot.get_topic_rule_destination(arn=f"{arn}ruledestination/http/{d}") for d in destinations
    ]
    ca_reads: list[Callable[[], Any]] = [lambda: iot.list_ca_certificates()]
    ca_reads += [lambda c=c: iot.describe_ca_certificate(certificateId=c) for c in cas]
    ca_reads += [lambda c=c: iot.list_certificates_by_ca(caCertificateId=c) for c in cas]
    ca_reads += [lambda c=c: iot.update_ca_certificate(certificateId=c, newStatus="ACTIVE") for c in cas]
    authorizers: list[Callable[[], Any]] = [
        lambda: iot.list_authorizers(),
        lambda: iot.describe_authorizer(authorizerName="auth"),
        lambda: iot.describe_default_authorizer(),
        lambda: iot.update_authorizer(authorizerName="auth", status="ACTIVE"),
        lambda: iot.list_domain_configurations(),
        lambda: iot.describe_domain_configuration(domainConfigurationName="dom"),
        lambda: iot.update_domain_configuration(
            domainConfigurationName="dom", domainConfigurationStatus="ENABLED"
        ),
        lambda: iot.list_tags_for_resource(resourceArn=f"{arn}authorizer/auth"),
    ]
    shadows: list[Callable[[], Any]] = [
        lambda: data.get_thing_shadow(thingName="t0"),
        lambda: data.get_thing_shadow(thingName="t0", shadowName="named"),
        lambda: data.list_named_shadows_for_thing(thingName="t0"),
        lambda: data.update_thing_shadow(thingName="t0", payload=b'{"state": {"reported": {"on": false}}}'),
        lambda: data.update_thing_shadow(
            thingName="t0", shadowName="named", payload=b'{"state": {"reported": {"x": 2}}}'
        ),
        lambda: iot.search_index(queryString="thingName:t0"),
    ]
    retained: list[Callable[[], Any]] = [
        lambda: data.list_retained_messages(),
        lambda: data.get_retained_message(topic="keep/me"),
        lambda: data.publish(topic="keep/me", payload=b"again", retain=True),
    ]
    return {
        "thingGroups": groups,
        "certificates": certificates,
        "policies": policy_reads,
        "policyVersions": policy_reads,
        "products": types,
        "devices": things,
        "jobs": job_reads,
        "jobExecutions": job_reads,
        "jobTemplates": templates,
        "provisioningTemplates": provisioning,
        "provisioningTemplateVersions": provisioning,
        "provisioningClaims": provisioning + certificates,
        "ownershipTokens": certificates,
        "billingGroups": billing,
        "roleAliases": aliases,
        "topicRules": rules,
        "topicRuleDestinations": destination_reads,
        "caCertificates": ca_reads + certificates,
        "caRegistrationConfigs": ca_reads,
        "authorizers": authorizers,
        "domainConfigurations": authorizers,
        "shadows": shadows,
        "shadowVersions": shadows,
        "retainedMessages": retained,
    }


def failures(cloud: FakeCloud, area: str) -> list[str]:
    """The calls on ``area`` (a table name, ``products`` or ``devices``) that answered a 5xx or
    that boto3 could not parse, as "index: what happened"."""
    iot = in_process(cloud, attempts=1)
    data = in_process(cloud, "iot-data", attempts=1)
    jobs = in_process(cloud, "iot-jobs-data", attempts=1)
    found = []
    for index, call in enumerate(_reads(iot, data, jobs, cloud).get(area, [])):
        try:
            call()
        except ClientError as exc:
            status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
            if status >= 500:
                found.append(f"{area}[{index}]: {status} {exc.response['Error']}")
        except Exception as exc:
            found.append(f"{area}[{index}]: {type(exc).__name__}: {exc}"[:300])
    return found


def check(snapshot: dict[str, Any], path: tuple[Any, ...], label: str, replacement: Any) -> str | None:
    """Restore the mutated snapshot; None if it is refused with a ValueError naming a path, or
    accepted and served; otherwise what went wrong."""
    broken = mutated(snapshot, path, replacement)
    cloud = FakeCloud(seed=5)
    try:
        cloud.restore(broken)
    except ValueError as exc:
        if "registry.tenants[" not in str(exc):
            return f"{path} {label}: refused without naming where: {exc}"
        return None
    except Exception as exc:
        return f"{path} {label}: restore raised {type(exc).__name__}: {exc}"
    area = path[1] if path[0] == "tables" else path[0]
    problems = failures(cloud, area)
    if problems:
        return f"{'.'.join(map(str, path))} {label}: " + "; ".join(problems)
    try:
        json.loads(cloud.state_json())
    except Exception as exc:
        return f"{path} {label}: the state no longer saves: {exc}"
    return None
