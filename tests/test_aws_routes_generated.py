"""The AWS routes come from botocore's model: the checked-in module must match a fresh generation."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from aws_helpers import POLICY
from botocore.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import Map

from iotfake import FakeCloud
from iotfake.providers.aws_iot import AwsIotProvider, javaregex, routes
from iotfake.providers.aws_iot.handlers import HANDLERS
from iotfake.providers.aws_iot.javaregex import compile_pattern
from iotfake.providers.aws_iot.model import OPERATIONS, SHAPES
from iotfake.transports import route_botocore

ROOT = Path(__file__).resolve().parents[1]


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_aws_routes", ROOT / "scripts/gen_aws_routes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VERSION_STAMP = re.compile(r'^BOTOCORE_VERSION = ".*"$', re.M)


def without_version_stamp(source: str) -> str:
    """botocore releases almost daily; only a change in the IoT model itself is drift."""
    return VERSION_STAMP.sub('BOTOCORE_VERSION = "…"', source)


@pytest.mark.parametrize("service", ["iot", "iot-data"])
def test_checked_in_module_matches_the_installed_botocore_model(service: str) -> None:
    generator = load_generator()
    generated = generator.render(service)
    module = generator.SERVICES[service][1]
    checked_in = (ROOT / "src/iotfake/providers/aws_iot" / module).read_text(encoding="utf-8")
    assert VERSION_STAMP.search(checked_in), "the generated module no longer records botocore's version"
    assert without_version_stamp(generated) == without_version_stamp(checked_in), (
        f"{module} is stale: run scripts/gen_aws_routes.py"
    )


def test_a_version_bump_alone_is_not_drift_but_a_model_change_is() -> None:
    checked_in = (ROOT / "src/iotfake/providers/aws_iot/routes_generated.py").read_text(encoding="utf-8")
    bumped = VERSION_STAMP.sub('BOTOCORE_VERSION = "9.99.99"', checked_in)
    assert without_version_stamp(bumped) == without_version_stamp(checked_in)
    changed = bumped.replace('"rule": "/things"', '"rule": "/thingz"', 1)
    assert without_version_stamp(changed) != without_version_stamp(checked_in)


def test_generator_turns_labels_and_literal_query_parts_into_werkzeug_rules() -> None:
    gen = load_generator()
    assert gen.split_uri("/a/{b}?versions&type=x") == ("/a/{b}", {"versions": "", "type": "x"})
    labels = {"b": {"type": "string", "pattern": "[a-z]+"}, "arn": {"type": "string"}}
    assert gen.werkzeug_rule("/a/{b}/c", labels) == "/a/<b>/c"
    assert gen.werkzeug_rule("/d/{arn+}", labels) == "/d/<path:arn>"
    assert gen.werkzeug_rule("/e/{arn}", labels) == "/e/<path:arn>"  # an ARN carries '/'
    assert gen.werkzeug_rule("/e/{b}", labels) == "/e/<path:b>"  # so that 'a/b' fails validation
    assert gen.werkzeug_rule("/e/{n}", {"n": {"type": "integer"}}) == "/e/<n>"


def test_every_handler_serves_an_operation_of_the_models() -> None:
    assert set(HANDLERS) <= set(OPERATIONS)


def test_operations_name_their_signing_service() -> None:
    assert OPERATIONS["DescribeThing"]["service"] == "iot"
    assert OPERATIONS["GetThingShadow"]["service"] == "iotdata"
    # prefixed so that iot-data's shapes never overwrite iot's namesakes
    assert OPERATIONS["GetThingShadow"]["input"] == "iotdata.GetThingShadowRequest"
    assert SHAPES["iotdata.ThrottlingException"] != SHAPES["ThrottlingException"]


def test_the_model_covers_the_registry_family() -> None:
    assert OPERATIONS["RegisterThing"]["method"] == "POST"
    assert OPERATIONS["RegisterThing"]["rule"] == "/things"
    assert OPERATIONS["DeleteThing"]["rule"] == "/things/<path:thingName>"
    assert OPERATIONS["ListThingPrincipals"]["rule"] == "/things/<thingName>/principals"
    assert OPERATIONS["ListAttachedPolicies"]["rule"] == "/attached-policies/<path:target>"
    assert len(OPERATIONS) > 250


def _sample_path(rule: str) -> str:
    return re.sub(r"<(?:path:)?(\w+)>", lambda m: f"x-{m.group(1)}", rule)


def test_every_operation_routes_back_to_itself() -> None:
    adapter = Map(AwsIotProvider.rules(), strict_slashes=False, merge_slashes=False).bind("localhost")
    for name, op in OPERATIONS.items():
        endpoint, args = adapter.match(_sample_path(op["rule"]), method=op["method"])
        assert name in routes()[endpoint[1]], name
        assert all(v.startswith("x-") for v in args.values()), name


def data_call(iot, call):
    """An iot-data call, its validation error raised as the iot client's (the tests catch those)."""
    data = route_botocore(
        boto3.client(
            "iot-data",
            endpoint_url="http://iotfake",
            region_name="us-east-1",
            aws_access_key_id="AKIAEXAMPLE000000000",
            aws_secret_access_key="x",
        ),
        FakeCloud(seed=1),
    )
    try:
        call(data)
    except data.exceptions.InvalidRequestException as exc:
        raise iot.exceptions.InvalidRequestException(exc.response, exc.operation_name) from exc


def _iot():
    client = boto3.client(
        "iot",
        endpoint_url="http://iotfake",
        region_name="us-east-1",
        aws_access_key_id="AKIAEXAMPLE000000000",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )
    return route_botocore(client, FakeCloud(seed=1))


def _jobs_data_describe(iot, **args: object) -> None:
    """DescribeJobExecution through an ``iot-jobs-data`` client on a fake of its own; its
    refusal re-raised as the ``iot`` client's class, which the checks below expect."""
    client = route_botocore(
        boto3.client(
            "iot-jobs-data",
            endpoint_url="http://iotfake",
            region_name="us-east-1",
            aws_access_key_id="AKIAEXAMPLE000000000",
            aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1}),
        ),
        FakeCloud(seed=1),
    )
    try:
        client.describe_job_execution(**args)
    except client.exceptions.InvalidRequestException as exc:
        raise iot.exceptions.InvalidRequestException(exc.response, exc.operation_name) from exc


#: for every pattern a served request can carry: a call whose one member breaks it (botocore
#: checks no pattern itself), and where AWS's message puts that member
SALESFORCE = (
    "https://ingestion-[a-zA-Z0-9]{1,12}\\.[a-zA-Z0-9]+\\.((sfdc-matrix\\.net)|(sfdcnow\\.com))"
    "/streams/\\w{1,20}/\\w{1,20}/event"
)
ACM = (
    "arn:aws(-cn|-us-gov|-iso-b|-iso)?:acm:[a-z]{2}-(gov-|iso-|isob-)?[a-z]{4,9}-\\d{1}:\\d{12}:"
    "certificate/[a-zA-Z0-9/-]+"
)
BREAKING = {
    "^[.\\-_/#A-Za-z0-9]+$": (
        lambda iot: iot.set_v2_logging_options(
            eventConfigurations=[{"eventType": "Connect", "logDestination": "log group"}]
        ),
        "log group",
        "eventConfigurations.1.member.logDestination",
    ),
    "[a-zA-Z0-9:_-]+": (lambda iot: iot.create_thing(thingName="bad name!"), "bad name!", "thingName"),
    # Java's \w is ASCII: a letter with an accent is not a word character to AWS
    "[\\w+=,.@-]+": (
        lambda iot: iot.create_policy(policyName="pölicy-1", policyDocument=json.dumps(POLICY)),
        "pölicy-1",
        "policyName",
    ),
    "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$": (
        lambda iot: iot.create_thing_type(thingTypeName="tt", tags=[{"Key": "semi;colon", "Value": "v"}]),
        "semi;colon",
        "tags.1.member.Key",
    ),
    "[a-zA-Z0-9_.,@/:#-]+": (
        lambda iot: iot.list_things(attributeName="a b", attributeValue="v"),
        "a b",
        "attributeName",
    ),
    "[a-zA-Z0-9_.,@/:#=\\[\\]-]*": (
        lambda iot: iot.create_thing(thingName="t1", attributePayload={"attributes": {"a": "v w"}}),
        "v w",
        "attributePayload.attributes.a",
    ),
    "[\\p{Graph}\\x20]*": (
        lambda iot: iot.create_thing_group(
            thingGroupName="g", thingGroupProperties={"thingGroupDescription": "tab\there"}
        ),
        "tab\there",
        "thingGroupProperties.thingGroupDescription",
    ),
    "[a-zA-Z0-9:$.]+": (
        lambda iot: iot.create_thing_type(
            thingTypeName="tt", thingTypeProperties=mqtt5(userPropertyKey="a b")
        ),
        "a b",
        "thingTypeProperties.mqtt5Configuration.propagatingAttributes.1.member.userPropertyKey",
    ),
    "[a-zA-Z0-9:.]+": (
        lambda iot: iot.create_thing_type(
            thingTypeName="tt", thingTypeProperties=mqtt5(userPropertyKey="k", connectionAttribute="a b")
        ),
        "a b",
        "thingTypeProperties.mqtt5Configuration.propagatingAttributes.1.member.connectionAttribute",
    ),
    "(0x)?[a-fA-F0-9]+": (
        lambda iot: iot.describe_certificate(certificateId="g" * 64),
        "g" * 64,
        "certificateId",
    ),
    "[A-Za-z0-9+/]+={0,2}": (
        lambda iot: iot.list_policies(marker="not a marker!"),
        "not a marker!",
        "marker",
    ),
    "[$a-zA-Z0-9:_-]+": (
        lambda iot: iot.update_indexing_configuration(
            thingIndexingConfiguration={
                "thingIndexingMode": "REGISTRY_AND_SHADOW",
                "namedShadowIndexingMode": "ON",
                "filter": {"namedShadowNames": ["bad name!"]},
            }
        ),
        "bad name!",
        "thingIndexingConfiguration.filter.namedShadowNames.1.member",
    ),
    "[\\w=,@-]+": (
        lambda iot: iot.create_role_alias(roleAlias="bad alias!", roleArn=ROLE),
        "bad alias!",
        "roleAlias",
    ),
    "^[a-zA-Z0-9_]+$": (
        lambda iot: rule(iot, {"republish": {"roleArn": ROLE, "topic": "t"}}, "bad-name"),
        "bad-name",
        "ruleName",
    ),
    "([\\n\\t])|(\\r\\n)|(,)": (
        lambda iot: rule(iot, {"firehose": {"roleArn": ROLE, "deliveryStreamName": "s", "separator": ";"}}),
        ";",
        "topicRulePayload.actions.1.member.firehose.separator",
    ),
    "https?://.*": (
        lambda iot: rule(
            iot,
            {"elasticsearch": {"roleArn": ROLE, "endpoint": "ftp://x", "index": "i", "type": "t", "id": "1"}},
        ),
        "ftp://x",
        "topicRulePayload.actions.1.member.elasticsearch.endpoint",
    ),
    SALESFORCE: (
        lambda iot: rule(iot, {"salesforce": {"token": "t" * 40, "url": "https://example.com/event"}}),
        "https://example.com/event",
        "topicRulePayload.actions.1.member.salesforce.url",
    ),
    '^[^_\\"][^\\"]+$': (
        lambda iot: rule(iot, influx(databaseName="_db")),
        "_db",
        "topicRulePayload.actions.1.member.influxDB.databaseName",
    ),
    "^[^$].*": (
        lambda iot: data_call(iot, lambda data: data.get_connection(clientId="$bad")),
        "$bad",
        "clientId",
    ),
    "^[^_].*$": (
        lambda iot: rule(iot, influx(tableName="_table")),
        "_table",
        "topicRulePayload.actions.1.member.influxDB.tableName",
    ),
    "[a-zA-Z0-9_-]+": (
        lambda iot: iot.create_authorizer(
            authorizerName="a",
            authorizerFunctionArn="f",
            tokenKeyName="bad key",
            tokenSigningPublicKeys={"k": "v"},
        ),
        "bad key",
        "tokenKeyName",
    ),
    "[\\w.-]+": (
        lambda iot: iot.create_domain_configuration(domainConfigurationName="bad:name"),
        "bad:name",
        "domainConfigurationName",
    ),
    ACM: (
        lambda iot: iot.create_domain_configuration(
            domainConfigurationName="d",
            domainName="iot.example.com",
            serverCertificateArns=["arn:aws:iam::1:x"],
        ),
        "arn:aws:iam::1:x",
        "serverCertificateArns.1.member",
    ),
    "[\\w.:-]+": (
        lambda iot: iot.describe_domain_configuration(domainConfigurationName="bad name"),
        "bad name",
        "domainConfigurationName",
    ),
    "[0-9]+": (
        lambda iot: iot.get_policy_version(policyName="p", policyVersionId="v1"),
        "v1",
        "policyVersionId",
    ),
    # jobs
    "[^\\p{C}]+": (
        lambda iot: iot.create_job(jobId="j", targets=["x"], document="{}", description="a\tb"),
        "a\tb",
        "description",
    ),
    "^arn:[!-~]+$": (
        lambda iot: iot.create_job(jobId="j", targets=["x"], jobTemplateArn="tpl"),
        "tpl",
        "jobTemplateArn",
    ),
    "[\\p{Upper}\\p{Digit}_]+": (
        lambda iot: iot.cancel_job(jobId="j", reasonCode="lower"),
        "lower",
        "reasonCode",
    ),
    "[a-zA-Z0-9\\-]+": (lambda iot: iot.list_jobs(thingGroupId="g_1"), "g_1", "thingGroupId"),
    # iot-jobs-data
    "[a-zA-Z0-9_-]+|^\\$next": (
        lambda iot: _jobs_data_describe(iot, jobId="j:1", thingName="t"),
        "j:1",
        "jobId",
    ),
    # provisioning templates
    "^[0-9A-Za-z_-]+$": (
        lambda iot: _provisioning_template(iot, templateName="bad name!"),
        "bad name!",
        "templateName",
    ),
    "[^\\p{C}]*": (
        lambda iot: _provisioning_template(iot, templateName="t", description="tab\there"),
        "tab\there",
        "description",
    ),
    "^[0-9-]+$": (
        lambda iot: _provisioning_template(
            iot,
            templateName="t",
            preProvisioningHook={
                "targetArn": "arn:aws:lambda:us-east-1:123456789012:function:hook",
                "payloadVersion": "2020/04/01",
            },
        ),
        "2020/04/01",
        "preProvisioningHook.payloadVersion",
    ),
}
ROLE = "arn:aws:iam::123456789012:role/iot"


def _provisioning_template(iot, **args):
    body = json.dumps({"Resources": {"t": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": "t"}}}})
    return iot.create_provisioning_template(templateBody=body, provisioningRoleArn=ROLE, **args)


def rule(iot, action: dict, name: str = "r1") -> None:
    iot.create_topic_rule(ruleName=name, topicRulePayload={"sql": "SELECT * FROM 'a/b'", "actions": [action]})


def influx(**names: str) -> dict:
    fields = {"destinationArn": ROLE, "roleArn": ROLE, "databaseName": "db", "tableName": "t", **names}
    return {"influxDB": fields}


#: matches every string: there is nothing to send that breaks it
UNBREAKABLE = {"[\\s\\S]*"}


def mqtt5(**attribute: str) -> dict:
    return {"mqtt5Configuration": {"propagatingAttributes": [attribute]}}


def _patterns_of(shape_name: str, seen: frozenset[str] = frozenset()) -> Iterator[str]:
    shape = SHAPES.get(shape_name)
    if shape is None or shape_name in seen:
        return
    if "pattern" in shape:
        yield shape["pattern"]
    seen |= {shape_name}
    refs = [member["shape"] for member in shape.get("members", {}).values()]
    refs += [shape[part] for part in ("member", "key", "value") if part in shape]
    for ref in refs:
        yield from _patterns_of(ref["shape"] if isinstance(ref, dict) else ref, seen)


def test_the_breaking_values_cover_every_pattern_a_request_can_carry() -> None:
    carried = {
        p for name in HANDLERS if OPERATIONS[name]["input"] for p in _patterns_of(OPERATIONS[name]["input"])
    }
    assert carried - UNBREAKABLE == set(BREAKING)
    for pattern in UNBREAKABLE:
        assert compile_pattern(pattern)("any\ntext \x00 ü")


def test_every_pattern_in_the_model_translates() -> None:
    for shape in SHAPES.values():
        if "pattern" in shape:
            compile_pattern(shape["pattern"])


@pytest.mark.parametrize("pattern", sorted(BREAKING))
def test_every_pattern_of_the_served_shapes_is_honoured(pattern: str) -> None:
    call, value, member = BREAKING[pattern]
    assert compile_pattern(pattern)(value) is False
    iot = _iot()
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        call(iot)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # AWS's validation wording
    assert caught.value.response["Error"]["Message"] == (
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}"
    )


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        ("[a-zA-Z0-9:_-]+", "thing-1:a_b", "bad name!"),
        ("[\\p{Graph}\\x20]*", "A description, with spaces!", "tab\there"),
        ("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "clé 42/x=y", "semi;colon"),
        ("[^\\p{C}]*", "any printable ünïcode", "nul\x00"),
        ("[\\p{Upper}\\p{Digit}_]+", "ABC_12", "abc"),
    ],
)
def test_java_patterns_match_whole_values_as_aws_does(pattern: str, good: str, bad: str) -> None:
    check = compile_pattern(pattern)
    assert check(good)
    assert not check(bad)


MODEL_PATTERNS = sorted({shape["pattern"] for shape in SHAPES.values() if "pattern" in shape})
PATTERN_TEXT = st.text(
    alphabet=st.one_of(st.characters(max_codepoint=127), st.sampled_from("éü\u200b\u2028\x85\U0001f600")),
    max_size=8,
)


def _reference(pattern: str):
    """The model pattern's reading as the regex engine and Unicode categories give it, with no
    table: what ``compile_pattern`` answered before ASCII values were read by table."""
    properties = re.findall(r"\\p\{(\w+)\}", pattern)
    if all(name in javaregex.POSIX for name in properties):
        translated = re.sub(r"\\p\{(\w+)\}", lambda m: javaregex.POSIX[m.group(1)], pattern)
        regex = re.compile(translated, re.ASCII)
        return lambda value: regex.fullmatch(value) is not None
    single = javaregex._SINGLE_CLASS.fullmatch(pattern)
    assert single is not None
    negated, body, quantifier = single.group(1) == "^", single.group(2), single.group(3)
    tests = javaregex._class_tests(body, pattern)
    return lambda value: (
        (quantifier == "*" or value != "")
        and all(any(test(char) for test in tests) != negated for char in value)
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(PATTERN_TEXT, min_size=1, max_size=20))
def test_model_patterns_read_by_table_as_by_the_regex(values: list[str]) -> None:
    for pattern in MODEL_PATTERNS:
        check, reference = compile_pattern(pattern), _reference(pattern)
        for value in values:
            assert check(value) == reference(value), (pattern, value)
