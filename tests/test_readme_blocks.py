"""Every fenced block of README.md is run or validated as written (issue 13).

Each block is classified in ``HOW`` by a piece of its own text; a block no entry claims (a new
one) fails ``test_every_block_is_classified`` until someone says how it is checked. Python blocks
are executed (fragments with the names the prose around them defines), JSON blocks loaded as what
they are (a fault rule, a fixtures document), the curl block run by bash against a live
``iotfake serve``. Blocks that cannot run offline or in a test - installing into a fresh venv,
running the whole suite - are checked for syntax only (``bash -n``); the layout listing is
checked against the tree. Addresses the README writes as ``127.0.0.1:4510`` / ``localhost:4510``
are pointed at the test's own server (4510 may be taken on a shared machine); nothing else of a
block is changed. The pytest examples run in pytester in ``tests/examples/``.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from iotfake import FakeCloud

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_URL = "http://127.0.0.1:4510"


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    heading: str
    text: str

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.lang or 'plain'} block under {self.heading!r})"


def blocks() -> list[Block]:
    found: list[Block] = []
    heading, start, lang, body = "", 0, None, []
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            if lang is None:
                lang, start, body = line[3:].strip(), number, []
            else:
                found.append(Block(start, lang, heading, "\n".join(body) + "\n"))
                lang = None
        elif lang is not None:
            body.append(line)
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
    return found


# -- how each kind of block is checked ---------------------------------------------------------------
def run_python(block: Block, **names: Any) -> dict[str, Any]:
    scope: dict[str, Any] = dict(names)
    exec(compile(block.text, str(block), "exec"), scope)
    return scope


def live_url_text(block: Block, url: str) -> Block:
    text = block.text.replace(README_URL, url).replace("localhost:4510", url.removeprefix("http://"))
    return Block(block.line, block.lang, block.heading, text)


def exec_alone(block: Block, server: Any) -> None:
    run_python(block)


def exec_against_server(block: Block, server: Any) -> None:
    """A block that talks to ``iotfake serve`` on 4510: here, the test's live server."""
    scope = run_python(live_url_text(block, server.url), requests=requests)
    if "iot" in scope:  # the boto3 blocks: the client they built works
        scope["iot"].list_things()


def exec_namespace_fragment(block: Block, server: Any) -> None:
    import boto3

    scope = run_python(live_url_text(block, server.url), boto3=boto3)
    scope["iot"].create_thing(thingName="meter-001")
    assert [t["thingName"] for t in scope["iot"].list_things()["things"]] == ["meter-001"]
    assert server.cloud.namespaces.get("shard-3").registry.tenants("aws")


def exec_scriptr_module_fragment(block: Block, server: Any) -> None:
    scope = run_python(block, cloud=FakeCloud(seed=7))
    assert scope["acme"].max_devices == 100


def exec_scriptr_http_fragment(block: Block, server: Any) -> None:
    """The block's made-up token stands for the default account's owner (lenient auth)."""
    run_python(live_url_text(block, server.url))
    got = server.cloud.scriptr("default").device.get("meter-1")
    assert got["metadata"]["status"] == "success", got


def fault_rule(block: Block, server: Any) -> None:
    FakeCloud().faults.add_rule(json.loads(block.text))


def fixtures_document(block: Block, server: Any) -> None:
    FakeCloud().seed(json.loads(block.text))


def curl_against_server(block: Block, server: Any) -> None:
    script = "set -e\n" + live_url_text(block, server.url).text
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"ids"' in done.stdout and '"entries"' in done.stdout, done.stdout
    assert server.cloud.faults.rules == []  # the last line removed the rule the first added


def bash_syntax_only(block: Block, server: Any) -> None:
    done = subprocess.run(["bash", "-n", "-c", block.text], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def pytester_example(block: Block, server: Any) -> None:
    compile(block.text, str(block), "exec")  # run as a test file by tests/examples/


def layout_listing(block: Block, server: Any) -> None:
    names = set(re.findall(r"\b([a-z_]+\.py)\b", block.text))
    missing = sorted(n for n in names if not any((ROOT / "src" / "iotfake").rglob(n)))
    assert not missing, f"{block} lists files that do not exist: {missing}"
    for folder in re.findall(r"^(\S+)/\s", block.text, flags=re.M):
        assert (ROOT / folder).is_dir() or (ROOT / "src" / "iotfake" / folder).is_dir(), folder


#: (language, a piece of the block's text, how it is checked, why so when it is not simply run)
HOW: list[tuple[str, str, Callable[[Block, Any], None], str]] = [
    ("bash", "&& .venv/bin/iotfake serve", bash_syntax_only,
     "installs into a fresh venv and serves until stopped: CI's own first step"),
    ("bash", "-m 'not slow'", bash_syntax_only, "runs the whole suite: .ci/run runs it"),
    ("bash", "'.[test,fuzz]'", bash_syntax_only, "installs the fuzz extra and runs the slow suite: .ci/run"),
    ("python", "def test_a_taken_device_key_is_refused", pytester_example, "a test file: pytester"),
    ("python", "@pytest.mark.iotfake(fixtures=", pytester_example, "a test file: pytester"),
    ("python", "# conftest.py", pytester_example, "a conftest: pytester"),
    ("python", "def test_a_device_provisions_itself_by_claim", pytester_example, "a test file: pytester"),
    ("python", "def test_a_device_runs_its_job", pytester_example, "a test file: pytester"),
    ("python", '/_ns/shard-3",', exec_namespace_fragment, ""),
    ("python", "session.mount(", exec_alone, ""),
    ("python", "cloud)\niot.create_thing(", exec_alone, ""),
    ("python", "for attempt in range(5):", exec_alone, ""),
    ("python", 'match={"thingName": "meter-13"}', exec_alone, ""),
    ("python", 'URL = "http://127.0.0.1:4510"\nheaders = {"apim-accesstoken"', exec_against_server, ""),
    ("python", 'endpoint_url="http://127.0.0.1:4510",  # or set', exec_against_server, ""),
    ("python", "@cloud.aws.pre_provisioning_hook(", exec_alone, ""),
    ("python", 'acme = cloud.scriptr("acme")', exec_scriptr_module_fragment, ""),
    ("python", 'f"{URL}/scriptr/device/create"', exec_scriptr_http_fragment, ""),
    ("python", "app = cloud.wsgi_app", exec_alone, ""),
    ("python", "cloud.populate(", exec_alone, ""),
    ("json", '"id": "flaky"', fault_rule, ""),
    ("json", '{"aws": {"accounts"', fixtures_document, ""),
    ("bash", "curl -s -X POST localhost:4510/_iotfake/faults", curl_against_server, ""),
    ("", "src/iotfake/", layout_listing, "a listing, not code"),
]  # fmt: skip


def how(block: Block) -> Callable[[Block, Any], None]:
    found = [check for lang, text, check, _ in HOW if lang == block.lang and text in block.text]
    assert len(found) == 1, f"{block}: {len(found)} entries of HOW claim it (want exactly one)"
    return found[0]


def test_every_block_is_classified() -> None:
    every = blocks()
    assert len(every) >= 20
    for block in every:
        how(block)
    unused = [text for lang, text, _, _ in HOW if not any(b.lang == lang and text in b.text for b in every)]
    assert not unused, f"HOW entries that claim no README block: {unused}"


@pytest.fixture(scope="module")
def server() -> Any:
    cloud = FakeCloud(seed=7)
    with cloud.serve() as live:
        yield live


@pytest.mark.parametrize("block", blocks(), ids=lambda b: f"line{b.line}")
def test_block_runs_as_written(block: Block, server: Any) -> None:
    server.cloud.reset()
    for name in server.cloud.namespaces.names()[1:]:
        server.cloud.namespaces.delete(name)
    how(block)(block, server)
