"""Operation name -> handler, for operations of ``model.OPERATIONS`` (a test checks).

Handlers run under the registry lock, so a listing never sees a half-made change and a
read-check-write is atomic; handlers are sub-millisecond. The ones that do cryptography
(key generation, CSR signing) take the lock themselves, only around their registry work.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from . import (
    authorization,
    authorizers,
    billing_groups,
    ca_certificates,
    certificate_transfers,
    certificates,
    connections,
    domain_configurations,
    dynamic_groups,
    endpoints,
    event_configurations,
    job_templates,
    jobs,
    jobs_data,
    logging_options,
    messages,
    policies,
    policy_versions,
    principals,
    provisioning_claims,
    provisioning_templates,
    register,
    role_aliases,
    rule_destinations,
    shadows,
    tags,
    thing_groups,
    thing_types,
    things,
    topic_rules,
)
from .context import Context
from .indexing import aggregate
from .indexing import search as indexing
from .model import OPERATIONS, SHAPES

Handler = Callable[[Context], dict[str, Any] | None]

#: handlers that take the lock themselves, only around their registry work: the ones that
#: generate keys or sign, and the ones that walk a whole fleet (they copy what they read under
#: the lock and work outside it, so no hold grows with the state: bench/locks.py)
UNLOCKED = frozenset(
    {
        "CreateKeysAndCertificate",
        "CreateCertificateFromCsr",
        "RegisterThing",
        "ListThings",
        "SearchIndex",
        "CreateProvisioningClaim",
        # they wait on the MQTT broker's loop, which may need the registry meanwhile
        "GetConnection",
        "DeleteConnection",
        "ListSubscriptions",
        "SendDirectMessage",
        "GetThingConnectivityData",
    }
)


def locked(handler: Handler) -> Handler:
    @wraps(handler)
    def run(ctx: Context) -> dict[str, Any] | None:
        with ctx.tenant.lock:
            return handler(ctx)

    return run


_HANDLERS: dict[str, Handler] = {
    "CreateThing": things.create,
    "DescribeThing": things.describe,
    "ListThings": things.listing,
    "UpdateThing": things.update,
    "DeleteThing": things.delete,
    "CreateThingType": thing_types.create,
    "DescribeThingType": thing_types.describe,
    "ListThingTypes": thing_types.listing,
    "UpdateThingType": thing_types.update,
    "DeprecateThingType": thing_types.deprecate,
    "DeleteThingType": thing_types.delete,
    "CreateThingGroup": thing_groups.create,
    "DescribeThingGroup": thing_groups.describe,
    "ListThingGroups": thing_groups.listing,
    "DeleteThingGroup": thing_groups.delete,
    "AddThingToThingGroup": thing_groups.add_thing,
    "RemoveThingFromThingGroup": thing_groups.remove_thing,
    "ListThingsInThingGroup": thing_groups.things_in,
    "ListThingGroupsForThing": thing_groups.groups_for_thing,
    "CreateKeysAndCertificate": certificates.create_keys,
    "CreateCertificateFromCsr": certificates.create_from_csr,
    "DescribeCertificate": certificates.describe,
    "ListCertificates": certificates.listing,
    "UpdateCertificate": certificates.update,
    "DeleteCertificate": certificates.delete,
    "RegisterCertificate": certificates.register,
    "RegisterCertificateWithoutCA": certificates.register_without_ca,
    "ListCertificatesByCA": certificates.listing_by_ca,
    "TransferCertificate": certificate_transfers.transfer,
    "AcceptCertificateTransfer": certificate_transfers.accept,
    "RejectCertificateTransfer": certificate_transfers.reject,
    "CancelCertificateTransfer": certificate_transfers.cancel,
    "ListOutgoingCertificates": certificate_transfers.outgoing,
    "RegisterCACertificate": ca_certificates.register,
    "DescribeCACertificate": ca_certificates.describe,
    "ListCACertificates": ca_certificates.listing,
    "UpdateCACertificate": ca_certificates.update,
    "DeleteCACertificate": ca_certificates.delete,
    "GetRegistrationCode": ca_certificates.get_registration_code,
    "DeleteRegistrationCode": ca_certificates.delete_registration_code,
    "CreatePolicy": policies.create,
    "GetPolicy": policies.get,
    "ListPolicies": policies.listing,
    "DeletePolicy": policy_versions.delete_policy,
    "AttachPolicy": policies.attach,
    "DetachPolicy": policies.detach,
    "ListAttachedPolicies": policies.attached,
    "ListTargetsForPolicy": policies.targets,
    "GetEffectivePolicies": authorization.effective,
    "TestAuthorization": authorization.simulate,
    "AttachThingPrincipal": principals.attach,
    "DetachThingPrincipal": principals.detach,
    "ListThingPrincipals": principals.of_thing,
    "ListPrincipalThings": principals.things_of,
    "ListThingPrincipalsV2": principals.of_thing_v2,
    "ListPrincipalThingsV2": principals.things_of_v2,
    "RegisterThing": register.register,
    "DescribeEndpoint": endpoints.describe,
    "CreatePolicyVersion": policy_versions.create,
    "GetPolicyVersion": policy_versions.get,
    "ListPolicyVersions": policy_versions.listing,
    "DeletePolicyVersion": policy_versions.delete,
    "SetDefaultPolicyVersion": policy_versions.set_default,
    "AttachPrincipalPolicy": policy_versions.attach_principal,
    "DetachPrincipalPolicy": policy_versions.detach_principal,
    "ListPrincipalPolicies": policy_versions.principal_policies,
    "ListPolicyPrincipals": policy_versions.policy_principals,
    "GetThingShadow": shadows.get,
    "UpdateThingShadow": shadows.update,
    "DeleteThingShadow": shadows.delete,
    "ListNamedShadowsForThing": shadows.named,
    "Publish": messages.publish,
    "GetRetainedMessage": messages.get_retained,
    "ListRetainedMessages": messages.list_retained,
    "GetConnection": connections.get,
    "DeleteConnection": connections.delete,
    "ListSubscriptions": connections.subscriptions,
    "SendDirectMessage": connections.send,
    "GetThingConnectivityData": connections.thing_connectivity,
    "CreateBillingGroup": billing_groups.create,
    "DescribeBillingGroup": billing_groups.describe,
    "UpdateBillingGroup": billing_groups.update,
    "DeleteBillingGroup": billing_groups.delete,
    "ListBillingGroups": billing_groups.listing,
    "AddThingToBillingGroup": billing_groups.add_thing,
    "RemoveThingFromBillingGroup": billing_groups.remove_thing,
    "ListThingsInBillingGroup": billing_groups.things_in,
    "SearchIndex": indexing.search,
    "GetIndexingConfiguration": indexing.get_configuration,
    "DescribeEventConfigurations": event_configurations.describe,
    "UpdateEventConfigurations": event_configurations.update,
    "UpdateIndexingConfiguration": indexing.update_configuration,
    "DescribeIndex": indexing.describe_index,
    "ListIndices": indexing.list_indices,
    "GetStatistics": aggregate.statistics,
    "GetCardinality": aggregate.cardinality,
    "GetPercentiles": aggregate.percentiles,
    "GetBucketsAggregation": aggregate.buckets,
    "CreateRoleAlias": role_aliases.create,
    "DescribeRoleAlias": role_aliases.describe,
    "ListRoleAliases": role_aliases.listing,
    "UpdateRoleAlias": role_aliases.update,
    "DeleteRoleAlias": role_aliases.delete,
    "CreateTopicRule": topic_rules.create,
    "GetTopicRule": topic_rules.get,
    "ListTopicRules": topic_rules.listing,
    "ReplaceTopicRule": topic_rules.replace,
    "EnableTopicRule": topic_rules.enable,
    "DisableTopicRule": topic_rules.disable,
    "DeleteTopicRule": topic_rules.delete,
    "TagResource": tags.tag,
    "UntagResource": tags.untag,
    "ListTagsForResource": tags.listing,
    "CreateAuthorizer": authorizers.create,
    "DescribeAuthorizer": authorizers.describe,
    "ListAuthorizers": authorizers.listing,
    "UpdateAuthorizer": authorizers.update,
    "DeleteAuthorizer": authorizers.delete,
    "SetDefaultAuthorizer": authorizers.set_default,
    "DescribeDefaultAuthorizer": authorizers.describe_default,
    "CreateDomainConfiguration": domain_configurations.create,
    "DescribeDomainConfiguration": domain_configurations.describe,
    "ListDomainConfigurations": domain_configurations.listing,
    "UpdateDomainConfiguration": domain_configurations.update,
    "DeleteDomainConfiguration": domain_configurations.delete,
    "CreateTopicRuleDestination": rule_destinations.create,
    "GetTopicRuleDestination": rule_destinations.get,
    "ListTopicRuleDestinations": rule_destinations.listing,
    "UpdateTopicRuleDestination": rule_destinations.update,
    "DeleteTopicRuleDestination": rule_destinations.delete,
    "ConfirmTopicRuleDestination": rule_destinations.confirm,
    "CreateJob": jobs.create,
    "DescribeJob": jobs.describe,
    "ListJobs": jobs.listing,
    "UpdateJob": jobs.update,
    "AssociateTargetsWithJob": jobs.associate,
    "CancelJob": jobs.cancel,
    "DeleteJob": jobs.delete,
    "GetJobDocument": jobs.document,
    "DescribeJobExecution": jobs.describe_execution,
    "ListJobExecutionsForJob": jobs.for_job,
    "ListJobExecutionsForThing": jobs.for_thing,
    "CancelJobExecution": jobs.cancel_execution,
    "DeleteJobExecution": jobs.delete_execution,
    "CreateJobTemplate": job_templates.create,
    "DescribeJobTemplate": job_templates.describe,
    "ListJobTemplates": job_templates.listing,
    "DeleteJobTemplate": job_templates.delete,
    "jobsdata:GetPendingJobExecutions": jobs_data.pending,
    "jobsdata:StartNextPendingJobExecution": jobs_data.start_next,
    "jobsdata:DescribeJobExecution": jobs_data.describe,
    "jobsdata:UpdateJobExecution": jobs_data.update,
    "UpdateThingGroup": thing_groups.update,
    "CreateDynamicThingGroup": dynamic_groups.create,
    "UpdateDynamicThingGroup": dynamic_groups.update,
    "DeleteDynamicThingGroup": dynamic_groups.delete,
    "UpdateThingGroupsForThing": thing_groups.update_for_thing,
    "CreateProvisioningTemplate": provisioning_templates.create,
    "DescribeProvisioningTemplate": provisioning_templates.describe,
    "ListProvisioningTemplates": provisioning_templates.listing,
    "UpdateProvisioningTemplate": provisioning_templates.update,
    "DeleteProvisioningTemplate": provisioning_templates.delete,
    "CreateProvisioningTemplateVersion": provisioning_templates.create_version,
    "DescribeProvisioningTemplateVersion": provisioning_templates.describe_version,
    "ListProvisioningTemplateVersions": provisioning_templates.list_versions,
    "DeleteProvisioningTemplateVersion": provisioning_templates.delete_version,
    "CreateProvisioningClaim": provisioning_claims.create,
    "GetLoggingOptions": logging_options.get_v1,
    "SetLoggingOptions": logging_options.set_v1,
    "GetV2LoggingOptions": logging_options.get_v2,
    "SetV2LoggingOptions": logging_options.set_v2,
    "SetV2LoggingLevel": logging_options.set_level,
    "ListV2LoggingLevels": logging_options.list_levels,
    "DeleteV2LoggingLevel": logging_options.delete_level,
}


def _tagged(name: str) -> bool:
    """Whether the operation creates a resource with a ``tags`` list (AWS's Tag shapes)."""
    shape = OPERATIONS[name]["input"]
    member = SHAPES[shape]["members"].get("tags") if shape else None
    return name != "TagResource" and member is not None and SHAPES[member["shape"]]["type"] == "list"


_CHECKED = {name: tags.on_create(name, h) if _tagged(name) else h for name, h in _HANDLERS.items()}
HANDLERS: dict[str, Handler] = {
    name: handler if name in UNLOCKED else locked(handler) for name, handler in _CHECKED.items()
}
