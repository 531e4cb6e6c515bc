"""Eight threads hammering one product over a live server: the quota holds exactly."""

from __future__ import annotations

import threading
from collections import Counter

import requests
from _enos import PRODUCT

from iotfake import FakeCloud

QUOTA = 120
THREADS = 8
PER_THREAD = 30  # 240 attempts for 120 slots


def test_quota_and_key_uniqueness_under_concurrent_creates() -> None:
    cloud = FakeCloud(seed=5)
    headers = {"apim-accesstoken": "t"}
    with cloud.serve() as server:
        base = f"{server.url}/connect-service/v2.1"
        pk = requests.post(
            f"{base}/products?action=create&orgId=o1", json=PRODUCT, headers=headers, timeout=10
        ).json()["data"]
        cloud.registry.tenant("enos", "o1").product(pk).quota = QUOTA
        codes: Counter[int] = Counter()
        keys: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(THREADS)

        def hammer(worker: int) -> None:
            with requests.Session() as session:
                start.wait()
                for i in range(PER_THREAD):
                    body = {"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": "m"}}
                    if i % 2:
                        body["deviceKey"] = f"w{worker}-{i:04d}"
                    answer = session.post(
                        f"{base}/devices?action=create&orgId=o1", json=body, headers=headers, timeout=30
                    ).json()
                    with lock:
                        codes[answer["code"]] += 1
                        if answer["code"] == 0:
                            keys.append(answer["data"]["deviceKey"])

        workers = [threading.Thread(target=hammer, args=(n,)) for n in range(THREADS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    assert codes == {0: QUOTA, 11739: THREADS * PER_THREAD - QUOTA}
    assert len(set(keys)) == QUOTA
    org = cloud.registry.tenant("enos", "o1")
    assert len(org.product(pk).devices) == len(org.devices) == len(org.keys) == QUOTA
