"""README, "In-process transports": the requests/httpx and boto3 examples run as shown."""

from __future__ import annotations

from collections.abc import Callable


def test_requests_and_httpx_example(readme: Callable[[str], list[str]]) -> None:
    example = readme("In-process transports")[0]
    scope: dict = {}
    exec(compile(example, "README.md", "exec"), scope)
    assert scope["health"]["status"] == "ok"


def test_boto3_example(readme: Callable[[str], list[str]]) -> None:
    example = readme("In-process transports")[1]
    scope: dict = {}
    exec(compile(example, "README.md", "exec"), scope)
    assert scope["iot"].describe_thing(thingName="meter-001")["thingName"] == "meter-001"
