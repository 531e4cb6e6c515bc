"""A hand-edited AWS snapshot that later calls cannot serve is refused at restore, naming the
field; every snapshot the fake writes, now or in older versions, still restores.

An outside hunt mutated every leaf of a rich snapshot and ran the reads after each accepted
restore: a thing group without ``id``, a certificate without ``notAfter``, a policy version whose
``versionId`` was ``""``, a ``created`` of 2**70 were each restored, and every call that read them
then answered a 500 (or a time boto3 could not parse). ``restore_mutations`` holds the snapshot,
the mutations and the reads; here, the hunt's findings one by one and a bounded sample of the rest
(every leaf: ``reliability/test_reliability_restore_mutations.py``, marked slow).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from restore_mutations import DELETE, aws_tenant, check, failures, leaves, mutated, mutations, rich_cloud
from werkzeug.test import Client

from iotfake import FakeCloud

OLD_STATES = sorted((Path(__file__).parent / "data" / "old_states").glob("aws-*.json"))
#: the reads each old snapshot is served with (every kind older versions knew)
AREAS = ("thingGroups", "certificates", "policies", "products", "devices", "billingGroups", "caCertificates")


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    return json.loads(rich_cloud().state_json())


def _first(snapshot: dict[str, Any], table: str, **match: Any) -> str:
    rows = aws_tenant(snapshot)["tables"][table]
    return next(k for k, r in rows.items() if all(r.get(f) == v for f, v in match.items()))


# (where from the AWS tenant, with {cert}/{ca} for generated ids; the mutation; the message)
FOUND = [
    ("tables.thingGroups.top.id", DELETE, "required"),
    ("tables.thingGroups.top.version", DELETE, "required"),
    ("tables.thingGroups.sub.created", DELETE, "required"),
    ("tables.thingGroups.top.properties", 7, "expected an object, got an integer"),
    ("tables.thingGroups.top.properties.attributePayload.attributes", [], "expected an object or null"),
    ("tables.thingGroups.dyn.dynamic", 7, "expected an object or null, got an integer"),
    ("tables.thingGroups.dyn.dynamic.queryString", DELETE, "required"),
    ("tables.thingGroups.top.created", 2**70, "expected a number from 0 to 253402214399999"),
    ("tables.thingGroups.top.created", -1, "expected a number from 0 to"),
    ("tables.certificates.{cert}.created", DELETE, "required"),
    ("tables.certificates.{cert}.updated", DELETE, "required"),
    ("tables.certificates.{cert}.notBefore", DELETE, "required"),
    ("tables.certificates.{cert}.notAfter", {}, "expected an integer or a number, got an object"),
    ("tables.certificates.{cert}.customerVersion", "x", "expected an integer, got a string"),
    ("tables.certificates.{cert}.generationId", DELETE, "required"),
    ("tables.certificates.{cert}.ownedBy", DELETE, "required"),
    ("tables.certificates.{moving}.transfer", DELETE, "required while PENDING_TRANSFER"),
    ("tables.caCertificates.{ca}.notAfter", DELETE, "required"),
    ("tables.policies.pol.created", DELETE, "required"),
    ("tables.policies.pol.updated", "x", "expected an integer, got a string"),
    ("tables.policies.pol.defaultVersionId", DELETE, "required"),
    ("tables.policies.pol.generationId", DELETE, "required"),
    ("tables.policyVersions.pol:1.created", DELETE, "required"),
    ("tables.policyVersions.pol:2.versionId", "", "expected text matching"),
    ("products[0].attributes.properties", 7, "expected an object, got an integer"),
    ("products[0].attributes.properties.searchableAttributes", 7, "searchableAttributes"),
    ("products[0].attributes.id", DELETE, "required"),
    ("products[0].created", 2**70, "expected a number from 0 to"),
    ("tables.jobs.job.config", DELETE, "required"),
    ("tables.jobs.job.config.timeoutConfig.inProgressTimeoutInMinutes", -5, "expected 1 to 10080 minutes"),
    ("tables.jobs.job.config.jobExecutionsRolloutConfig", [], "jobExecutionsRolloutConfig"),
    ("tables.jobExecutions.job|t0.updated", DELETE, "required"),
    ("tables.jobTemplates.tpl.config", DELETE, "required"),
    ("tables.provisioningTemplates.fleet.default", DELETE, "required"),
    ("tables.topicRules.rule.actions[0]", 7, "expected an object, got an integer"),
    ("tables.topicRules.rule.errorAction.republish", [], "expected an object, got a list"),
    ("tables.roleAliases.cam.tags[0].Key", DELETE, "required"),
    ("tables.authorizers.auth.signingDisabled", DELETE, "required"),
    ("tables.domainConfigurations.dom.serviceType", "", "expected text matching"),
    ("tables.domainConfigurations.dom.certificates", DELETE, "required"),
    ("tables.shadows.t0.named.version", DELETE, "required"),
    ("tables.shadows.t0..state", 7, "expected an object or null, got an integer"),
    ("tables.retainedMessages.keep/me.payload", "x!", "expected text matching"),
    ("tables.retainedMessages.keep/me.qos", DELETE, "required"),
]


@pytest.mark.parametrize(
    ("where", "replacement", "message"), FOUND, ids=[f"{w}={r!r}"[:80] for w, r, _ in FOUND]
)
def test_a_record_later_calls_cannot_serve_is_refused_naming_it(
    snapshot: dict[str, Any], where: str, replacement: Any, message: str
) -> None:
    names = {
        "cert": _first(snapshot, "certificates", status="ACTIVE"),
        "moving": _first(snapshot, "certificates", status="PENDING_TRANSFER"),
        "ca": next(iter(aws_tenant(snapshot)["tables"]["caCertificates"])),
    }
    path = _path(where.format(**names))
    broken = mutated(snapshot, path, replacement)
    cloud = FakeCloud(seed=5)
    client = Client(cloud.wsgi_app)
    before = client.get("/_iotfake/state").json
    answer = client.put("/_iotfake/state", data=json.dumps(broken), content_type="application/json")
    assert answer.status_code == 400, answer.json
    error = answer.json["error"]
    index = next(i for i, t in enumerate(snapshot["registry"]["tenants"]) if t["provider"] == "aws")
    named = f"registry.tenants[{index}]." + where.format(**names)
    # the field itself, or the object holding it (a model shape's check names the member inside)
    assert f"{named}: " in error or f"{named.rsplit('.', 1)[0]}: " in error, error
    assert message in error, error
    assert client.get("/_iotfake/state").json == before


def _path(where: str) -> tuple[Any, ...]:
    """``tables.shadows.t0..state`` (the classic shadow is named "") and ``actions[0]`` as steps."""
    steps: list[Any] = []
    for part in where.replace("..", ".\0.").split("."):
        name, _, index = part.partition("[")
        steps.append("" if name == "\0" else name)
        if index:
            steps.append(int(index.rstrip("]")))
    if steps[0].startswith("products"):
        steps[0:1] = ["products", int(where.split("[", 1)[1].split("]", 1)[0])]
        del steps[2]
    return tuple(steps)


def test_the_rich_snapshot_restores_and_every_read_answers(snapshot: dict[str, Any]) -> None:
    cloud = FakeCloud.from_snapshot(snapshot)
    areas = {path[1] if path[0] == "tables" else path[0] for path, _ in leaves(snapshot)}
    assert [f for area in sorted(areas) for f in failures(cloud, area)] == []


def test_a_sample_of_every_mutation_is_refused_or_served(snapshot: dict[str, Any]) -> None:
    """A bounded, seeded sample of (leaf, mutation) pairs: each restore is refused naming where,
    or served by every read of its kind without a 500."""
    cases = [(path, label, value) for path, leaf in leaves(snapshot) for label, value in mutations(leaf)]
    sample = random.Random(11).sample(cases, 120)
    assert [problem for case in sample if (problem := check(snapshot, *case)) is not None] == []


@pytest.mark.parametrize("state", OLD_STATES, ids=[p.stem for p in OLD_STATES])
def test_a_state_an_older_version_wrote_still_restores_and_serves(state: Path) -> None:
    """``data/old_states``: what iotfake kept of a busy account at the first AWS version (state
    format 1) and once CA certificates came (format 2), made by ``make_state.py``."""
    snapshot = json.loads(state.read_text())
    cloud = FakeCloud.from_snapshot(snapshot)
    assert [f for area in AREAS for f in failures(cloud, area)] == []
    FakeCloud.from_snapshot(json.loads(cloud.state_json()))  # and what it now writes restores too
