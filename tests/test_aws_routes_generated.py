"""The AWS routes come from botocore's model: the checked-in module must match a fresh generation."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from werkzeug.routing import Map

from iotfake.providers.aws_iot import AwsIotProvider, routes
from iotfake.providers.aws_iot.handlers import HANDLERS
from iotfake.providers.aws_iot.javaregex import compile_pattern
from iotfake.providers.aws_iot.model import OPERATIONS, SHAPES

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


def test_every_pattern_of_the_served_shapes_is_honoured() -> None:
    for shape in SHAPES.values():
        if "pattern" in shape:
            compile_pattern(shape["pattern"])


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
