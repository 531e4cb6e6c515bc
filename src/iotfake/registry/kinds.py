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
NUMBER = (int, float)
BOOL = (bool,)

#: times the fake's clock wrote, in ms since the epoch, as far as a client parses them: from
#: 1970-01-01 to 9999-12-30 (boto3 reads a time in the local zone, and a day short of the year
#: 10000 leaves room for any zone's offset); 2**70 was restored and every read of it failed
TIME_LOW, TIME_HIGH = 0, 253_402_214_399_999
#: a certificate's validity, in seconds, is the certificate's own: anything a datetime holds
#: (years 1 to 9999), since a registered certificate may say 99991231235959Z or a year before 1970
VALIDITY_LOW, VALIDITY_HIGH = -62_135_596_800, 253_402_300_799
#: counters the wire sends as the model's "long" (a version, a customer version)
LONG_HIGH = 2**63 - 1


def when(name: str, *, required: bool = False, null: bool = False, seconds: bool = False) -> Field:
    """A time (ms, or ``seconds`` as a number) within what clients parse; ``null``: or None."""
    types = NUMBER if seconds else INT
    return Field(
        name,
        (*types, NONE) if null else types,
        required,
        low=TIME_LOW,
        high=TIME_HIGH // 1000 if seconds else TIME_HIGH,
    )


def count(name: str, *, required: bool = False, low: int = 0) -> Field:
    return Field(name, INT, required, low=low, high=LONG_HIGH)


#: a resource's tags as the wire carries them: [{"Key": ..., "Value": ...}]
TAGS = Field(
    "tags", LIST, items=Field("tag", MAP, fields=(Field("Key", TEXT, True), Field("Value", OPTIONAL_TEXT)))
)
#: bytes kept as text (a retained message's payload): standard base64, padded
BASE64 = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
#: a version id the code reads as a number ("1", "2", ...)
VERSION_ID = r"[0-9]{1,18}"

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

#: what every certificate (a device's, a CA's) holds, as DescribeCertificate answers it
CERTIFICATE_FIELDS = (
    when("created", required=True),
    when("updated", required=True),
    Field("generationId", TEXT, required=True),
    count("customerVersion", required=True),
    Field("ownedBy", TEXT, required=True),
    Field("notBefore", NUMBER, required=True, low=VALIDITY_LOW, high=VALIDITY_HIGH),
    Field("notAfter", NUMBER, required=True, low=VALIDITY_LOW, high=VALIDITY_HIGH),
)
#: a topic rule action: {action type: its settings}
ACTION = Field("action", MAP, values=Field("settings", MAP))
#: one shadow of a thing: the Device Shadow document as stored (state and metadata by section)
_SECTIONS = tuple(Field(name, OPTIONAL_MAP) for name in ("desired", "reported"))
SHADOW = Field(
    "shadow",
    MAP,
    fields=(
        Field("state", OPTIONAL_MAP, fields=_SECTIONS),
        Field("metadata", OPTIONAL_MAP, fields=_SECTIONS),
        count("version", required=True),
        when("timestamp", required=True, seconds=True),
    ),
)

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
                Field("id", TEXT, required=True),
                Field("parent", OPTIONAL_TEXT),
                count("version", required=True),
                when("created", required=True),
                when("updated"),
                Field(
                    "properties",
                    MAP,
                    fields=(
                        Field("thingGroupDescription", OPTIONAL_TEXT),
                        Field(
                            "attributePayload",
                            OPTIONAL_MAP,
                            fields=(Field("attributes", OPTIONAL_MAP, values=Field("value", TEXT)),),
                        ),
                    ),
                ),
                # a dynamic group's query (older versions wrote none: every group was static)
                Field(
                    "dynamic",
                    OPTIONAL_MAP,
                    fields=(
                        Field("queryString", TEXT, required=True),
                        Field("indexName", TEXT),
                        Field("queryVersion", TEXT),
                    ),
                ),
                TAGS,
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
                count("version", required=True),
                Field("properties", MAP, fields=(Field("billingGroupDescription", OPTIONAL_TEXT),)),
                when("created"),
                TAGS,
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
                *CERTIFICATE_FIELDS,
                Field("caCertificateId", OPTIONAL_TEXT),
                Field("certificateMode", TEXT),
                Field("previousOwnedBy", OPTIONAL_TEXT),
                # while it is offered to another account (TransferCertificate)
                Field(
                    "transfer",
                    MAP,
                    fields=(
                        Field("to", TEXT, required=True),
                        when("transferDate", required=True),
                        Field("transferMessage", OPTIONAL_TEXT),
                    ),
                ),
                # what happened to its last transfer
                Field(
                    "transferData",
                    MAP,
                    fields=(
                        when("transferDate"),
                        when("acceptDate"),
                        when("rejectDate"),
                        Field("transferMessage", OPTIONAL_TEXT),
                        Field("rejectReason", OPTIONAL_TEXT),
                    ),
                ),
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
                *CERTIFICATE_FIELDS,
                TAGS,
            ),
            nouns={"aws": "CA certificate"},
            labels=("caCertificateId",),
        ),
        Kind(
            "policy",
            POLICIES,
            fields=(
                Field("name", TEXT, required=True),
                Field("document", TEXT, required=True),
                when("created", required=True),
                when("updated", required=True),
                Field("generationId", TEXT, required=True),
                Field("defaultVersionId", TEXT, required=True, pattern=VERSION_ID),
                count("lastVersionId"),  # the last version id given (older versions: none)
                TAGS,
            ),
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
                when("created"),
                when("updated"),
                TAGS,
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
                # each action names one action type and its settings: {"republish": {...}}
                Field("actions", LIST, required=True, items=ACTION),
                Field("disabled", (bool,)),
                Field("sqlVersion", TEXT),
                Field("description", OPTIONAL_TEXT),
                Field("errorAction", OPTIONAL_MAP, values=ACTION.values),
                when("created"),
                TAGS,
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
                Field("publicKeys", MAP, values=Field("key", TEXT)),
                Field("signingDisabled", (bool,), required=True),
                Field("cachingForHttp", (bool,)),
                when("created"),
                when("updated"),
                TAGS,
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
                Field("domainName", OPTIONAL_TEXT, required=True),
                Field("domainType", TEXT, required=True),
                Field("serviceType", TEXT, required=True, pattern="DATA|CREDENTIAL_PROVIDER|JOBS"),
                Field("status", TEXT, required=True),
                Field("authorizer", OPTIONAL_TEXT),
                Field("allowOverride", (bool, NONE)),
                Field("certificates", LIST, required=True, items=Field("arn", TEXT)),
                Field("settings", MAP),
                when("changed"),
                TAGS,
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
                when("created"),
                when("updated"),
            ),
            nouns={"aws": "Topic rule destination"},
        ),
        Kind(
            "policy version",
            POLICY_VERSIONS,
            key=None,
            fields=(
                Field("policyName", TEXT, required=True),
                Field("versionId", TEXT, required=True, pattern=VERSION_ID),
                Field("document", TEXT, required=True),
                when("created", required=True),
                Field("generationId", TEXT, required=True),
            ),
            references=(Reference("policyName", "policy", CASCADE),),
            nouns={"aws": "Policy version"},
        ),
        # keyed by thing name, registered or not: the Device Shadow service does not require a
        # registry entry, and a thing's deletion leaves its shadows (hence no reference)
        Kind("shadow", SHADOWS, key=None, values=SHADOW),
        # the last version of each shadow of a thing, kept after a delete
        Kind("shadow version", SHADOW_VERSIONS, key=None, values=count("version")),
        Kind(
            "retained message",
            RETAINED,
            key="topic",
            fields=(
                Field("topic", TEXT, required=True),
                Field("payload", TEXT, required=True, pattern=BASE64),  # the bytes, in base64
                Field("qos", INT, required=True, low=0, high=2),
                when("lastModifiedTime", required=True),
            ),
        ),
        Kind(
            "job",
            JOBS,
            key="id",
            fields=(
                Field("id", TEXT, required=True),
                Field("status", TEXT, required=True),
                Field("targets", LIST, required=True, items=Field("arn", TEXT)),
                Field("targetSelection", TEXT, required=True),
                when("created", required=True),
                when("updated", required=True),
                when("completed", null=True),
                Field("document", OPTIONAL_TEXT),
                Field("documentSource", OPTIONAL_TEXT),
                # CreateJob's settings as it was given them (the provider checks what is inside)
                Field("config", MAP, required=True),
                count("executions"),
                Field("forceCanceled", (bool, NONE)),
                Field("reasonCode", OPTIONAL_TEXT),
                Field("comment", OPTIONAL_TEXT),
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
                count("number", required=True),
                count("version", required=True),
                when("queued", required=True),
                when("started", null=True),
                when("updated", required=True),
                Field("statusDetails", OPTIONAL_MAP, values=Field("detail", TEXT)),
                when("timeout", null=True),  # the device's step timeout, when it ends
                Field("forceCanceled", (bool, NONE)),
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
                when("created", required=True),
                Field("document", OPTIONAL_TEXT),
                Field("documentSource", OPTIONAL_TEXT),
                Field("config", MAP, required=True),
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
                # the key of the default version's record ("<template>:<version id>"): that
                # version cannot be deleted
                Field("default", TEXT, required=True, pattern=r".*:[0-9]{1,18}"),
                count("lastVersion"),
                when("created", required=True),
                when("updated", required=True),
                TAGS,
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
                count("versionId", required=True),
                Field("body", TEXT, required=True),
                when("created", required=True),
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
                when("expires", required=True),
                when("created"),
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
                when("expires", required=True),
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
