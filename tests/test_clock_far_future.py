"""Moving the clock far ahead (up to its century) breaks nothing that dates things: AWS
certificates are still valid from the fake's now, scriptr still formats its dates."""

from __future__ import annotations

import datetime as dt

import pytest
from aws_helpers import csr_pem
from cryptography import x509
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.providers.scriptr import records

YEAR = 365 * 86400

#: the README's documented limit ("Hostile input": at most 100 years ahead in all), as a literal
CENTURY = 100 * 365.25 * 86400


@pytest.mark.parametrize("years", [25, 30, 99])
def test_aws_certificates_are_valid_from_the_fake_now(aws_cloud: FakeCloud, iot, years: int) -> None:
    aws_cloud.clock.advance(years * YEAR)
    now = dt.datetime.fromtimestamp(aws_cloud.clock.time(), dt.UTC)
    made = iot.create_keys_and_certificate(setAsActive=True)
    cert = x509.load_pem_x509_certificate(made["certificatePem"].encode())
    assert abs(cert.not_valid_before_utc - now) < dt.timedelta(minutes=5)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc >= dt.timedelta(days=365)
    signed = iot.create_certificate_from_csr(certificateSigningRequest=csr_pem()[0], setAsActive=True)
    from_csr = x509.load_pem_x509_certificate(signed["certificatePem"].encode())
    assert from_csr.not_valid_after_utc > from_csr.not_valid_before_utc
    ca = x509.load_pem_x509_certificate(aws_cloud.providers["aws"].ca_certificate_pem().encode())
    assert ca.not_valid_before_utc <= cert.not_valid_before_utc
    assert ca.not_valid_after_utc >= cert.not_valid_after_utc


def test_aws_certificates_near_today_keep_the_2049_end(iot) -> None:
    made = iot.create_keys_and_certificate(setAsActive=True)
    cert = x509.load_pem_x509_certificate(made["certificatePem"].encode())
    assert cert.not_valid_after_utc == dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def test_scriptr_answers_after_the_clock_moved_a_century() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    headers = {"Authorization": "bearer owner-token"}
    cloud.clock.advance(CENTURY)
    made = client.post(
        "/scriptr/device/create", json={"id": "d1", "name": "d1", "password": "pw-12345"}, headers=headers
    )
    assert made.status_code == 200
    got = client.post("/scriptr/device/get", json={"id": "d1"}, headers=headers)
    assert got.status_code == 200, got.get_data()
    assert got.json["response"]["result"]["result"]["creationDate"] > "2100"


@pytest.mark.parametrize("ms", [10**20, -(10**20), 2**63, 253_402_300_800_000])
def test_scriptr_dates_out_of_datetime_range_are_clamped(ms: int) -> None:
    text = records.date(ms)
    assert text in ("9999-12-31T23:59:59+0000", "0001-01-01T00:00:00+0000")
