"""The Jobs device MQTT API: a device's requests answered to it alone on ``accepted`` or
``rejected``, and ``jobs/notify`` / ``jobs/notify-next`` as its pending executions change, over
the same store as the iot and iot-jobs-data APIs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tests.aws_helpers import in_process

DOCUMENT = {"operation": "reboot", "after": 5}


@pytest.fixture
def jobs_data(cloud):
    return in_process(cloud, "iot-jobs-data")


def _job(iot, job_id: str, *things: str) -> None:
    arns = [iot.describe_thing(thingName=t)["thingArn"] for t in things]
    iot.create_job(jobId=job_id, targets=arns, document=json.dumps(DOCUMENT))


def test_a_device_runs_its_jobs_over_mqtt(iot, thing, devices, jobs_data) -> None:
    lamp = devices("lamp", thing("lamp"))
    lamp.subscribe("$aws/things/lamp/jobs/notify-next")
    lamp.subscribe("$aws/things/lamp/jobs/notify")
    _job(iot, "reboot-1", "lamp")
    queued = lamp.receive("$aws/things/lamp/jobs/notify")
    assert [j["jobId"] for j in queued["jobs"]["QUEUED"]] == ["reboot-1"]
    upcoming = lamp.receive("$aws/things/lamp/jobs/notify-next")["execution"]
    assert (upcoming["jobId"], upcoming["status"], upcoming["jobDocument"]) == (
        "reboot-1",
        "QUEUED",
        DOCUMENT,
    )

    base = "$aws/things/lamp/jobs"
    pending = lamp.request(f"{base}/get", {"clientToken": "t-1"})
    assert pending["clientToken"] == "t-1" and isinstance(pending["timestamp"], int)
    assert [j["jobId"] for j in pending["queuedJobs"]] == ["reboot-1"] and pending["inProgressJobs"] == []
    started = lamp.request(f"{base}/start-next", {"statusDetails": {"step": "1"}})["execution"]
    # "queued or changes to a non-terminal status" (the guide's Jobs notifications): listed again
    running = lamp.receive(f"{base}/notify")["jobs"]
    assert [j["jobId"] for j in running["IN_PROGRESS"]] == ["reboot-1"] and "QUEUED" not in running
    assert (started["status"], started["statusDetails"], started["jobDocument"]) == (
        "IN_PROGRESS",
        {"step": "1"},
        DOCUMENT,
    )
    described = lamp.request(f"{base}/reboot-1/get", {"includeJobDocument": False})["execution"]
    assert described["versionNumber"] == started["versionNumber"] and "jobDocument" not in described
    done = lamp.request(
        f"{base}/reboot-1/update",
        {
            "status": "SUCCEEDED",
            "expectedVersion": started["versionNumber"],
            "includeJobExecutionState": True,
        },
    )
    assert done["executionState"]["status"] == "SUCCEEDED"
    assert lamp.receive(f"{base}/notify")["jobs"] == {}  # nothing pending any more
    assert "execution" not in lamp.receive(f"{base}/notify-next")
    http = jobs_data.describe_job_execution(jobId="reboot-1", thingName="lamp")["execution"]
    assert http["status"] == "SUCCEEDED"  # one store for both APIs


def test_refusals_are_answered_on_rejected_in_the_mqtt_api_s_codes(iot, thing, devices) -> None:
    lamp = devices("lamp", thing("lamp"))
    _job(iot, "reboot-1", "lamp")
    base = "$aws/things/lamp/jobs"
    for topic in (f"{base}/reboot-1/update", f"{base}/get", f"{base}/nope/get"):
        lamp.subscribe(topic + "/rejected")

    def rejected(topic: str, payload: bytes | dict) -> dict:
        lamp.publish(topic, payload)
        return lamp.receive(topic + "/rejected")

    stale = rejected(
        f"{base}/reboot-1/update", {"status": "IN_PROGRESS", "expectedVersion": 7, "clientToken": "c"}
    )
    assert (stale["code"], stale["clientToken"]) == ("VersionMismatch", "c")
    assert stale["executionState"] == {"status": "QUEUED", "statusDetails": {}, "versionNumber": 1}
    bad = rejected(f"{base}/reboot-1/update", {"status": "NOT_A_STATUS"})
    assert bad["code"] == "InvalidRequest" and "status" in bad["message"]
    assert rejected(f"{base}/get", b"{not json")["code"] == "InvalidJson"
    assert rejected(f"{base}/nope/get", {})["code"] == "ResourceNotFound"
    lamp.request(f"{base}/reboot-1/update", {"status": "SUCCEEDED"})
    again = rejected(f"{base}/reboot-1/update", {"status": "IN_PROGRESS"})
    assert again["code"] == "InvalidStateTransition" and again["executionState"]["status"] == "SUCCEEDED"


def test_answers_go_to_the_asker_alone_subscribed_or_not(iot, thing, devices) -> None:
    lamp, other = devices("lamp", thing("lamp")), devices("other", thing("other"))
    other.subscribe("$aws/things/lamp/jobs/#")  # its policy allows it: still, answers are not routed
    _job(iot, "reboot-1", "lamp")
    lamp.publish("$aws/things/lamp/jobs/get", {"clientToken": "x"})  # lamp never subscribed
    assert [j["jobId"] for j in lamp.receive("$aws/things/lamp/jobs/get/accepted")["queuedJobs"]] == [
        "reboot-1"
    ]
    assert "$aws/things/lamp/jobs/get/accepted" not in other.topics()


def test_a_timed_out_execution_is_announced_without_any_call(cloud, iot, thing, devices) -> None:
    """An execution's timeout passes on the fake's clock: AWS marks it TIMED_OUT and tells the
    device (its pending list and next job changed). The fake used to see it only at the next
    jobs call, so a device waiting for jobs/notify-next waited for ever."""
    lamp = devices("lamp", thing("lamp"))
    arn = iot.describe_thing(thingName="lamp")["thingArn"]
    iot.create_job(
        jobId="slow",
        targets=[arn],
        document=json.dumps(DOCUMENT),
        timeoutConfig={"inProgressTimeoutInMinutes": 1},
    )
    base = "$aws/things/lamp/jobs"
    lamp.request(f"{base}/start-next", {})
    lamp.subscribe(f"{base}/notify")
    lamp.subscribe(f"{base}/notify-next")
    cloud.clock.advance(61)  # no call after this: the broker notices the deadline
    assert lamp.receive(f"{base}/notify", timeout=5)["jobs"] == {}
    assert "execution" not in lamp.receive(f"{base}/notify-next", timeout=5)
    assert iot.describe_job_execution(jobId="slow", thingName="lamp")["execution"]["status"] == "TIMED_OUT"


def test_a_continuous_job_s_new_target_is_announced_without_any_call(iot, thing, devices) -> None:
    lamp = devices("lamp", thing("lamp"))
    group = iot.create_thing_group(thingGroupName="lamps")
    iot.create_job(
        jobId="fleet",
        targets=[group["thingGroupArn"]],
        document=json.dumps(DOCUMENT),
        targetSelection="CONTINUOUS",
    )
    lamp.subscribe("$aws/things/lamp/jobs/notify-next")
    iot.add_thing_to_thing_group(thingGroupName="lamps", thingName="lamp")
    assert lamp.receive("$aws/things/lamp/jobs/notify-next", timeout=5)["execution"]["jobId"] == "fleet"


def test_a_scheduled_job_s_start_is_announced_without_any_call(cloud, iot, thing, devices) -> None:
    from datetime import UTC, datetime, timedelta

    lamp = devices("lamp", thing("lamp"))
    start = datetime.fromtimestamp(cloud.clock.time(), UTC) + timedelta(minutes=31)
    iot.create_job(
        jobId="tonight",
        targets=[iot.describe_thing(thingName="lamp")["thingArn"]],
        document=json.dumps(DOCUMENT),
        schedulingConfig={"startTime": start.strftime("%Y-%m-%dT%H:%M")},
    )
    lamp.subscribe("$aws/things/lamp/jobs/notify-next")
    cloud.clock.advance(32 * 60)  # no call after this: the broker's tick starts the job
    assert lamp.receive("$aws/things/lamp/jobs/notify-next", timeout=5)["execution"]["jobId"] == "tonight"


def test_notify_next_is_sent_only_when_the_next_execution_changes(iot, thing, devices) -> None:
    lamp = devices("lamp", thing("lamp"))
    lamp.subscribe("$aws/things/lamp/jobs/notify-next")
    _job(iot, "first", "lamp")
    assert lamp.receive("$aws/things/lamp/jobs/notify-next")["execution"]["jobId"] == "first"
    _job(iot, "second", "lamp")  # queued behind "first": the next one is still "first"
    assert lamp.topics() == []
    iot.cancel_job(jobId="first")
    assert lamp.receive("$aws/things/lamp/jobs/notify-next")["execution"]["jobId"] == "second"


@pytest.mark.e2e  # a real SDK with its own threads and timeouts: the README command runs it
def test_a_device_runs_a_job_with_the_aws_iot_device_sdk(served, iot, thing) -> None:
    """awsiotsdk's IotJobsClient (AWS CRT, mutual TLS, a persistent session as its builder
    makes by default) reads every answer into its own model."""
    from concurrent.futures import Future

    from awscrt import mqtt
    from awsiot import iotjobs, mqtt_connection_builder

    cert = thing("lamp")
    folder = Path(tempfile.mkdtemp(prefix="iotfake-sdk-"))
    (folder / "ca.pem").write_text(served.cloud.ca_pem)
    (folder / "lamp.crt").write_text(cert["certificatePem"])
    (folder / "lamp.key").write_text(cert["keyPair"]["PrivateKey"])

    def connect() -> tuple[mqtt.Connection, bool]:
        connection = mqtt_connection_builder.mtls_from_path(
            endpoint="localhost",
            port=served.mqtt.tls_port,
            cert_filepath=str(folder / "lamp.crt"),
            pri_key_filepath=str(folder / "lamp.key"),
            ca_filepath=str(folder / "ca.pem"),
            client_id="lamp",
            clean_session=False,
            keep_alive_secs=30,
        )
        return connection, connection.connect().result(10)["session_present"]

    device, present = connect()
    assert present is False
    jobs = iotjobs.IotJobsClient(device)
    upcoming: Future = Future()
    started: Future = Future()
    done: Future = Future()
    subscribed, _ = jobs.subscribe_to_next_job_execution_changed_events(
        iotjobs.NextJobExecutionChangedSubscriptionRequest(thing_name="lamp"),
        mqtt.QoS.AT_LEAST_ONCE,
        lambda event: upcoming.done() or upcoming.set_result(event),
    )
    subscribed.result(10)
    for subscribe, future in (
        (jobs.subscribe_to_start_next_pending_job_execution_accepted, started),
        (jobs.subscribe_to_update_job_execution_accepted, done),
    ):
        request = (
            iotjobs.StartNextPendingJobExecutionSubscriptionRequest(thing_name="lamp")
            if future is started
            else iotjobs.UpdateJobExecutionSubscriptionRequest(thing_name="lamp", job_id="+")
        )
        subscribed, _ = subscribe(request, mqtt.QoS.AT_LEAST_ONCE, future.set_result)
        subscribed.result(10)
    _job(iot, "reboot-1", "lamp")
    assert upcoming.result(10).execution.job_document == DOCUMENT
    jobs.publish_start_next_pending_job_execution(
        iotjobs.StartNextPendingJobExecutionRequest(thing_name="lamp", client_token="t-1"),
        mqtt.QoS.AT_LEAST_ONCE,
    ).result(10)
    execution = started.result(10).execution
    assert (execution.job_id, execution.status, execution.version_number) == ("reboot-1", "IN_PROGRESS", 2)
    assert execution.queued_at.year >= 2026 and started.result().client_token == "t-1"
    jobs.publish_update_job_execution(
        iotjobs.UpdateJobExecutionRequest(
            thing_name="lamp",
            job_id="reboot-1",
            status=iotjobs.JobStatus.SUCCEEDED,
            expected_version=execution.version_number,
            include_job_execution_state=True,
        ),
        mqtt.QoS.AT_LEAST_ONCE,
    ).result(10)
    assert done.result(10).execution_state.status == "SUCCEEDED"
    device.disconnect().result(10)
    again, present = connect()  # the session was kept: its subscriptions too
    assert present is True
    again.disconnect().result(10)


def test_notify_lists_at_most_15_in_progress_first(iot, thing, devices) -> None:
    lamp = devices("lamp", thing("lamp"))
    lamp.subscribe("$aws/things/lamp/jobs/notify")
    for number in range(16):
        _job(iot, f"job-{number:02d}", "lamp")
        lamp.receive("$aws/things/lamp/jobs/notify")  # one notice each: read before the next
    lamp.publish("$aws/things/lamp/jobs/job-03/update", {"status": "IN_PROGRESS"})
    listed = lamp.receive("$aws/things/lamp/jobs/notify")["jobs"]
    assert list(listed) == ["IN_PROGRESS", "QUEUED"]
    assert [j["jobId"] for j in listed["IN_PROGRESS"]] == ["job-03"]
    assert [j["jobId"] for j in listed["QUEUED"]] == [f"job-{n:02d}" for n in range(16) if n != 3][:14]
