"""Write the state an older iotfake kept of a busy AWS account, for ``test_admin_state_mutations``.

Run with an older commit's sources first on the path, e.g.::

    git archive 6c51417 src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src python tests/data/old_states/make_state.py tests/data/old_states/aws-6c51417.json

Every kind that version knew gets records, through a live server and boto3 as a user makes them;
a step the version cannot take (an operation it did not have yet) is skipped.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import boto3
from aws_pki import customer_ca
from botocore.config import Config

from iotfake import FakeCloud

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/iot"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:auth"
KEYS = {"k1": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"}
POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
)
CN = "AWS::IoT::Certificate::CommonName"
BODY = json.dumps(
    {
        "Parameters": {CN: {"Type": "String"}},
        "Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": CN}}}},
    }
)
DOC = '{"op": "reboot"}'

cloud = FakeCloud(seed=5)
ok, failed = [], []
with cloud.serve() as server:

    def client(service):
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1}),
        )

    iot, data, jobs = client("iot"), client("iot-data"), client("iot-jobs-data")
    ca = customer_ca()
    cert = {}

    def reg_ca():
        code = iot.get_registration_code()["registrationCode"]
        iot.register_ca_certificate(
            caCertificate=ca.pem,
            verificationCertificate=ca.verification(code),
            setAsActive=True,
            allowAutoRegistration=True,
            registrationConfig={"templateBody": BODY, "roleArn": ROLE},
        )

    steps = [
        lambda: iot.update_indexing_configuration(
            thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"}
        ),
        lambda: iot.create_thing_type(
            thingTypeName="lamp",
            thingTypeProperties={"thingTypeDescription": "a lamp", "searchableAttributes": ["room"]},
        ),
        lambda: iot.create_thing_type(thingTypeName="plain"),
        lambda: iot.create_thing(
            thingName="t0", thingTypeName="lamp", attributePayload={"attributes": {"room": "a"}}
        ),
        lambda: iot.create_thing(thingName="t1", attributePayload={"attributes": {"room": "a"}}),
        lambda: iot.deprecate_thing_type(thingTypeName="lamp"),
        lambda: iot.create_thing_group(
            thingGroupName="top",
            thingGroupProperties={
                "thingGroupDescription": "d",
                "attributePayload": {"attributes": {"k": "v"}},
            },
        ),
        lambda: iot.create_thing_group(thingGroupName="sub", parentGroupName="top"),
        lambda: iot.update_thing_group(
            thingGroupName="sub", thingGroupProperties={"thingGroupDescription": "x"}
        ),
        lambda: iot.add_thing_to_thing_group(thingGroupName="sub", thingName="t0"),
        lambda: iot.create_dynamic_thing_group(thingGroupName="dyn", queryString="attributes.room:a"),
        lambda: iot.create_billing_group(
            billingGroupName="bill", billingGroupProperties={"billingGroupDescription": "b"}
        ),
        lambda: iot.add_thing_to_billing_group(billingGroupName="bill", thingName="t0"),
        lambda: cert.update(iot.create_keys_and_certificate(setAsActive=True)),
        lambda: iot.create_keys_and_certificate(setAsActive=False),
        lambda: iot.create_policy(policyName="pol", policyDocument=POLICY),
        lambda: iot.create_policy(policyName="pol2", policyDocument=POLICY),
        lambda: iot.create_policy_version(policyName="pol", policyDocument=POLICY, setAsDefault=True),
        lambda: iot.attach_policy(policyName="pol", target=cert["certificateArn"]),
        lambda: iot.attach_thing_principal(thingName="t0", principal=cert["certificateArn"]),
        lambda: iot.update_certificate(certificateId=cert["certificateId"], newStatus="INACTIVE"),
        reg_ca,
        lambda: iot.register_certificate(certificatePem=ca.device("sensor-1"), status="ACTIVE"),
        lambda: iot.register_certificate_without_ca(
            certificatePem=customer_ca("other").device("x"), status="ACTIVE"
        ),
        lambda: iot.transfer_certificate(
            certificateId=iot.create_keys_and_certificate()["certificateId"], targetAwsAccount="210987654321"
        ),
        lambda: iot.create_role_alias(roleAlias="cam", roleArn=ROLE),
        lambda: iot.create_topic_rule(
            ruleName="rule",
            topicRulePayload={
                "sql": "SELECT * FROM 'a/b'",
                "description": "r",
                "actions": [{"republish": {"roleArn": ROLE, "topic": "c/d"}}],
                "errorAction": {"republish": {"roleArn": ROLE, "topic": "e"}},
            },
        ),
        lambda: iot.create_topic_rule_destination(
            destinationConfiguration={"httpUrlConfiguration": {"confirmationUrl": "https://example.com/x"}}
        ),
        lambda: iot.create_authorizer(
            authorizerName="auth",
            authorizerFunctionArn=FUNCTION,
            tokenKeyName="token",
            tokenSigningPublicKeys=KEYS,
        ),
        lambda: iot.set_default_authorizer(authorizerName="auth"),
        lambda: iot.create_domain_configuration(
            domainConfigurationName="dom",
            authorizerConfig={"defaultAuthorizerName": "auth", "allowAuthorizerOverride": True},
        ),
        lambda: iot.create_job(
            jobId="job",
            targets=[
                f"arn:aws:iot:us-east-1:{ACCOUNT}:thing/t0",
                f"arn:aws:iot:us-east-1:{ACCOUNT}:thing/t1",
            ],
            document=DOC,
            timeoutConfig={"inProgressTimeoutInMinutes": 5},
            jobExecutionsRolloutConfig={"maximumPerMinute": 10},
        ),
        lambda: iot.create_job_template(jobTemplateId="tpl", description="d", document=DOC),
        lambda: iot.create_provisioning_template(
            templateName="fleet", templateBody=BODY, provisioningRoleArn=ROLE, enabled=True, description="d"
        ),
        lambda: iot.create_provisioning_template_version(
            templateName="fleet", templateBody=BODY, setAsDefault=True
        ),
        lambda: iot.create_provisioning_claim(templateName="fleet"),
        lambda: jobs.start_next_pending_job_execution(thingName="t0", statusDetails={"step": "1"}),
        lambda: data.update_thing_shadow(thingName="t0", payload=b'{"state": {"reported": {"on": true}}}'),
        lambda: data.update_thing_shadow(
            thingName="t0", shadowName="named", payload=b'{"state": {"desired": {"x": 1}}}'
        ),
        lambda: data.publish(topic="keep/me", payload=b"hello", retain=True, qos=1),
        lambda: iot.tag_resource(
            resourceArn=f"arn:aws:iot:us-east-1:{ACCOUNT}:thinggroup/top", tags=[{"Key": "a", "Value": "b"}]
        ),
    ]
    for i, step in enumerate(steps):
        try:
            step()
            ok.append(i)
        except Exception as exc:
            failed.append((i, type(exc).__name__, str(exc)[:100]))
try:
    from iotfake.providers.aws_iot.fleet_topics import respond

    aws = cloud.providers["aws"]
    respond(
        aws,
        aws.account(ACCOUNT, "us-east-1"),
        "$aws/certificates/create/json",
        b"{}",
        certificate_id=None,
        client_id="c-1",
    )
except Exception as exc:
    failed.append(("ownership", type(exc).__name__, str(exc)[:80]))
Path(sys.argv[1]).write_text(cloud.state_json())
print(len(ok), "ok; failed:", [f[0] for f in failed])
