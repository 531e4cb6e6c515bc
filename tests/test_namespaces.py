"""Namespaces: one live server, many isolated clouds - named by header or by /_ns/NAME prefix."""

from __future__ import annotations

import http.client
import json
import multiprocessing
from collections.abc import Iterator

import boto3
import pytest
import requests
from _enos import PRODUCT
from botocore.config import Config
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.server import Server

KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


@pytest.fixture
def served() -> Iterator[tuple[FakeCloud, Server]]:
    cloud = FakeCloud(seed=3)
    with cloud.serve() as server:
        yield cloud, server


def iot(url: str) -> object:
    return boto3.client(
        "iot",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=KEY[0],
        aws_secret_access_key=KEY[1],
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_boto3_with_a_prefixed_endpoint_url_gets_a_cloud_of_its_own(served) -> None:
    cloud, server = served
    a, b = iot(server.url + "/_ns/team-a"), iot(server.url + "/_ns/team-b")
    a.create_thing(thingName="t1")
    assert [t["thingName"] for t in a.list_things()["things"]] == ["t1"]
    assert b.list_things()["things"] == []
    assert iot(server.url).list_things()["things"] == []  # the default namespace
    assert all(not t.devices for t in cloud.registry.tenants())
    named = cloud.namespaces.get("team-a")
    assert named is not None and list(named.registry.tenant("aws", "123456789012/us-east-1").keys) == ["t1"]


def test_a_header_names_the_namespace_too(served) -> None:
    _, server = served
    headers = {"apim-accesstoken": "t", "X-Iotfake-Namespace": "ci-shard-1"}
    body = {"productKey": "p1", **PRODUCT}
    made = requests.post(
        f"{server.url}/connect-service/v2.1/products?action=create&orgId=o1", json=body, headers=headers
    )
    assert made.json()["code"] == 0, made.json()
    found = requests.post(
        f"{server.url}/connect-service/v2.1/products?action=search&orgId=o1", json={}, headers=headers
    ).json()
    assert len(found["data"]) == 1
    elsewhere = requests.post(
        f"{server.url}/connect-service/v2.1/products?action=search&orgId=o1",
        json={},
        headers={"apim-accesstoken": "t"},
    ).json()
    assert elsewhere["data"] == []


def test_faults_journal_and_clock_are_per_namespace(served) -> None:
    _, server = served
    admin = f"{server.url}/_ns/flaky/_iotfake"
    added = requests.post(f"{admin}/faults", json={"provider": "aws", "operation": "CreateThing",
                                                   "action": {"error": "ThrottlingException"}})  # fmt: skip
    assert added.status_code in (200, 201), added.text
    with pytest.raises(Exception, match="ThrottlingException"):
        iot(server.url + "/_ns/flaky").create_thing(thingName="t1")
    iot(server.url + "/_ns/steady").create_thing(thingName="t1")  # no rule here
    assert [e["outcome"] for e in requests.get(f"{admin}/journal").json()["entries"]] == ["fault"]
    assert len(requests.get(f"{server.url}/_ns/steady/_iotfake/journal").json()["entries"]) == 1
    requests.post(f"{admin}/clock", json={"advance": 3600})
    assert requests.get(f"{admin}/clock").json()["offset"] == 3600
    assert requests.get(f"{server.url}/_iotfake/clock").json()["offset"] == 0


def test_namespaces_are_listed_counted_and_deleted(served) -> None:
    cloud, server = served
    iot(server.url + "/_ns/one").create_thing(thingName="t1")
    iot(server.url + "/_ns/two").list_things()
    listed = requests.get(f"{server.url}/_iotfake/namespaces").json()["namespaces"]
    assert [(n["name"], n["devices"]) for n in listed] == [("default", 0), ("one", 1), ("two", 0)]
    assert requests.get(f"{server.url}/_iotfake/health").json()["namespaces"] == 3
    assert requests.delete(f"{server.url}/_iotfake/namespaces/one").json() == {"deleted": "one"}
    assert requests.delete(f"{server.url}/_iotfake/namespaces/one").status_code == 404
    assert iot(server.url + "/_ns/one").list_things()["things"] == []  # made afresh on next use
    assert cloud.namespaces.names() == ["default", "one", "two"]


@pytest.mark.parametrize(
    "path", ["/_iotfake/namespacesXYZ", "/_iotfake/namespaces-one", "/_iotfake/namespacesXdefault"]
)
def test_only_the_namespaces_routes_are_the_namespaces_api(served, path: str) -> None:
    """A path that merely started with /_iotfake/namespaces was taken for it: a typo deleted a
    namespace (``namespaces-one``) or reset the default one (``namespacesXdefault``)."""
    cloud, server = served
    iot(server.url + "/_ns/one").create_thing(thingName="t1")
    cloud.faults.add({"provider": "enos", "action": {"error": "Internal"}})
    for method in ("GET", "DELETE"):
        answer = requests.request(method, server.url + path)
        assert answer.status_code == 404, (method, answer.text)
    assert cloud.namespaces.names() == ["default", "one"] and len(cloud.faults) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Host": "evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://localhost:1", "Content-Type": "text/plain"},
    ],
)
def test_an_admin_call_refused_as_a_web_page_s_makes_no_namespace(served, headers: dict) -> None:
    """Only the remote-client rule was asked before a namespace was made for an admin call: any
    web page could fill the server with namespaces (and, with --state, files)."""
    cloud, server = served
    for url in (f"{server.url}/_ns/web/_iotfake/reset", f"{server.url}/_iotfake/reset"):
        named = {**headers, "X-Iotfake-Namespace": "web"} if "/_ns/" not in url else headers
        answer = requests.post(url, headers=named, data="{}")
        assert answer.status_code == 403, answer.text
    assert cloud.namespaces.names() == ["default"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no-such-api", 404),
        ("GET", "/", 404),
        ("POST", "/_iotfake/no-such-route", 404),
        ("PUT", "/things/t1", 405),
    ],
)
def test_a_request_no_api_serves_makes_no_namespace(served, method: str, path: str, status: int) -> None:
    """Any request under a new prefix made its namespace, even one no route serves: a crawler or
    a client with a wrong base URL filled the server's namespaces (and, with --state, files)
    with 404s. It gets the same answer as in the default namespace, and nothing is made."""
    cloud, server = served
    for url, headers in (
        (f"{server.url}/_ns/lost{path}", {}),
        (server.url + path, {"X-Iotfake-Namespace": "lost"}),
    ):
        answer = requests.request(method, url, headers=headers)
        plain = requests.request(method, server.url + path)
        assert (answer.status_code, answer.json()["code"]) == (status, status), answer.text
        assert answer.json()["message"] == plain.json()["message"]
        assert answer.headers.get("Allow") == plain.headers.get("Allow")
    assert cloud.namespaces.names() == ["default"]
    iot(server.url + "/_ns/found").create_thing(thingName="t1")  # a served call still makes one
    assert cloud.namespaces.names() == ["default", "found"]


def test_namespaces_take_the_server_s_admin_host_names() -> None:
    cloud = FakeCloud(seed=3, admin_hosts=["devbox.internal"])
    with cloud.serve() as server:
        host = {"Host": "devbox.internal"}
        assert requests.get(f"{server.url}/_ns/a/_iotfake/faults", headers=host).status_code == 200
        named = {**host, "X-Iotfake-Namespace": "b"}
        assert requests.get(f"{server.url}/_iotfake/faults", headers=named).status_code == 200


@pytest.mark.parametrize(
    ("path", "headers", "message"),
    [
        ("/_ns/bad name/things", {}, "is not a namespace name"),
        ("/_ns/-x/things", {}, "is not a namespace name"),
        ("/things", {"X-Iotfake-Namespace": "a/b"}, "is not a namespace name"),
        ("/_ns/a/things", {"X-Iotfake-Namespace": "b"}, "names two namespaces"),
    ],
)
def test_bad_namespace_names_are_refused_with_a_clear_400(
    served, path: str, headers: dict, message: str
) -> None:
    _, server = served
    answer = requests.get(server.url + path.replace(" ", "%20"), headers=headers)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


def test_strict_sigv4_signs_the_full_prefixed_path_in_process() -> None:
    """In process there is no raw request line: the prefix sits in SCRIPT_NAME and the signature
    check must put it back (botocore signed /_ns/s1/things/t1)."""
    cloud = FakeCloud(seed=1, auth="strict")
    named = cloud.namespaces.get("s1")
    assert named is not None
    named.seed({"aws": {"accounts": [{"accessKeys": [{"accessKeyId": KEY[0], "secretAccessKey": KEY[1]}]}]}})
    client = iot("http://iotfake/_ns/s1")
    from iotfake.transports import route_botocore

    route_botocore(client, cloud.namespaces)  # type: ignore[arg-type]
    client.create_thing(thingName="t1")  # type: ignore[attr-defined]
    assert named.journal.calls()[-1].status == 200


def test_the_router_leaves_the_default_path_alone() -> None:
    cloud = FakeCloud(seed=1)
    answer = Client(cloud.namespaces).get("/_iotfake/health")
    assert answer.json["status"] == "ok"
    assert answer.json["namespaces"] == 1


def _worker(args: tuple[str, str, int, bool]) -> tuple[int, str, list[str], list[str]]:
    """One test process of another language's kind: raw HTTP (http.client, what curl sends), its
    own namespace by header, its own rules; even processes add a rule, odd ones must not see it."""
    url, name, count, flaky = args
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"X-Iotfake-Namespace": name, "Authorization": "Bearer t", "Content-Type": "application/json"}

    def send(method: str, path: str, body: object = None) -> dict:
        connection.request(method, path, None if body is None else json.dumps(body), headers)
        return json.loads(connection.getresponse().read())

    if flaky:
        rule = {"provider": "scriptr", "operation": "device.get", "action": {"error": "NotFound"}}
        send("POST", "/_iotfake/faults", rule)
    for i in range(count):
        send("POST", "/scriptr/device/create", {"id": f"dev-{i}", "name": f"d{i}", "password": "pw-123456"})
    listed = send("POST", "/scriptr/device/query", {"query": 'name like "d%"', "count": True})
    got = send("POST", "/scriptr/device/get", {"id": "dev-0"})["response"]["result"]
    journal = send("GET", "/_iotfake/journal")["entries"]
    rules = send("GET", "/_iotfake/faults")["rules"]
    connection.close()
    seen = listed["response"]["result"]["result"]["count"]
    return seen, got["metadata"]["status"], [e["operation"] for e in journal], [r["operation"] for r in rules]


@pytest.mark.e2e
def test_several_processes_share_one_server_without_sharing_state(served) -> None:
    """The same device ids in every namespace at once: no collision, no one else's calls in a
    journal, a fault rule only where it was added. The server's first requests all arrive
    together, which is how two namespace sets were once made for one cloud."""
    cloud, server = served
    jobs = [(server.url, f"proc-{i}", 15, i % 2 == 0) for i in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_worker, jobs)
    for (_, _, _, flaky), (count, status, journal, rules) in zip(jobs, results, strict=True):
        assert count == 15  # dev-0..dev-14 in every namespace, none refused as a duplicate
        assert status == ("failure" if flaky else "success")  # the rule fired only where it lives
        assert rules == (["device.get"] if flaky else [])
        assert journal == ["device.create"] * 15 + ["device.query", "device.get"]
    assert len(cloud.journal) == 0  # the default namespace saw none of it


def test_two_threads_asking_for_the_namespace_set_get_the_same_one() -> None:
    import threading

    for _ in range(50):
        cloud = FakeCloud()
        seen: list[object] = []
        barrier = threading.Barrier(4)

        def ask(
            cloud: FakeCloud = cloud, seen: list[object] = seen, barrier: threading.Barrier = barrier
        ) -> None:
            barrier.wait()
            seen.append(cloud.namespaces)

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({id(s) for s in seen}) == 1
