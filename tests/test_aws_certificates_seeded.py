"""A seed reproduces ids, keys and secrets - except certificates' key pairs, and so their ids.

AWS issues real RSA-2048 key pairs, and the fake does too, from OpenSSL's generator through a
background pool (``keypool``): ``cryptography`` cannot draw a key from a seed, and a seeded key
made in Python costs ~370 ms median (up to a second) on the request path against ~35 ms in the
background. So a certificate's key pair is random whatever the seed, like real key generation;
its ``certificateId`` (the SHA-256 of the certificate, which holds the public key) with it. What
these tests pin: two clouds with one seed never hand out the same key, and what surrounds the
certificate (things, their ids) still reproduces.
"""

from __future__ import annotations

import pytest
from aws_helpers import in_process

from iotfake import FakeCloud


def issue(cloud: FakeCloud) -> tuple[str, str]:
    answer = in_process(cloud).create_keys_and_certificate(setAsActive=True)
    return answer["certificateId"], answer["keyPair"]["PrivateKey"]


@pytest.mark.parametrize("algorithm", ["RSA_2048", "EC_P256"])
def test_two_clouds_with_one_seed_never_share_a_certificate_key(algorithm: str) -> None:
    # not under freeze_time: cryptography's first use inside one breaks every later certificate
    # of the process (its compiled side keeps freezegun's datetime class)
    clouds = [FakeCloud(seed=7), FakeCloud(seed=7)]
    for cloud in clouds:
        cloud.seed({"aws": {"accounts": [{"accountId": "123456789012", "keyAlgorithm": algorithm}]}})
    (first_id, first_key), (second_id, second_key) = (issue(cloud) for cloud in clouds)
    assert first_key != second_key
    assert first_id != second_id


def test_a_reset_seeded_cloud_issues_new_keys() -> None:
    cloud = FakeCloud(seed=7)
    before = issue(cloud)
    cloud.reset()
    assert issue(cloud)[1] != before[1]


def test_what_surrounds_a_certificate_still_reproduces() -> None:
    def run() -> tuple[str, str]:
        cloud = FakeCloud(seed=7)
        iot = in_process(cloud)
        iot.create_keys_and_certificate(setAsActive=True)
        thing = iot.create_thing(thingName="meter-1")
        return thing["thingId"], iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]

    assert run() == run()
