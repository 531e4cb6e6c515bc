"""RegisterThing templates: parameters and every intrinsic function."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_helpers import conforms, string_params, template, thing_resource


def register_name(
    iot,
    name_expression: Any,
    declared: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
    sections: dict[str, Any] | None = None,
) -> str:
    """Register a thing whose ThingName is ``name_expression``; return the name it got."""
    body = template({"thing": thing_resource(name_expression)}, declared, **(sections or {}))
    answer = conforms("RegisterThing", iot.register_thing(templateBody=body, parameters=parameters or {}))
    return answer["resourceArns"]["thing"].rsplit("/", 1)[1]


def test_ref_takes_the_parameter_value_or_its_default(iot) -> None:
    assert (
        register_name(iot, {"Ref": "ThingName"}, string_params("ThingName"), parameters={"ThingName": "a1"})
        == "a1"
    )
    assert register_name(iot, {"Ref": "ThingName"}, string_params(ThingName="dflt")) == "dflt"
    given = register_name(
        iot, {"Ref": "ThingName"}, string_params(ThingName="dflt"), parameters={"ThingName": "x"}
    )
    assert given == "x"


def test_join(iot) -> None:
    name = register_name(
        iot,
        {"Fn::Join": ["-", ["meter", {"Ref": "Serial"}, "v1"]]},
        string_params("Serial"),
        parameters={"Serial": "42"},
    )
    assert name == "meter-42-v1"
    assert register_name(iot, {"Fn::Join": ["", ["a", "b"]]}) == "ab"


def test_split_and_select(iot) -> None:
    expression = {"Fn::Select": [1, {"Fn::Split": [",", {"Ref": "Csv"}]}]}
    assert register_name(iot, expression, string_params("Csv"), parameters={"Csv": "x,second,z"}) == "second"
    assert register_name(iot, {"Fn::Select": ["0", ["first", "other"]]}) == "first"


def test_sub_with_parameters_variables_and_literals(iot) -> None:
    params = string_params("Site", "Serial")
    values = {"Site": "berlin", "Serial": "7"}
    assert register_name(iot, {"Fn::Sub": "${Site}_${Serial}"}, params, parameters=values) == "berlin_7"
    expression = {"Fn::Sub": ["${Prefix}-${Serial}", {"Prefix": {"Fn::Join": ["", ["m", "x"]]}}]}
    assert register_name(iot, expression, params, parameters=values) == "mx-7"
    # ${!x} keeps a literal ${x}: IoT policy variables survive substitution
    document = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect",'
        '"Resource":"arn:aws:iot:us-east-1:123456789012:client/${!iot:Connection.Thing.ThingName}-${Site}"}]}'
    )
    body = template(
        {
            "thing": thing_resource("t1"),
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": {"Fn::Sub": document}}},
        },
        string_params("Site"),
    )
    answer = iot.register_thing(templateBody=body, parameters={"Site": "s"})
    policy = iot.get_policy(policyName=answer["resourceArns"]["policy"].rsplit("/", 1)[1])
    assert policy["policyDocument"].endswith('client/${iot:Connection.Thing.ThingName}-s"}]}')


def test_find_in_map_with_refs_for_keys(iot) -> None:
    mappings = {"Sites": {"berlin": {"Prefix": "ber"}, "paris": {"Prefix": "par"}}}
    expression = {"Fn::Join": ["-", [{"Fn::FindInMap": ["Sites", {"Ref": "Site"}, "Prefix"]}, "1"]]}
    name = register_name(
        iot, expression, string_params("Site"), parameters={"Site": "paris"}, sections={"Mappings": mappings}
    )
    assert name == "par-1"


def test_intrinsics_work_in_every_property(iot) -> None:
    iot.create_thing_type(thingTypeName="meter-v2")
    iot.create_thing_group(thingGroupName="grp-berlin")
    body = template(
        {
            "thing": thing_resource(
                {"Ref": "Name"},
                ThingTypeName={"Fn::Sub": "meter-${Version}"},
                ThingGroups=[{"Fn::Join": ["-", ["grp", {"Ref": "Site"}]]}],
                AttributePayload={"site": {"Ref": "Site"}, "version": {"Ref": "Version"}},
            )
        },
        string_params("Name", "Site", Version="v2"),
    )
    iot.register_thing(templateBody=body, parameters={"Name": "m1", "Site": "berlin"})
    thing = iot.describe_thing(thingName="m1")
    assert thing["thingTypeName"] == "meter-v2"
    assert thing["attributes"] == {"site": "berlin", "version": "v2"}
    assert iot.list_things_in_thing_group(thingGroupName="grp-berlin")["things"] == ["m1"]


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ({"Ref": "Undeclared"}, "Undeclared is not declared in the Parameters section"),
        ({"Ref": ["x"]}, "takes a parameter name"),
        ({"Fn::Join": ["-"]}, "takes [delimiter, [values]]"),
        ({"Fn::Join": ["-", "notalist"]}, "must evaluate to a list of strings"),
        ({"Fn::Select": [5, ["a"]]}, "index 5 is out of bounds for a list of 1"),
        ({"Fn::Select": ["x", ["a"]]}, "must be an index"),
        ({"Fn::Select": [0, [None]]}, "the selected value is null"),
        ({"Fn::Split": ["", "a,b"]}, "non-empty delimiter"),
        ({"Fn::Sub": "${Nope}"}, "${Nope} is neither a variable nor a declared parameter"),
        ({"Fn::FindInMap": ["Sites", "rome", "Prefix"]}, "Mappings has no value at Sites.rome.Prefix"),
        ({"Fn::If": ["c", "a", "b"]}, "intrinsic function Fn::If is not supported"),
        ({"Fn::Join": ["", ["a", {"Fn::GetAtt": ["x", "y"]}]]}, "Fn::GetAtt is not supported"),
        (["a", "list"], "ThingName must be a string"),
    ],
)
def test_bad_intrinsics_are_invalid_templates(iot, expression: Any, problem: str) -> None:
    body = template(
        {"thing": thing_resource(expression)},
        string_params("Declared"),
        Mappings={"Sites": {"berlin": {"Prefix": "ber"}}},
    )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.register_thing(templateBody=body, parameters={"Declared": "x"})
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("Invalid registration template. ")
    assert problem in message, message
    assert iot.list_things()["things"] == []


def test_mappings_must_have_two_levels(iot) -> None:
    body = template({"thing": thing_resource("t1")}, Mappings={"Flat": {"a": "b"}})
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.register_thing(templateBody=body)
    assert "Mappings must map names to two levels of objects" in caught.value.response["Error"]["Message"]


def test_device_configuration_may_use_intrinsics(iot) -> None:
    body = json.loads(template({"thing": thing_resource("t1")}, string_params(Url="https://x")))
    body["DeviceConfiguration"] = {"FallbackUrl": {"Ref": "Url"}}
    iot.register_thing(templateBody=json.dumps(body))
    assert iot.describe_thing(thingName="t1")["thingName"] == "t1"


@pytest.mark.parametrize("kind", ["sub", "join"])
def test_a_value_nesting_multiplies_is_refused_before_it_is_made(iot, kind: str) -> None:
    """``Fn::Sub`` of fifty ``${v}``, nested four deep over a 1,000-character parameter, asked
    for 6 GB (three deep: a 125 MB error message that echoed it); every intrinsic's value is
    bounded (``templates.MAX_VALUE``), and the error names where it grew, not what."""
    from iotfake.providers.aws_iot.templates import MAX_VALUE

    expression: Any = {"Ref": "P"}
    for _ in range(4):
        if kind == "sub":
            expression = {"Fn::Sub": ["${v}" * 50, {"v": expression}]}
        else:
            expression = {"Fn::Join": ["", [expression] * 3]}  # 81 Refs: 81,000 characters
    body = template({"thing": thing_resource(expression)}, string_params("P"))
    with pytest.raises(iot.exceptions.InvalidRequestException) as refused:
        iot.register_thing(templateBody=body, parameters={"P": "A" * 1000})
    message = refused.value.response["Error"]["Message"]
    assert f"evaluates to more than {MAX_VALUE} characters" in message and len(message) < 1000
    assert iot.list_things()["things"] == []
