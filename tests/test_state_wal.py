"""The write-ahead log: every change a call made is in the log before the call is answered, and a
state rebuilt from the last file plus the log is the state that was acknowledged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _enos import Enos
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.durable import StateKeeper
from iotfake.wal import WriteAheadLog, read_entries

ENOS = {"apim-accesstoken": "t"}
AWS = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/iot/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123abcd",
    "X-Amz-Date": "20250101T000000Z",
}
SCRIPTR = {"Authorization": "Bearer t"}


def busy_day(cloud: FakeCloud) -> None:
    """Calls of all three providers that write every kind of record the log must replay."""
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    made = [enos.device(pk, deviceKey=f"meter-{i}") for i in range(5)]
    updated = enos.call("devices", "update", {"deviceDesc": "renamed"}, assetId=made[1]["assetId"])
    assert updated["code"] == 0, updated
    deleted = enos.call("devices", "delete", None, assetId=made[2]["assetId"])
    assert deleted["code"] == 0, deleted
    client = Client(cloud.wsgi_app)
    for name in ("t1", "t2"):
        body = {"attributePayload": {"attributes": {"a": name}}}
        assert client.post(f"/things/{name}", json=body, headers=AWS).status_code == 200
    assert client.post("/billing-groups/bg", json={}, headers=AWS).status_code == 200
    join = {"billingGroupName": "bg", "thingName": "t1"}
    assert client.put("/billing-groups/addThingToBillingGroup", json=join, headers=AWS).status_code == 200
    assert client.delete("/things/t2", headers=AWS).status_code == 200
    assert client.post("/thing-groups/g1", json={}, headers=AWS).status_code == 200
    device = {"id": "d1", "name": "d", "password": "pw-123456"}
    created = client.post("/scriptr/device/create", json=device, headers=SCRIPTR).json
    assert created["response"]["result"]["metadata"]["status"] == "success", created
    token = client.post("/scriptr/device/generateToken", json={"id": "d1"}, headers=SCRIPTR).json
    assert token["response"]["result"]["metadata"]["status"] == "success", token


def registry_of(cloud: FakeCloud) -> dict:
    return cloud.snapshot()["registry"]


def test_a_killed_server_comes_back_with_every_acknowledged_change(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=1)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="no")  # no background save: the log alone
    keeper.load()
    keeper.start()
    busy_day(cloud)
    assert json.loads(state.read_text())["registry"]["tenants"] == []  # only the log holds the day
    assert keeper.wal is not None and keeper.wal.segments()
    # "SIGKILL": the process is gone without stop(); a new one starts from the same files
    fresh = FakeCloud(seed=1)
    again = StateKeeper(fresh, state, fsync="no")
    assert again.load() is True
    assert registry_of(fresh) == registry_of(cloud)
    assert state.exists() and again.wal is not None and again.wal.segments() == []  # compacted at load
    keeper._stop.set()


def test_compaction_keeps_what_the_file_does_not_hold(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=2)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="everysec")
    keeper.load()
    keeper.start()
    client = Client(cloud.wsgi_app)
    client.post("/things/before", json={}, headers=AWS)
    keeper.save(force=True)  # the file now holds "before"; its segment goes
    client.post("/things/after", json={}, headers=AWS)
    assert keeper.wal is not None
    entries = list(read_entries(keeper.wal.segments()))
    assert [e["key"] for e in entries if e["k"] == "devices"] == ["after"]
    fresh = FakeCloud(seed=2)
    StateKeeper(fresh, state, fsync="no").load()
    assert set(fresh.registry.tenant("aws", "123456789012/us-east-1").keys) == {"before", "after"}
    keeper.stop()


def test_admin_changes_the_log_cannot_replay_are_written_before_the_answer(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=3)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="no")
    keeper.load()
    keeper.start()
    client = Client(cloud.wsgi_app)
    rule = {"provider": "aws", "operation": "CreateThing", "action": {"error": "ThrottlingException"}}
    assert client.post("/_iotfake/faults", json=rule).status_code in (200, 201)
    saved = json.loads(state.read_text())
    assert [r["operation"] for r in saved["faults"]["rules"]] == ["CreateThing"]
    keeper.stop()


def test_a_log_line_cut_short_by_a_kill_is_ignored(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=4)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="no")
    keeper.load()
    keeper.start()
    Client(cloud.wsgi_app).post("/things/kept", json={}, headers=AWS)
    assert keeper.wal is not None
    with keeper.wal.segments()[-1].open("ab") as log:
        log.write(b'{"k":"devices","key":"half')  # the kill came mid-write: never answered
    fresh = FakeCloud(seed=4)
    StateKeeper(fresh, state, fsync="no").load()
    assert set(fresh.registry.tenant("aws", "123456789012/us-east-1").keys) == {"kept"}
    keeper._stop.set()


def test_generated_ids_do_not_repeat_after_a_replay(tmp_path: Path) -> None:
    """The id generators are saved with the file, not the log: replayed devices took ids the old
    generator state would hand out again."""
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=5)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="no")
    keeper.load()
    keeper.save(force=True)
    keeper.start()
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    # more than the 5 keys a create tries: a rewound generator would answer 11714 (no free key)
    made = [enos.device(pk) for _ in range(8)]
    saved_ids = json.loads(state.read_text())["ids"]  # the generators as the file left them
    fresh = FakeCloud(seed=5)
    StateKeeper(fresh, state, fsync="no").load()
    assert fresh.ids.snapshot()["random"] != saved_ids["random"]
    again = Enos.wsgi(fresh).create(pk)
    assert again["code"] == 0, again
    assert again["data"]["deviceKey"] not in {d["deviceKey"] for d in made}
    keeper._stop.set()


def test_an_unknown_fsync_policy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="always, everysec, no"):
        WriteAheadLog(FakeCloud(), tmp_path / "s.json", fsync="sometimes")


def test_a_call_that_outlives_the_final_save_is_not_acknowledged(tmp_path: Path) -> None:
    """SIGTERM: the server drains for a while, then the final save; a call still running then (a
    latency fault longer than the drain) used to be answered 200 and be missing after a restart."""
    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=6)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="no")
    keeper.load()
    keeper.start()
    client = Client(cloud.wsgi_app)
    assert client.post("/things/before", json={}, headers=AWS).status_code == 200
    keeper.stop()  # the final save
    late = client.post("/things/late", json={}, headers=AWS)
    assert late.status_code == 503
    assert "not saved" in late.json["message"]
    kept = FakeCloud.from_snapshot(json.loads(state.read_text()))
    assert set(kept.registry.tenant("aws", "123456789012/us-east-1").keys) == {"before"}


def test_the_newer_aws_kinds_replay_too(tmp_path: Path) -> None:
    """CA certificates, the registration code, dynamic groups, transfers: catalog kinds and
    settings the log replays like the older ones."""
    from aws_helpers import in_process
    from aws_pki import customer_ca, register_ca

    state = tmp_path / "state.json"
    cloud = FakeCloud(seed=1)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="no")
    keeper.load()
    keeper.start()
    iot = in_process(cloud)
    ca = customer_ca()
    register_ca(iot, ca, allowAutoRegistration=True)
    iot.register_certificate(certificatePem=ca.device("d1"), status="ACTIVE")
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    iot.create_dynamic_thing_group(thingGroupName="all", queryString="thingName:*")
    moving = iot.create_keys_and_certificate(setAsActive=False)["certificateId"]
    iot.transfer_certificate(certificateId=moving, targetAwsAccount="210987654321")
    fresh = FakeCloud(seed=1)
    again = StateKeeper(fresh, state, fsync="no")
    assert again.load() is True
    assert registry_of(fresh) == registry_of(cloud)
    keeper._stop.set()
