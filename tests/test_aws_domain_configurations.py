"""Custom authorizers and domain configurations through boto3: records, AWS's rules (signing needs
keys, ACTIVE authorizers are not deleted, ENABLED configurations are not deleted), the catalog's
reference from a configuration to its authorizer, the account's endpoint configurations, paging."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud
from iotfake.registry.integrity import SnapshotError

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:auth"
KEYS = {"k1": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"}
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"
PREFIX = "arn:aws:iot:us-east-1:123456789012:"


def make_authorizer(iot, name: str = "auth", **extra) -> dict:
    return iot.create_authorizer(
        authorizerName=name,
        authorizerFunctionArn=FUNCTION,
        tokenKeyName="token",
        tokenSigningPublicKeys=KEYS,
        **extra,
    )


def test_authorizer_lifecycle(iot) -> None:
    made = conforms("CreateAuthorizer", make_authorizer(iot))
    assert made["authorizerArn"] == PREFIX + "authorizer/auth"
    found = conforms("DescribeAuthorizer", iot.describe_authorizer(authorizerName="auth"))[
        "authorizerDescription"
    ]
    assert (found["status"], found["tokenKeyName"], found["tokenSigningPublicKeys"]) == (
        "ACTIVE",
        "token",
        KEYS,
    )
    assert found["signingDisabled"] is False
    iot.update_authorizer(authorizerName="auth", tokenKeyName="other")
    assert iot.describe_authorizer(authorizerName="auth")["authorizerDescription"]["tokenKeyName"] == "other"
    with pytest.raises(iot.exceptions.DeleteConflictException, match="ACTIVE"):
        iot.delete_authorizer(authorizerName="auth")
    iot.update_authorizer(authorizerName="auth", status="INACTIVE")
    iot.delete_authorizer(authorizerName="auth")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Authorizer auth cannot be found"):
        iot.describe_authorizer(authorizerName="auth")


def test_authorizer_rules(iot) -> None:
    with pytest.raises(
        iot.exceptions.InvalidRequestException, match="tokenKeyName and tokenSigningPublicKeys"
    ):
        iot.create_authorizer(authorizerName="a", authorizerFunctionArn=FUNCTION)
    iot.create_authorizer(authorizerName="a", authorizerFunctionArn=FUNCTION, signingDisabled=True)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        make_authorizer(iot, "a")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_default_authorizer()
    assert iot.set_default_authorizer(authorizerName="a")["authorizerName"] == "a"
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.set_default_authorizer(authorizerName="a")
    make_authorizer(iot, "b", status="INACTIVE")
    iot.set_default_authorizer(authorizerName="b")
    default = conforms("DescribeDefaultAuthorizer", iot.describe_default_authorizer())
    assert default["authorizerDescription"]["authorizerName"] == "b"
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.set_default_authorizer(authorizerName="nope")


def test_authorizer_listing(iot, aws_cloud: FakeCloud) -> None:
    for i in range(5):
        make_authorizer(iot, f"a{i}", status="INACTIVE" if i % 2 else "ACTIVE")
        aws_cloud.clock.advance(1)
    pages = iot.get_paginator("list_authorizers").paginate(PaginationConfig={"PageSize": 2})
    assert [a["authorizerName"] for p in pages for a in p["authorizers"]] == ["a4", "a3", "a2", "a1", "a0"]
    listed = conforms("ListAuthorizers", iot.list_authorizers(ascendingOrder=True, status="INACTIVE"))
    assert [a["authorizerName"] for a in listed["authorizers"]] == ["a1", "a3"]


def test_domain_configuration_lifecycle(iot, aws_cloud: FakeCloud) -> None:
    make_authorizer(iot)
    made = conforms(
        "CreateDomainConfiguration",
        iot.create_domain_configuration(
            domainConfigurationName="custom",
            domainName="iot.example.com",
            serverCertificateArns=[CERT],
            authorizerConfig={"defaultAuthorizerName": "auth", "allowAuthorizerOverride": True},
            tlsConfig={"securityPolicy": "IoTSecurityPolicy_TLS13_1_2_2022_10"},
        ),
    )
    assert made["domainConfigurationArn"].startswith(PREFIX + "domainconfiguration/custom/")
    found = conforms(
        "DescribeDomainConfiguration", iot.describe_domain_configuration(domainConfigurationName="custom")
    )
    assert found["domainName"] == "iot.example.com"
    assert found["domainType"] == "CUSTOMER_MANAGED"
    assert found["serviceType"] == "DATA"
    assert found["domainConfigurationStatus"] == "ENABLED"
    assert found["serverCertificates"] == [{"serverCertificateArn": CERT, "serverCertificateStatus": "VALID"}]
    assert found["authorizerConfig"] == {"defaultAuthorizerName": "auth", "allowAuthorizerOverride": True}
    assert found["tlsConfig"] == {"securityPolicy": "IoTSecurityPolicy_TLS13_1_2_2022_10"}
    # the authorizer is in use: INACTIVE is not enough to delete it
    iot.update_authorizer(authorizerName="auth", status="INACTIVE")
    with pytest.raises(iot.exceptions.DeleteConflictException, match="domain configuration"):
        iot.delete_authorizer(authorizerName="auth")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="disable it"):
        iot.delete_domain_configuration(domainConfigurationName="custom")
    aws_cloud.clock.advance(5)
    iot.update_domain_configuration(
        domainConfigurationName="custom", domainConfigurationStatus="DISABLED", removeAuthorizerConfig=True
    )
    found = iot.describe_domain_configuration(domainConfigurationName="custom")
    assert found["domainConfigurationStatus"] == "DISABLED"
    assert "authorizerConfig" not in found
    iot.delete_authorizer(authorizerName="auth")  # no longer referenced
    iot.delete_domain_configuration(domainConfigurationName="custom")
    with pytest.raises(
        iot.exceptions.ResourceNotFoundException, match="Domain configuration custom cannot be found"
    ):
        iot.describe_domain_configuration(domainConfigurationName="custom")


def test_domain_configuration_rules(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException, match="Authorizer nope does not exist"):
        iot.create_domain_configuration(
            domainConfigurationName="d", authorizerConfig={"defaultAuthorizerName": "nope"}
        )
    with pytest.raises(iot.exceptions.InvalidRequestException, match="serverCertificateArns"):
        iot.create_domain_configuration(domainConfigurationName="d", domainName="iot.example.com")
    made = iot.create_domain_configuration(domainConfigurationName="d", serviceType="JOBS")
    found = iot.describe_domain_configuration(domainConfigurationName="d")
    assert found["domainType"] == "AWS_MANAGED"
    assert found["domainName"] == iot.describe_endpoint(endpointType="iot:Jobs")["endpointAddress"]
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_domain_configuration(domainConfigurationName="d")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_domain_configuration(
            domainConfigurationName="d", authorizerConfig={"defaultAuthorizerName": "nope"}
        )
    assert made["domainConfigurationName"] == "d"


def test_the_accounts_endpoints_are_listed_as_configurations(iot) -> None:
    ats = iot.describe_domain_configuration(domainConfigurationName="iot:Data-ATS")
    assert ats["domainType"] == "ENDPOINT"
    assert ats["domainName"] == iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.delete_domain_configuration(domainConfigurationName="iot:Data-ATS")
    for i in range(4):
        iot.create_domain_configuration(domainConfigurationName=f"d{i}")
    listed = conforms("ListDomainConfigurations", iot.list_domain_configurations())
    names = [d["domainConfigurationName"] for d in listed["domainConfigurations"]]
    assert names == ["d0", "d1", "d2", "d3", "iot:CredentialProvider", "iot:Data-ATS", "iot:Jobs"]
    pages = iot.get_paginator("list_domain_configurations").paginate(
        serviceType="DATA", PaginationConfig={"PageSize": 2}
    )
    assert [d["domainConfigurationName"] for p in pages for d in p["domainConfigurations"]] == [
        "d0", "d1", "d2", "d3", "iot:Data-ATS"
    ]  # fmt: skip


def test_authorizers_and_configurations_survive_a_snapshot(iot, aws_cloud: FakeCloud) -> None:
    make_authorizer(iot)
    iot.create_domain_configuration(
        domainConfigurationName="d", authorizerConfig={"defaultAuthorizerName": "auth"}
    )
    copy = FakeCloud.from_snapshot(aws_cloud.snapshot())
    tenant = copy.registry.tenant("aws", "123456789012/us-east-1")
    assert tenant.table("domainConfigurations")["d"]["authorizer"] == "auth"
    assert tenant.table("authorizers")["auth"]["publicKeys"] == KEYS
    broken = aws_cloud.snapshot()
    tenant_state = next(t for t in broken["registry"]["tenants"] if "authorizers" in t["tables"])
    del tenant_state["tables"]["authorizers"]["auth"]
    with pytest.raises(SnapshotError, match=r"domainConfigurations\.d\.authorizer: no authorizer 'auth'"):
        FakeCloud.from_snapshot(broken)  # a configuration naming a missing authorizer is refused
