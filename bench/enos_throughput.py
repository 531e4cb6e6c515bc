"""EnOS CreateDevice throughput: in-process (werkzeug Client) and over HTTP (requests + cloud.serve()).

    python bench/enos_throughput.py [--count 5000] [--http-count 2000]

Also times a paged search over the whole org, to show the fast path stays flat as devices grow.
"""

from __future__ import annotations

import argparse
import json
import time

import requests
from werkzeug.test import Client

from iotfake import FakeCloud

HEADERS = {"apim-accesstoken": "bench", "Content-Type": "application/json"}
PRODUCT = {
    "productName": {"defaultValue": "Meter"},
    "productType": "Device",
    "dataFormat": "Json",
    "modelId": "meter",
    "biDirectionalAuth": False,
}
CREATE = "/connect-service/v2.1/devices?action=create&orgId=o1"


def make_product(cloud: FakeCloud, quota: int) -> str:
    client = Client(cloud.wsgi_app)
    pk = client.post(
        "/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT, headers=HEADERS
    ).json["data"]
    cloud.registry.tenant("enos", "o1").product(pk).quota = quota
    return pk


def body(pk: str) -> bytes:
    return json.dumps({"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": "m"}}).encode()


def in_process(count: int) -> float:
    cloud = FakeCloud(seed=1)
    data = body(make_product(cloud, count))
    client = Client(cloud.wsgi_app)
    started = time.perf_counter()
    for _ in range(count):
        assert client.post(CREATE, data=data, headers=HEADERS).json["code"] == 0
    return count / (time.perf_counter() - started)


def over_http(count: int) -> float:
    cloud = FakeCloud(seed=1)
    data = body(make_product(cloud, count))
    with cloud.serve() as server, requests.Session() as session:
        url = server.url + CREATE
        started = time.perf_counter()
        for _ in range(count):
            assert session.post(url, data=data, headers=HEADERS).json()["code"] == 0
        return count / (time.perf_counter() - started)


def search_page_ms(devices: int) -> float:
    cloud = FakeCloud(seed=1)
    data = body(make_product(cloud, devices))
    client = Client(cloud.wsgi_app)
    for _ in range(devices):
        client.post(CREATE, data=data, headers=HEADERS)
    search = {"pagination": {"pageNo": 50, "pageSize": 20}}
    started = time.perf_counter()
    for _ in range(100):
        client.post("/connect-service/v2.1/devices?action=search&orgId=o1", json=search, headers=HEADERS)
    return (time.perf_counter() - started) * 10  # ms per search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="creates in process")
    parser.add_argument("--http-count", type=int, default=2000, help="creates over HTTP")
    args = parser.parse_args()
    local, http = in_process(args.count), over_http(args.http_count)
    print(f"in-process (werkzeug Client): {local:8.0f} creates/s  ({args.count} devices)")
    print(f"over HTTP (requests.Session): {http:8.0f} creates/s  ({args.http_count} devices)")
    for devices in (1000, 10000):
        print(f"unfiltered search, page 50 of {devices:>5} devices: {search_page_ms(devices):6.2f} ms")


if __name__ == "__main__":
    main()
