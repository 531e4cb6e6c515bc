"""Certificate transfers between accounts, through boto3 clients of two accounts on one server."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, conforms

SOURCE, TARGET = "123456789012", "210987654321"


@pytest.fixture
def clients(aws_cloud, aws_clients):
    aws_cloud.reset()
    aws_cloud.seed(
        {
            "aws": {
                "accounts": [
                    {
                        "accountId": SOURCE,
                        "accessKeys": [{"accessKeyId": "AKIASOURCE000000", "secretAccessKey": "s"}],
                    },
                    {
                        "accountId": TARGET,
                        "accessKeys": [{"accessKeyId": "AKIATARGET000000", "secretAccessKey": "t"}],
                    },
                ]
            }
        }
    )
    return aws_clients(key=("AKIASOURCE000000", "s")), aws_clients(key=("AKIATARGET000000", "t"))


def inactive_certificate(iot) -> str:
    return iot.create_keys_and_certificate(setAsActive=False)["certificateId"]


def test_transfer_and_accept(clients) -> None:
    source, target = clients
    cert_id = inactive_certificate(source)
    answer = conforms(
        "TransferCertificate",
        source.transfer_certificate(
            certificateId=cert_id, targetAwsAccount=TARGET, transferMessage="yours now"
        ),
    )
    assert answer["transferredCertificateArn"] == f"arn:aws:iot:us-east-1:{TARGET}:cert/{cert_id}"
    assert (
        source.describe_certificate(certificateId=cert_id)["certificateDescription"]["status"]
        == "PENDING_TRANSFER"
    )
    (outgoing,) = conforms("ListOutgoingCertificates", source.list_outgoing_certificates())[
        "outgoingCertificates"
    ]
    assert (outgoing["certificateId"], outgoing["transferredTo"], outgoing["transferMessage"]) == (
        cert_id,
        TARGET,
        "yours now",
    )
    # the target sees the pending transfer in its own listing, as the API reference says
    assert [c["certificateId"] for c in target.list_certificates()["certificates"]] == [cert_id]
    with pytest.raises(source.exceptions.CertificateStateException, match="being transferred"):
        source.update_certificate(certificateId=cert_id, newStatus="ACTIVE")
    target.accept_certificate_transfer(certificateId=cert_id, setAsActive=True)
    described = target.describe_certificate(certificateId=cert_id)["certificateDescription"]
    assert (described["status"], described["ownedBy"], described["previousOwnedBy"]) == (
        "ACTIVE",
        TARGET,
        SOURCE,
    )
    assert described["transferData"]["transferMessage"] == "yours now"
    assert "acceptDate" in described["transferData"]
    with pytest.raises(source.exceptions.ResourceNotFoundException):
        source.describe_certificate(certificateId=cert_id)
    with pytest.raises(source.exceptions.TransferAlreadyCompletedException):
        source.cancel_certificate_transfer(certificateId=cert_id)
    with pytest.raises(target.exceptions.TransferAlreadyCompletedException):
        target.accept_certificate_transfer(certificateId=cert_id)
    assert source.list_outgoing_certificates()["outgoingCertificates"] == []


def test_reject_and_cancel_return_the_certificate_inactive(clients) -> None:
    source, target = clients
    rejected, cancelled = inactive_certificate(source), inactive_certificate(source)
    for cert_id in (rejected, cancelled):
        source.transfer_certificate(certificateId=cert_id, targetAwsAccount=TARGET)
    target.reject_certificate_transfer(certificateId=rejected, rejectReason="not ours")
    source.cancel_certificate_transfer(certificateId=cancelled)
    back = source.describe_certificate(certificateId=rejected)["certificateDescription"]
    assert back["status"] == "INACTIVE" and back["transferData"]["rejectReason"] == "not ours"
    assert (
        source.describe_certificate(certificateId=cancelled)["certificateDescription"]["status"] == "INACTIVE"
    )
    assert target.list_certificates()["certificates"] == []
    with pytest.raises(target.exceptions.ResourceNotFoundException):
        target.accept_certificate_transfer(certificateId=rejected)
    with pytest.raises(target.exceptions.TransferAlreadyCompletedException):
        source.cancel_certificate_transfer(certificateId=rejected)


def test_only_a_free_inactive_certificate_can_be_transferred(clients) -> None:
    source, _ = clients
    active = source.create_keys_and_certificate(setAsActive=True)["certificateId"]
    with pytest.raises(source.exceptions.CertificateStateException, match="only an INACTIVE"):
        source.transfer_certificate(certificateId=active, targetAwsAccount=TARGET)
    cert = source.create_keys_and_certificate(setAsActive=False)
    source.create_policy(policyName="p", policyDocument=json.dumps(POLICY))
    source.attach_policy(policyName="p", target=cert["certificateArn"])
    with pytest.raises(source.exceptions.TransferConflictException, match="policies"):
        source.transfer_certificate(certificateId=cert["certificateId"], targetAwsAccount=TARGET)
    source.detach_policy(policyName="p", target=cert["certificateArn"])
    source.create_thing(thingName="t1")
    source.attach_thing_principal(thingName="t1", principal=cert["certificateArn"])
    with pytest.raises(source.exceptions.TransferConflictException, match="things"):
        source.transfer_certificate(certificateId=cert["certificateId"], targetAwsAccount=TARGET)
    with pytest.raises(source.exceptions.InvalidRequestException, match="owns it"):
        source.transfer_certificate(certificateId=inactive_certificate(source), targetAwsAccount=SOURCE)
    with pytest.raises(source.exceptions.ResourceNotFoundException):
        source.transfer_certificate(certificateId="0" * 64, targetAwsAccount=TARGET)


def test_a_transfer_survives_a_snapshot(aws_cloud, clients) -> None:
    source, target = clients
    cert_id = inactive_certificate(source)
    source.transfer_certificate(certificateId=cert_id, targetAwsAccount=TARGET)
    aws_cloud.restore(aws_cloud.snapshot())
    target.accept_certificate_transfer(certificateId=cert_id)
    assert (
        target.describe_certificate(certificateId=cert_id)["certificateDescription"]["status"] == "INACTIVE"
    )
