"""The console's pages: what they show, paged and searched on the server, under the admin rule."""

from __future__ import annotations

import json

import boto3
import pytest
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.console.queries import PAGE
from iotfake.transports import route_botocore

from ._console import CONSOLE

ORG = "o15475450989191"


def text(response) -> str:
    return response.get_data(as_text=True)


@freeze_time("2026-12-05 10:00:00")
def test_home_lists_tenants_rules_scenarios_and_the_clock(cloud: FakeCloud, client: Client) -> None:
    cloud.load("two_orgs")
    cloud.load("scriptr_acme")
    cloud.faults.add_rule({"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}})
    page = client.get(CONSOLE)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = text(page)
    assert f"{CONSOLE}/tenant?provider=enos&amp;tenant={ORG}" in html
    assert f"{CONSOLE}/tenant?provider=scriptr&amp;tenant=acme" in html
    assert "<td>rule-1</td><td>enos</td><td>CreateDevice</td>" in html
    assert 'data-action="pause_fault" data-id="rule-1"' in html
    assert "<option>flaky_key_allocation</option>" in html
    cloud.faults.add_rule(
        {"description": "<b>lost</b> creates", "provider": "enos", "action": {"drop": True}}
    )
    assert "<td>rule-2<br><small>&lt;b&gt;lost&lt;/b&gt; creates</small></td>" in text(client.get(CONSOLE))
    assert 'href="/_iotfake/state" download' in html  # the snapshot download
    cloud.clock.advance(90)
    assert ">2026-12-05T10:01:30+00:00</b>" in text(client.get(CONSOLE))


def test_static_files_are_vendored_and_unknown_ones_404(client: Client) -> None:
    css = client.get(f"{CONSOLE}/static/console.css")
    js = client.get(f"{CONSOLE}/static/console.js")
    assert css.status_code == js.status_code == 200
    assert css.mimetype == "text/css" and js.mimetype == "text/javascript"
    assert "X-Iotfake-Console" in text(js)
    assert client.get(f"{CONSOLE}/static/../admin.py").status_code == 404
    missing = client.get(f"{CONSOLE}/static/jquery.js")
    assert missing.status_code == 404 and missing.json == {"error": "no console file 'jquery.js'"}


def test_tenant_page_shows_quota_gauge_and_device_status(cloud: FakeCloud, client: Client) -> None:
    cloud.load("two_orgs")
    page = client.get(f"{CONSOLE}/tenant", query_string={"provider": "enos", "tenant": ORG})
    html = text(page)
    assert page.status_code == 200
    # InvPrd01 holds 2 of its 100 devices
    assert "<td>InvPrd01</td><td>2</td><td>100</td>" in html
    assert '<meter min="0" max="100" value="2"' in html
    assert "<td>inverter-001</td><td>Inv00001</td><td>InvPrd01</td><td>online</td>" in html
    assert "<td>inverter-002</td><td>Inv00002</td><td>InvPrd01</td><td>inactive</td>" in html


def test_unknown_tenant_is_a_404_page(client: Client) -> None:
    page = client.get(f"{CONSOLE}/tenant", query_string={"provider": "enos", "tenant": "nobody"})
    assert page.status_code == 404
    assert "No enos tenant nobody here" in text(page)


def test_device_list_is_paged_and_searched_on_the_server(client: Client, cloud: FakeCloud) -> None:
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {
                        "orgId": "o1",
                        "products": [{"productKey": "p1"}],
                        "devices": [{"generate": 120, "productKey": "p1", "seed": 3}],
                    }
                ]
            }
        }
    )
    keys = sorted(cloud.registry.find_tenant("enos", "o1").keys)
    first = text(client.get(f"{CONSOLE}/tenant?provider=enos&tenant=o1"))
    assert f"<small>({len(keys)})</small>" in first
    assert f"page 1 of {-(-len(keys) // PAGE)}" in first
    assert all(f"<td>{k}</td>" in first for k in keys[:PAGE])
    assert f"<td>{keys[PAGE]}</td>" not in first
    second = text(client.get(f"{CONSOLE}/tenant?provider=enos&tenant=o1&page=2"))
    assert f"<td>{keys[PAGE]}</td>" in second and f"<td>{keys[0]}</td>" not in second
    # a page past the end shows the last one; a page that is no number, the first
    last = text(client.get(f"{CONSOLE}/tenant?provider=enos&tenant=o1&page=999"))
    assert f"<td>{keys[-1]}</td>" in last
    assert f"<td>{keys[0]}</td>" in text(client.get(f"{CONSOLE}/tenant?provider=enos&tenant=o1&page=x"))
    wanted = keys[17]
    found = text(
        client.get(
            f"{CONSOLE}/tenant", query_string={"provider": "enos", "tenant": "o1", "q": wanted.upper()}
        )
    )
    assert f"<td>{wanted}</td>" in found and "<small>(1)</small>" in found
    none = text(
        client.get(f"{CONSOLE}/tenant", query_string={"provider": "enos", "tenant": "o1", "q": "zz<b>"})
    )
    assert "no device matches" in none and "zz&lt;b&gt;" in none  # escaped, never markup


def test_aws_tenant_lists_certificates_policies_and_shadows(cloud: FakeCloud, client: Client) -> None:
    cloud.load("aws_account")
    keys = {
        "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "region_name": "us-east-1",
        "endpoint_url": "http://iotfake",
    }
    iot = route_botocore(boto3.client("iot", **keys), cloud)
    data = route_botocore(boto3.client("iot-data", **keys), cloud)
    certificate = iot.create_keys_and_certificate(setAsActive=True)["certificateId"]
    data.update_thing_shadow(thingName="meter-001", payload=json.dumps({"state": {"reported": {"kwh": 7}}}))
    html = text(
        client.get(f"{CONSOLE}/tenant", query_string={"provider": "aws", "tenant": "123456789012/us-east-1"})
    )
    assert "<td>meter</td><td>1</td><td>unlimited</td>" in html  # the thing type
    assert f"<code>{certificate}</code>" in html and "<summary>ACTIVE</summary>" in html
    assert "<code>device-default</code>" in html
    assert "<code>meter-001</code></td><td><details><summary>version 1</summary>" in html
    assert '"kwh": 7' in html


def test_a_namespace_has_its_own_console(cloud: FakeCloud, client: Client) -> None:
    cloud.load("two_orgs")
    other = Client(cloud.namespaces)
    other.get("/_ns/team-a/_iotfake/health")
    page = text(other.get(f"/_ns/team-a{CONSOLE}"))
    assert "namespace <b>team-a</b>" in page
    assert 'data-base="/_ns/team-a/_iotfake"' in page
    assert "no tenant yet" in page  # team-a's cloud, not the default one
    assert '<a href="/_ns/team-a/_iotfake/console">team-a</a>' in page
    assert '<a href="/_iotfake/console">default</a>' in page


@pytest.mark.parametrize(
    "path", [CONSOLE, f"{CONSOLE}/tenant?provider=enos&tenant=o1", f"{CONSOLE}/static/console.js"]
)
def test_pages_follow_the_admin_access_rule(cloud: FakeCloud, path: str) -> None:
    client = Client(cloud.wsgi_app)
    remote = client.get(path, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert remote.status_code == 403 and "loopback clients only" in remote.json["error"]
    # over a socket (an in-process client, which no browser can be, names any Host)
    rebinding = client.get(
        path, headers={"Host": "evil.example:4510"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert rebinding.status_code == 403
    foreign = client.get(path, headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert foreign.status_code == 403


def test_pages_take_the_admin_token_off_the_loopback() -> None:
    cloud = FakeCloud(admin_token="s3cret")
    client = Client(cloud.wsgi_app)
    page = client.get(
        CONSOLE, environ_base={"REMOTE_ADDR": "10.0.0.9"}, headers={"Authorization": "Bearer s3cret"}
    )
    assert page.status_code == 200


def test_a_namespace_named_by_header_keeps_its_name_and_links(cloud: FakeCloud) -> None:
    client = Client(cloud.namespaces)
    page = client.get(CONSOLE, headers={"X-Iotfake-Namespace": "teamb"}).get_data(as_text=True)
    assert "namespace <b>teamb</b>" in page
    # a browser following the page's links sends no header: they carry the namespace in the path
    assert 'data-base="/_ns/teamb/_iotfake"' in page
    prefixed = client.get(f"/_ns/teamb{CONSOLE}").get_data(as_text=True)
    assert "namespace <b>teamb</b>" in prefixed and 'data-base="/_ns/teamb/_iotfake"' in prefixed


def test_pages_may_not_be_framed(client: Client) -> None:
    answer = client.get(CONSOLE)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_the_sorted_fleet_survives_changes_elsewhere(cloud: FakeCloud) -> None:
    from iotfake.console import queries
    from iotfake.registry.models import Device

    def org(org_id: str, keys: list[str]) -> dict:
        devices = [{"productKey": "p1", "deviceKey": key} for key in keys]
        return {"enos": {"orgs": [{"orgId": org_id, "products": [{"productKey": "p1"}], "devices": devices}]}}

    cloud.seed(org("o1", [f"dev{n:02d}" for n in range(30)]))
    tenant = queries.tenant(cloud, "enos", "o1")
    first = queries.sorted_keys(tenant)
    cloud.seed(org("o2", ["x100"]))  # another tenant
    cloud.clock.advance(5)
    cloud.faults.add(provider="enos", operation="CreateDevice", error="11714")
    device = tenant.keys["dev01"]
    tenant.update_device(device, {"status": "online"})  # a field, not the key set
    assert queries.sorted_keys(tenant) is first  # nothing in o1's key set moved: no new sort
    tenant.add_device(key="a-new-one", product="p1", build=lambda id_, key: Device(id_, key, "p1"))
    again = queries.sorted_keys(tenant)
    assert again is not first and again[0] == "a-new-one" and len(again) == 31
    removed = tenant.keys["dev05"]
    tenant.remove_device(removed)
    assert "dev05" not in queries.sorted_keys(tenant)
    tenant.rekey_device(tenant.keys["dev06"], "zzzz")
    assert queries.sorted_keys(tenant)[-1] == "zzzz"
    cloud.restore(cloud.snapshot())  # a restore swaps the tables in: the cache must not outlive them
    assert queries.sorted_keys(queries.tenant(cloud, "enos", "o1"))[-1] == "zzzz"


def test_home_pages_and_filters_many_tenants(cloud: FakeCloud, client: Client) -> None:
    from iotfake.console.queries import TENANT_PAGE

    orgs = [{"orgId": f"org{n:04d}"} for n in range(TENANT_PAGE + 30)]
    cloud.seed({"enos": {"orgs": orgs}})
    first = text(client.get(CONSOLE))
    assert f"<small>({TENANT_PAGE + 30})</small>" in first and "tenants page 1 of 2" in first
    assert ">org0000</a>" in first and f">org{TENANT_PAGE:04d}</a>" not in first
    second = text(client.get(CONSOLE, query_string={"tpage": "2"}))
    assert f">org{TENANT_PAGE:04d}</a>" in second and ">org0000</a>" not in second
    found = text(client.get(CONSOLE, query_string={"tq": "ORG0042"}))
    assert ">org0042</a>" in found and "<small>(1)</small>" in found and ">org0041</a>" not in found
    odd = text(client.get(CONSOLE, query_string={"tpage": "x", "tq": "<b>"}))
    assert "no tenant matches" in odd and "&lt;b&gt;" in odd
