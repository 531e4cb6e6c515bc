"""Every kind of record the registry holds, in one list (see ``catalog`` for what each field means).

Devices and products live in the tenant's own indexes (a million devices must stay small); every
other kind is a table of JSON-able records. Field lists name what the code relies on: a snapshot
whose records break them is refused before it is restored, naming the field.
"""

from __future__ import annotations

from .catalog import (
    CASCADE,
    DEVICE,
    JSON,
    KEY,
    NULLIFY,
    PRODUCT,
    RESTRICT,
    VALUE,
    Catalog,
    Field,
    Kind,
    Link,
    Reference,
)

NONE = type(None)
TEXT = (str,)
OPTIONAL_TEXT = (str, NONE)
INT = (int,)
OPTIONAL_INT = (int, NONE)
MAP = (dict,)
OPTIONAL_MAP = (dict, NONE)
LIST = (list,)

# -- table names (the snapshot's ``tables`` keys: stable across versions) --------------------------
THING_GROUPS = "thingGroups"
GROUP_MEMBERS = "groupMembers"
BILLING_GROUPS = "billingGroups"
BILLING_MEMBERS = "billingGroupMembers"
CERTIFICATES = "certificates"
CA_CERTIFICATES = "caCertificates"
POLICIES = "policies"
EXCLUSIVE_PRINCIPALS = "exclusivePrincipals"
THING_PRINCIPALS = "thingPrincipals"
POLICY_TARGETS = "policyTargets"
USERS = "users"
ROLE_ALIASES = "roleAliases"
POLICY_VERSIONS = "policyVersions"
SHADOWS = "shadows"
SHADOW_VERSIONS = "shadowVersions"
RETAINED = "retainedMessages"
TOPIC_RULES = "topicRules"
AUTHORIZERS = "authorizers"
DOMAIN_CONFIGURATIONS = "domainConfigurations"
RULE_DESTINATIONS = "topicRuleDestinations"
JOBS = "jobs"
JOB_EXECUTIONS = "jobExecutions"
JOB_TEMPLATES = "jobTemplates"
PROVISIONING_TEMPLATES = "provisioningTemplates"
PROVISIONING_TEMPLATE_VERSIONS = "provisioningTemplateVersions"
PROVISIONING_CLAIMS = "provisioningClaims"
OWNERSHIP_TOKENS = "ownershipTokens"
CA_REGISTRATION_CONFIGS = "caRegistrationConfigs"
#: AWS IoT keeps at most five versions of a provisioning template
MAX_TEMPLATE_VERSIONS = 5

CATALOG = Catalog(
    kinds=[
        Kind(
            DEVICE,
            "devices",
            key="key",
            fields=(
                Field("id", TEXT, required=True),
                Field("key", TEXT, required=True),
                Field("product", OPTIONAL_TEXT),
                Field("name", JSON),
                Field("secret", OPTIONAL_TEXT),
                Field("attributes", OPTIONAL_MAP),
                Field("tags", OPTIONAL_MAP),
                Field("status", TEXT),
                Field("version", INT),
                Field("created", INT),
                Field("updated", INT),
                Field("extra", OPTIONAL_MAP),
            ),
            references=(Reference("product", PRODUCT, RESTRICT),),
            nouns={"aws": "Thing"},
            labels=("thingName",),
        ),
        Kind(
            PRODUCT,
            "products",
            key="key",
            fields=(
                Field("key", TEXT, required=True),
                Field("name", JSON),
                Field("quota", OPTIONAL_INT),
                Field("created", INT),
                Field("updated", INT),
                Field("attributes", MAP),
            ),
            nouns={"aws": "Thing type"},
            labels=("thingTypeName",),
        ),
        Kind(
            "thing group",
            THING_GROUPS,
            fields=(
                Field("name", TEXT, required=True),
                Field("parent", OPTIONAL_TEXT),
                Field("version", INT),
            ),
            references=(Reference("parent", "thing group", RESTRICT),),
            acyclic="parent",
            nouns={"aws": "Thing group"},
            labels=("thingGroupName",),
            in_use="Cannot delete thing group : {key} when there are still child groups attached to it",
        ),
        Kind(
            "billing group",
            BILLING_GROUPS,
            fields=(
                Field("name", TEXT, required=True),
                Field("id", TEXT, required=True),
                Field("version", INT, required=True),
                Field("properties", MAP),
                Field("created", INT),
            ),
            nouns={"aws": "Billing group"},
            labels=("billingGroupName",),
        ),
        Kind(
            "certificate",
            CERTIFICATES,
            key="id",
            fields=(
                Field("id", TEXT, required=True),
                Field("pem", TEXT, required=True),
                Field("status", TEXT, required=True),
            ),
            nouns={"aws": "Certificate"},
            labels=("certificateId",),
        ),
        # a CA certificate registered by its owner (RegisterCACertificate); device certificates
        # registered under it keep its id (``caCertificateId``) even once it is gone, as a
        # certificate's ``caCertificateId`` is history, not a live link ([I] in the README)
        Kind(
            "ca certificate",
            CA_CERTIFICATES,
            key="id",
            fields=(
                Field("id", TEXT, required=True),
                Field("pem", TEXT, required=True),
                Field("status", TEXT, required=True),
                Field("autoRegistrationStatus", TEXT, required=True),
                Field("certificateMode", TEXT, required=True),
                Field("subject", TEXT, required=True),
            ),
            nouns={"aws": "CA certificate"},
            labels=("caCertificateId",),
        ),
        Kind(
            "policy",
            POLICIES,
            fields=(Field("name", TEXT, required=True), Field("document", TEXT, required=True)),
            nouns={"aws": "Policy"},
            labels=("policyName",),
        ),
        Kind(
            "exclusive principal",
            EXCLUSIVE_PRINCIPALS,
            key=None,
            objects=False,
            references=(Reference(VALUE, DEVICE, CASCADE),),
        ),
        Kind("user", USERS, key=None, fields=(Field("version", INT), Field("tokens", LIST))),
        Kind(
            "role alias",
            ROLE_ALIASES,
            fields=(
                Field("name", TEXT, required=True),
                Field("roleArn", TEXT, required=True),
                Field("duration", INT, required=True),
                Field("created", INT),
                Field("updated", INT),
                Field("tags", LIST),
            ),
            nouns={"aws": "Role alias"},
            labels=("roleAlias",),
        ),
        Kind(
            "topic rule",
            TOPIC_RULES,
            fields=(
                Field("name", TEXT, required=True),
                Field("sql", TEXT, required=True),
                Field("topic", TEXT, required=True),
                Field("actions", LIST, required=True),
                Field("disabled", (bool,)),
                Field("sqlVersion", TEXT),
                Field("description", OPTIONAL_TEXT),
                Field("errorAction", OPTIONAL_MAP),
                Field("created", INT),
                Field("tags", LIST),
            ),
            nouns={"aws": "Topic rule"},
            labels=("ruleName",),
        ),
        Kind(
            "authorizer",
            AUTHORIZERS,
            fields=(
                Field("name", TEXT, required=True),
                Field("functionArn", TEXT, required=True),
                Field("status", TEXT, required=True),
                Field("default", (bool,)),
                Field("tokenKeyName", OPTIONAL_TEXT),
                Field("publicKeys", MAP),
                Field("signingDisabled", (bool,)),
                Field("cachingForHttp", (bool,)),
                Field("created", INT),
                Field("updated", INT),
                Field("tags", LIST),
            ),
            nouns={"aws": "Authorizer"},
            labels=("authorizerName",),
        ),
        Kind(
            "domain configuration",
            DOMAIN_CONFIGURATIONS,
            fields=(
                Field("name", TEXT, required=True),
                Field("id", TEXT),
                Field("domainName", OPTIONAL_TEXT),
                Field("domainType", TEXT, required=True),
                Field("serviceType", TEXT, required=True),
                Field("status", TEXT, required=True),
                Field("authorizer", OPTIONAL_TEXT),
                Field("allowOverride", (bool, NONE)),
                Field("certificates", LIST),
                Field("settings", MAP),
                Field("changed", INT),
                Field("tags", LIST),
            ),
            references=(Reference("authorizer", "authorizer", RESTRICT),),
            nouns={"aws": "Domain configuration"},
            labels=("domainConfigurationName",),
            in_use="Authorizer {key} cannot be deleted: a domain configuration uses it",
        ),
        Kind(
            "topic rule destination",
            RULE_DESTINATIONS,
            key="id",
            fields=(
                Field("id", TEXT, required=True),
                Field("type", TEXT, required=True),
                Field("status", TEXT, required=True),
                Field("config", MAP, required=True),
                Field("token", OPTIONAL_TEXT),
                Field("confirmed", (bool,)),
                Field("created", INT),
                Field("updated", INT),
            ),
            nouns={"aws": "Topic rule destination"},
        ),
        Kind(
            "policy version",
            POLICY_VERSIONS,
            key=None,
            fields=(
                Field("policyName", TEXT, required=True),
                Field("versionId", TEXT, required=True),
                Field("document", TEXT, required=True),
            ),
            references=(Reference("policyName", "policy", CASCADE),),
            nouns={"aws": "Policy version"},
        ),
        # keyed by thing name, registered or not: the Device Shadow service does not require a
        # registry entry, and a thing's deletion leaves its shadows (hence no reference)
        Kind("shadow", SHADOWS, key=None),
        Kind("shadow version", SHADOW_VERSIONS, key=None),
        Kind(
            "retained message",
            RETAINED,
            key="topic",
            fields=(
                Field("topic", TEXT, required=True),
                Field("payload", TEXT, required=True),
                Field("qos", INT),
                Field("lastModifiedTime", INT),
            ),
        ),
        Kind(
            "job",
            JOBS,
            key="id",
            fields=(
                Field("id", TEXT, required=True),
                Field("status", TEXT, required=True),
                Field("targets", LIST, required=True),
                Field("targetSelection", TEXT, required=True),
                Field("created", INT, required=True),
                Field("updated", INT),
                Field("completed", OPTIONAL_INT),
                Field("document", OPTIONAL_TEXT),
                Field("documentSource", OPTIONAL_TEXT),
                Field("config", MAP),
                Field("executions", INT),
            ),
            nouns={"aws": "Job"},
            labels=("jobId",),
        ),
        Kind(
            "job execution",
            JOB_EXECUTIONS,
            key=None,
            fields=(
                Field("job", TEXT, required=True),
                Field("thing", TEXT, required=True),
                Field("status", TEXT, required=True),
                Field("number", INT, required=True),
                Field("version", INT, required=True),
                Field("queued", INT, required=True),
                Field("started", OPTIONAL_INT),
                Field("updated", INT),
                Field("statusDetails", OPTIONAL_MAP),
                Field("timeout", OPTIONAL_INT),
            ),
            # a job's executions go with it (DeleteJob refuses first unless forced); a deleted
            # thing's executions go with the thing
            references=(Reference("job", "job", CASCADE), Reference("thing", DEVICE, CASCADE)),
            nouns={"aws": "Job execution"},
            ordered=False,  # read by thing, job or status (the table's indexes), then sorted
        ),
        Kind(
            "job template",
            JOB_TEMPLATES,
            key="id",
            fields=(
                Field("id", TEXT, required=True),
                Field("created", INT, required=True),
                Field("document", OPTIONAL_TEXT),
                Field("documentSource", OPTIONAL_TEXT),
                Field("config", MAP),
            ),
            nouns={"aws": "Job template"},
            labels=("jobTemplateId",),
        ),
        Kind(
            "provisioning template",
            PROVISIONING_TEMPLATES,
            fields=(
                Field("name", TEXT, required=True),
                Field("type", TEXT, required=True),
                Field("enabled", (bool,), required=True),
                Field("roleArn", TEXT, required=True),
                Field("description", OPTIONAL_TEXT),
                Field("hook", OPTIONAL_MAP),
                # the key of the default version's record: that version cannot be deleted
                Field("default", OPTIONAL_TEXT),
                Field("lastVersion", INT),
                Field("created", INT),
                Field("updated", INT),
                Field("tags", LIST),
            ),
            references=(Reference("default", "provisioning template version", RESTRICT),),
            nouns={"aws": "Provisioning template"},
            labels=("templateName",),
            in_use="{kind} {key} is the default version of its template and cannot be deleted",
        ),
        Kind(
            "provisioning template version",
            PROVISIONING_TEMPLATE_VERSIONS,
            key=None,  # "<template>:<versionId>"
            fields=(
                Field("template", TEXT, required=True),
                Field("versionId", INT, required=True),
                Field("body", TEXT, required=True),
                Field("created", INT),
            ),
            references=(
                Reference("template", "provisioning template", CASCADE, limit=MAX_TEMPLATE_VERSIONS),
            ),
            nouns={"aws": "Provisioning template version"},
        ),
        # a claim certificate (CreateProvisioningClaim) is a certificate record plus this one:
        # which template it may provision with, and until when
        Kind(
            "provisioning claim",
            PROVISIONING_CLAIMS,
            key="certificateId",
            fields=(
                Field("certificateId", TEXT, required=True),
                Field("template", TEXT, required=True),
                Field("expires", INT, required=True),
                Field("created", INT),
            ),
            references=(
                Reference(KEY, "certificate", CASCADE),
                Reference("template", "provisioning template", CASCADE),
            ),
        ),
        # fleet provisioning's certificateOwnershipToken: which new certificate a device may
        # register (RegisterThing over MQTT), until when
        Kind(
            "ownership token",
            OWNERSHIP_TOKENS,
            key="token",
            fields=(
                Field("token", TEXT, required=True),
                Field("certificateId", TEXT, required=True),
                Field("expires", INT, required=True),
            ),
            references=(Reference("certificateId", "certificate", CASCADE),),
        ),
        # a CA certificate's registrationConfig (JITP), keyed by the CA certificate's id: it goes
        # with its CA; the template it names cannot go while it does
        Kind(
            "ca registration config",
            CA_REGISTRATION_CONFIGS,
            key="caCertificateId",
            fields=(
                Field("caCertificateId", TEXT, required=True),
                Field("templateName", OPTIONAL_TEXT),
                Field("templateBody", OPTIONAL_TEXT),
                Field("roleArn", OPTIONAL_TEXT),
            ),
            references=(
                Reference(KEY, "ca certificate", CASCADE),
                Reference("templateName", "provisioning template", RESTRICT),
            ),
            in_use="{kind} {key} cannot be deleted: a CA certificate's registration config uses it",
        ),
    ],
    links=[
        Link(GROUP_MEMBERS, "thing group", DEVICE),
        Link(BILLING_MEMBERS, "billing group", DEVICE, right_limit=1),
        Link(
            THING_PRINCIPALS,
            DEVICE,
            None,
            on_delete_left=RESTRICT,
            in_use="Cannot delete. Thing {key} is still attached to one or more principals",
        ),
        Link(
            POLICY_TARGETS,
            "policy",
            None,
            on_delete_left=RESTRICT,
            in_use="The policy cannot be deleted as the policy is attached to one or more principals "
            "(name={key})",
        ),
    ],
)

__all__ = ["CASCADE", "CATALOG", "KEY", "NULLIFY", "RESTRICT", "VALUE"]
