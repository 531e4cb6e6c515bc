"""The deadline index (``job_deadlines``) times out exactly the executions a read of every
execution in progress would: random programs of devices starting, reporting and ending their
jobs, with step timeouts, jobs' timeouts set and changed, the clock moving, cancels and rolled
back transactions, run once with the index and once with a scan in its place, answer alike."""

from __future__ import annotations

import contextlib
import random
from typing import Any

import pytest
from aws_helpers import in_process
from freezegun import freeze_time

from iotfake import FakeCloud
from iotfake.providers.aws_iot.job_deadlines import Deadlines

DOC = '{"op": "update"}'
THINGS = 6


class RolledBack(Exception):
    pass


def scanned(self: Deadlines, now: int, minutes_of: Any, table: dict[str, Any]) -> list[tuple[int, str]]:
    """What the read-time pass did before the index: every execution in progress, read; its
    deadline the earlier of its step timer and its job's timeout."""
    due = []
    for key, record in table.items():
        if record.get("status") != "IN_PROGRESS" or record.get("started") is None:
            continue
        minutes = minutes_of(record["job"])
        deadlines = [record["started"] + minutes * 60_000] if minutes is not None else []
        if record.get("timeout") is not None:
            deadlines.append(record["timeout"])
        if deadlines and min(deadlines) <= now:
            due.append((min(deadlines), key))
    return sorted(due)


def program(seed: int) -> tuple[list[Any], dict[str, Any]]:
    rng = random.Random(seed)
    cloud = FakeCloud(seed=5)
    iot, data = in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1)
    arns = [iot.create_thing(thingName=f"t{n}")["thingArn"] for n in range(THINGS)]
    iot.create_job(jobId="a", targets=arns, document=DOC, timeoutConfig={"inProgressTimeoutInMinutes": 2})
    iot.create_job(jobId="b", targets=arns, document=DOC)
    iot.create_job(jobId="c", targets=arns[:3], document=DOC, timeoutConfig={"inProgressTimeoutInMinutes": 5})
    seen: list[Any] = []

    def answer(call: Any, **kwargs: Any) -> None:
        try:
            out = call(**kwargs)
            out.pop("ResponseMetadata", None)
            seen.append(out)
        except Exception as exc:  # the error is what is compared
            seen.append(type(exc).__name__)

    for _ in range(60):
        step = rng.choice(["start", "report", "end", "tick", "look", "cancel", "retime", "undone"])
        thing, job = f"t{rng.randrange(THINGS)}", rng.choice("abc")
        step_timeout = {"stepTimeoutInMinutes": rng.randint(1, 4)} if rng.random() < 0.5 else {}
        if step == "start":
            answer(data.start_next_pending_job_execution, thingName=thing, **step_timeout)
        elif step == "report":
            answer(
                data.update_job_execution, jobId=job, thingName=thing, status="IN_PROGRESS", **step_timeout
            )
        elif step == "end":
            status = rng.choice(["SUCCEEDED", "FAILED", "REJECTED"])
            answer(data.update_job_execution, jobId=job, thingName=thing, status=status)
        elif step == "tick":
            cloud.clock.advance(rng.choice([10, 45, 60, 61, 120, 130, 200, 300]))  # on deadlines too
        elif step == "look":
            answer(iot.list_job_executions_for_job, jobId=job)
        elif step == "cancel":
            answer(iot.cancel_job_execution, jobId=job, thingName=thing, force=True)
        elif step == "retime":
            minutes = rng.choice([1, 3, None])
            config = {"inProgressTimeoutInMinutes": minutes} if minutes else {}
            answer(iot.update_job, jobId=job, timeoutConfig=config)
        else:  # a step timeout set, then read past it, inside a transaction rolled back
            with contextlib.suppress(RolledBack), cloud.registry.transaction():
                answer(
                    data.update_job_execution,
                    jobId=job,
                    thingName=thing,
                    status="IN_PROGRESS",
                    **step_timeout,
                )
                cloud.clock.advance(250)  # the clock stays; what the call timed out is undone
                answer(iot.describe_job_execution, jobId=job, thingName=thing)
                raise RolledBack
    for job in "abc":
        answer(iot.list_job_executions_for_job, jobId=job)
        answer(iot.describe_job, jobId=job)
    return seen, cloud.snapshot()


@pytest.mark.parametrize("seed", range(12))
def test_the_index_times_out_what_a_scan_would(seed: int, monkeypatch) -> None:
    with freeze_time("2026-12-05 12:00:00"):
        indexed = program(seed)
    monkeypatch.setattr(Deadlines, "overdue", scanned)
    with freeze_time("2026-12-05 12:00:00"):
        scan = program(seed)
    assert indexed[0] == scan[0]
    assert indexed[1] == scan[1]
    assert any("TIMED_OUT" in repr(answer) for answer in indexed[0]) or seed > 3  # the programs time out


def test_an_execution_timed_out_inside_a_rolled_back_transaction_times_out_again() -> None:
    """The rollback puts the execution back in progress, and the index hears the undo."""
    cloud = FakeCloud(seed=5)
    iot, data = in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1)
    arn = iot.create_thing(thingName="t0")["thingArn"]
    iot.create_job(jobId="a", targets=[arn], document=DOC)
    data.start_next_pending_job_execution(thingName="t0", stepTimeoutInMinutes=1)
    cloud.clock.advance(61)
    with contextlib.suppress(RolledBack), cloud.registry.transaction():
        assert iot.describe_job_execution(jobId="a", thingName="t0")["execution"]["status"] == "TIMED_OUT"
        raise RolledBack
    assert iot.describe_job_execution(jobId="a", thingName="t0")["execution"]["status"] == "TIMED_OUT"


def test_a_hand_made_execution_with_odd_times_is_never_overdue() -> None:
    deadlines = Deadlines(
        [
            ("a", {"job": "j", "status": "IN_PROGRESS", "started": "soon", "timeout": None}),
            ("b", {"job": "j", "status": "IN_PROGRESS", "started": 1, "timeout": "later"}),
            ("c", {"job": 7, "status": "IN_PROGRESS", "started": 1}),
            ("d", "not a record"),
            ("e", {"job": "j", "status": "IN_PROGRESS", "started": 1, "timeout": 5}),
        ]
    )
    table = {"e": {"job": "j", "status": "IN_PROGRESS", "started": 1, "timeout": 5}}
    assert deadlines.overdue(10, lambda job: 1, table) == [(5, "e")]


def test_minus_one_cancels_the_step_timer_and_other_bounds_are_refused() -> None:
    """The model's documentation: 1 to 10080 minutes, and -1 (UpdateJobExecution only) cancels
    the step timer; -1 timed the execution out at once, 10**18 answered a number no SDK reads."""
    cloud = FakeCloud(seed=5)
    iot, data = in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1)
    arn = iot.create_thing(thingName="t0")["thingArn"]
    iot.create_job(jobId="a", targets=[arn], document=DOC)
    for minutes in (0, -1, 10081, 10**18):
        with pytest.raises(data.exceptions.InvalidRequestException, match="out of range: use 1 to 10080"):
            data.start_next_pending_job_execution(thingName="t0", stepTimeoutInMinutes=minutes)
    started = data.start_next_pending_job_execution(thingName="t0", stepTimeoutInMinutes=2)["execution"]
    assert started["approximateSecondsBeforeTimedOut"] == 120
    for minutes in (0, -2, 10081):
        with pytest.raises(data.exceptions.InvalidRequestException, match="or -1 to cancel the step timer"):
            data.update_job_execution(
                jobId="a", thingName="t0", status="IN_PROGRESS", stepTimeoutInMinutes=minutes
            )
    data.update_job_execution(jobId="a", thingName="t0", status="IN_PROGRESS", stepTimeoutInMinutes=-1)
    cloud.clock.advance(600)
    execution = data.describe_job_execution(jobId="a", thingName="t0")["execution"]
    assert execution["status"] == "IN_PROGRESS" and "approximateSecondsBeforeTimedOut" not in execution
    assert execution["versionNumber"] == 3  # the refused updates changed nothing


@pytest.mark.parametrize("minutes", [0, -5, 10081, 10**18])
def test_a_job_timeout_out_of_range_is_refused(minutes: int) -> None:
    cloud = FakeCloud(seed=5)
    iot = in_process(cloud, "iot", attempts=1)
    arn = iot.create_thing(thingName="t0")["thingArn"]
    timeout = {"inProgressTimeoutInMinutes": minutes}
    with pytest.raises(iot.exceptions.InvalidRequestException, match="out of range: use 1 to 10080"):
        iot.create_job(jobId="a", targets=[arn], document=DOC, timeoutConfig=timeout)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="out of range"):
        iot.create_job_template(jobTemplateId="t", description="d", document=DOC, timeoutConfig=timeout)
    iot.create_job(jobId="b", targets=[arn], document=DOC, timeoutConfig={"inProgressTimeoutInMinutes": 5})
    with pytest.raises(iot.exceptions.InvalidRequestException, match="out of range"):
        iot.update_job(jobId="b", timeoutConfig=timeout)
    assert iot.describe_job(jobId="b")["job"]["timeoutConfig"] == {"inProgressTimeoutInMinutes": 5}
    assert [j["jobId"] for j in iot.list_jobs()["jobs"]] == ["b"]


def test_a_step_timer_set_then_cancelled_times_the_execution_out_once() -> None:
    """The -1 brings back the state the job's timeout times, which then has two entries coming
    due in one pass: one TIMED_OUT write, as a scan makes (the version said 6, not 5)."""
    cloud = FakeCloud(seed=5)
    iot, data = in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1)
    arn = iot.create_thing(thingName="t0")["thingArn"]
    iot.create_job(jobId="a", targets=[arn], document=DOC, timeoutConfig={"inProgressTimeoutInMinutes": 1})
    data.start_next_pending_job_execution(thingName="t0")  # version 2
    data.update_job_execution(jobId="a", thingName="t0", status="IN_PROGRESS", stepTimeoutInMinutes=5)
    data.update_job_execution(jobId="a", thingName="t0", status="IN_PROGRESS", stepTimeoutInMinutes=-1)
    cloud.clock.advance(61)
    execution = data.describe_job_execution(jobId="a", thingName="t0")["execution"]
    assert (execution["status"], execution["versionNumber"]) == ("TIMED_OUT", 5)


def test_the_broker_s_tick_settles_a_job_as_a_jobs_call_would(monkeypatch) -> None:
    """The MQTT broker's tick runs the read-time pass on its own: it read a job, then wrote it
    back COMPLETED, and an UpdateJob committed in between was lost. It runs under the account's
    lock now, as every jobs call does; the update waits for it, then lands."""
    import threading

    from iotfake.mqtt.sides import sides_for
    from iotfake.providers.aws_iot import jobs as jobs_module

    cloud = FakeCloud(seed=1)
    iot, data = in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1)
    arn = iot.create_thing(thingName="t1")["thingArn"]
    iot.create_job(jobId="j1", targets=[arn], document=DOC, description="v1",
                   timeoutConfig={"inProgressTimeoutInMinutes": 1})  # fmt: skip
    data.start_next_pending_job_execution(thingName="t1")
    cloud.clock.advance(120)  # overdue: the tick times it out and settles the job
    read, go = threading.Event(), threading.Event()
    real = jobs_module.jobs

    class Paused:
        def __init__(self, records):
            self.records = records

        def __getattr__(self, name):
            return getattr(self.records, name)

        def find(self, key):
            record = self.records.find(key)
            if threading.current_thread().name == "tick":
                read.set()
                go.wait(5)
            return record

    monkeypatch.setattr(jobs_module, "jobs", lambda ctx: Paused(real(ctx)))
    tenant = cloud.aws.account("123456789012", "us-east-1")
    tick = threading.Thread(target=sides_for(cloud).aws.tick, args=({("aws", tenant.id)},), name="tick")
    tick.start()
    assert read.wait(5)  # the tick has read the job to settle it
    update = threading.Thread(target=iot.update_job, kwargs={"jobId": "j1", "description": "v2"})
    update.start()
    go.set()
    tick.join(5)
    update.join(5)
    job = iot.describe_job(jobId="j1")["job"]
    assert (job["status"], job["description"]) == ("COMPLETED", "v2")
