"""AWS IoT Core, spoken as botocore speaks it: rest-json, SigV4, the registry (``iot``) and the data
plane (``iot-data``) on one port.

Routes, input locations, validation rules and error statuses all come from the generated models
(``model.py``), so ``boto3.client("iot", endpoint_url=...)`` and ``boto3.client("iot-data", ...)``
work unmodified. Operations of both services can share a method and path (and ``iot-jobs-data``
shares ``iot``'s paths outright), so a route names candidates and the SigV4 signing service picks
among them. Operations the models know but the fake does not serve answer ``501
NotImplementedException`` naming the operation, rather than a confusing 404.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request

from ...registry import Tenant
from ...registry import errors as domain
from ...registry.kinds import CATALOG
from ...reply import Reply
from ..base import Call, Provider, ProviderError, decode_json_body
from . import arns, auth, wire
from .context import Context
from .model import (
    CONTROL,
    JOBS_PREFIX,
    JOBS_SERVICE,
    OPERATIONS,
    PUBLIC_NAMES,
    is_error,
    model_key,
    public_name,
)
from .validation import Problems, validate
from .wire import AwsError, invalid

if TYPE_CHECKING:
    from ...cloud import FakeCloud
    from ...operations import Declared

#: request members that are too large or too secret to journal or match on
UNJOURNALED = frozenset({"templateBody", "policyDocument", "certificateSigningRequest", "certificatePem"})
#: the body values a call's params keep (a tuple: ``str | int`` makes a new union on every call)
_SCALARS = (str, int, float, bool)


@cache
def routes() -> dict[str, list[str]]:
    """Endpoint -> operations sharing its method and path (most literal query parts first)."""
    table: dict[str, list[str]] = defaultdict(list)
    for name, op in OPERATIONS.items():
        table[f"{op['method']} {op['rule']}"].append(name)
    for names in table.values():
        names.sort(key=lambda n: -len(OPERATIONS[n]["query"]))
    return dict(table)


@cache
def handler_map() -> dict[str, Callable[[Context], dict[str, Any] | None]]:
    """Operation -> handler, imported on first use (the handlers import this package) and then
    kept: an import statement on every call cost a microsecond."""
    from .handlers import HANDLERS

    return HANDLERS


@cache
def _unlocked() -> frozenset[str]:
    """The handlers that take the lock themselves (see ``handlers.UNLOCKED``), imported once."""
    from .handlers import UNLOCKED

    return UNLOCKED


@cache
def served() -> frozenset[str]:
    """The operations with a handler (the rest answer 501)."""
    return frozenset(handler_map())


def service_of(operation: str) -> str:
    """The signing name of an operation's service (the registry's for a name no model knows)."""
    op = OPERATIONS.get(operation)
    return CONTROL if op is None else op["service"]


def pick(candidates: list[str], service: str, request: Request) -> str:
    """The operation a request means among those sharing its route: the signing service's own
    (a request signed for none of them, or unsigned, takes the registry's, then any), then the
    one whose literal query parts the request carries."""
    if len(candidates) == 1:
        return candidates[0]
    mine = [n for n in candidates if OPERATIONS[n]["service"] == service]
    if not mine:
        mine = [n for n in candidates if OPERATIONS[n]["service"] == CONTROL] or candidates
    if len(mine) == 1:
        return mine[0]
    return next((n for n in mine if _literal_query_matches(n, request)), mine[-1])


class AwsIotProvider(Provider):
    name = "aws"
    #: every operation in botocore's model (those not served answer 501), so a fault rule naming a
    #: misspelt one is refused when it is added
    operations = PUBLIC_NAMES

    @classmethod
    def match_fields(cls, operation: str) -> frozenset[str] | None:
        """The fields calls of ``operation`` carry, under either service that has that name (the
        device side's DescribeJobExecution also carries ``service``)."""
        keys = [k for k in (operation, JOBS_PREFIX + operation) if k in OPERATIONS]
        if not keys:
            return None
        names = frozenset().union(*(_match_field_names(k) for k in keys))
        if operation == "RegisterThing":  # fleet provisioning's device side carries these too
            from .fleet_provisioning import FIELDS

            names |= FIELDS
        elif operation in ("CreateKeysAndCertificate", "CreateCertificateFromCsr"):
            names |= {"clientId"}  # asked over MQTT (fleet provisioning), the asking client
        return names | {"service"} if any(k.startswith(JOBS_PREFIX) for k in keys) else names

    def __init__(self, cloud: FakeCloud) -> None:
        super().__init__(cloud)
        cloud.registry.keys.source(self.name, auth.seeded_keys)
        from .settings import check_settings

        cloud.registry.settings_check(self.name, check_settings)
        from .record_checks import check_records

        cloud.registry.records_check(self.name, check_records)
        from .fleet_provisioning import Hooks

        #: pre-provisioning hooks (Python callables), see ``pre_provisioning_hook``
        self.provisioning_hooks = Hooks()
        #: what DescribeEndpoint answers for ``iot:Data`` and ``iot:Data-ATS`` instead of AWS's
        #: account-specific name: a host that reaches the fake's MQTT endpoint ("localhost"), set
        #: by whoever runs the broker or by a test. Configuration, so ``reset()`` keeps it.
        self.endpoint_host: str | None = None

    def reset(self) -> None:
        self.provisioning_hooks.clear()

    @classmethod
    def rules(cls) -> list[Rule]:
        return [
            Rule(endpoint.split(" ", 1)[1], endpoint=("aws", endpoint), methods=[endpoint.split(" ", 1)[0]])
            for endpoint in routes()
        ]

    # -- pipeline -----------------------------------------------------------------------------------
    def bind(self, request: Request, route: str, args: dict[str, Any]) -> Call:
        signature = auth.parse(request.headers.get("Authorization"))
        bound = _route_plan(route)
        if bound is None:  # operations share the route: the signing service and query decide
            service = CONTROL if signature is None else auth.canonical_service(signature.service)
            bound = _plan(pick(routes()[route], service, request))
        operation, name, has_body, jobs = bound
        account, region = auth.identify(self.cloud.registry, signature)
        # outside the provider a call carries the plain name; iot-jobs-data's say so in a param
        call = Call("aws", name, request, args, tenant=arns.tenant_id(account, region))
        call.principal = signature
        if has_body:
            decode_json_body(call)
        principal = request.headers.get("x-amzn-principal")
        query = request.args.items() if request.query_string else None  # most calls have none
        call.params = match_fields(operation, args, query, principal, call.body)
        if jobs:
            call.params["service"] = JOBS_SERVICE
        # the tenant's parts, so fault rules and journal filters can pick an account or a region
        call.params["account"], call.params["region"] = account, region
        return call

    def authenticate(self, call: Call) -> None:
        mode = self.cloud.auth
        if mode == "off":
            return
        signature = call.principal
        if signature is None:  # a parsed signature means a header: only its absence needs a look
            raise auth.incomplete() if call.request.headers.get("Authorization") else auth.missing()
        if mode == "strict":
            seeded = self.cloud.registry.keys.find(self.name, signature.access_key)
            if seeded is None:
                raise AwsError(
                    "UnrecognizedClientException", "The security token included in the request is invalid."
                )
            auth.verify(call.request, signature, seeded.secret, service_of(_key(call)))

    def compiled(self, route: str) -> Any:
        return _compiled(route)

    def handle(self, call: Call) -> Reply:
        key = _key(call)
        handler = handler_map().get(key)
        if handler is None:
            op = OPERATIONS[key]
            raise AwsError(
                "NotImplementedException",
                f"iotfake does not implement {call.operation} ({op['method']} {op['uri']}) yet",
            )
        values = wire.parse_input(key, call)
        ctx = Context(self, call, self.tenant(call), values)
        output = handler(ctx)
        return wire.response(key, output or {}, self.cloud.ids.request_id())

    # -- transport-free operations (the MQTT side, Python callers) -----------------------------
    def declared(self, operation: str) -> Declared | None:
        key = operation if operation in OPERATIONS else model_key(operation, {})
        if key not in handler_map():
            return None
        return _declared(key, key in _unlocked())

    def prepare(self, call: Call) -> None:
        if call.operation.startswith(JOBS_PREFIX):  # "jobsdata:Name": the device side's twin
            call.operation = public_name(call.operation)
            call.params["service"] = JOBS_SERVICE
        if call.tenant is None:
            call.tenant = arns.tenant_id(arns.DEFAULT_ACCOUNT, arns.DEFAULT_REGION)
        call.params["account"], call.params["region"] = arns.split_tenant(call.tenant)

    def run(self, call: Call, values: dict[str, Any]) -> dict[str, Any]:
        key = _key(call)
        values = dict(values)
        payload = wire.payload_member(key)
        raw = values.pop(payload, b"") if payload is not None else None
        shape = OPERATIONS[key]["input"]
        if shape is not None:
            problems = Problems()
            validate(shape, {**values, **({payload: ""} if payload is not None else {})}, "", problems)
            if problems:
                raise invalid(problems.message())
        if payload is not None:
            values[payload] = raw if isinstance(raw, bytes) else str(raw).encode()
        return handler_map()[key](Context(self, call, self.tenant(call), values)) or {}

    def status_of(self, call: Call, error: ProviderError) -> int:
        return wire.status_for(error, service_of(_key(call)))

    def tenant(self, call: Call) -> Tenant:
        assert call.tenant is not None
        account, region = arns.split_tenant(call.tenant)
        return self.account(account, region)

    def account(self, account: str, region: str) -> Tenant:
        """The tenant for an account and region, made on first use."""
        tenant = self.cloud.registry.tenant("aws", arns.tenant_id(account, region))
        if "accountId" not in tenant.settings or "region" not in tenant.settings:  # (a hand-edited state)
            with tenant.lock:
                tenant.settings.setdefault("accountId", account)
                tenant.settings.setdefault("region", region)
        return tenant

    # -- errors -------------------------------------------------------------------------------------
    def from_domain(self, call: Call, error: domain.DomainError) -> ProviderError:
        return from_domain(_key(call), error)

    def from_code(self, call: Call, code: str) -> ProviderError:
        """An AWS error shape named by a fault rule; an unknown name raises ValueError so the
        rule is refused when it is added rather than answering with a made-up error."""
        if not is_error(code) and code not in wire.FRONT_DOOR:
            raise ValueError(
                f"{code!r} is not an AWS IoT error (e.g. ThrottlingException, InvalidRequestException)"
            )
        return AwsError(code)

    def render(self, call: Call, error: ProviderError) -> Reply:
        call.code = str(error.code)
        return wire.error_response(error, self.cloud.ids.request_id(), service_of(_key(call)))

    def subject(self, call: Call) -> tuple[str, str] | None:
        """The resource the URI names (``/things/{thingName}`` -> a thing)."""
        for label, kind in SUBJECTS.items():
            value = call.route_args.get(label)
            if isinstance(value, str) and value:
                return kind, value
        return None

    # -- fixtures and helpers for tests -------------------------------------------------------------
    def seed(self, section: Any, path: str) -> None:
        from .seed import seed

        seed(self, section, path)

    def ca_certificate_pem(
        self, account: str = arns.DEFAULT_ACCOUNT, region: str = arns.DEFAULT_REGION
    ) -> str:
        """The PEM of the CA that signs this account's certificates in this region (made on demand)."""
        from . import pki

        return pki.ca_pem(self.account(account, region), self.cloud.ids, self.cloud.clock.time())

    # -- fleet provisioning ---------------------------------------------------------------------
    def pre_provisioning_hook(self, target: str, hook: Callable[[dict[str, Any]], Any] | None = None) -> Any:
        """Run ``hook`` where AWS would invoke a template's pre-provisioning Lambda. ``target`` is
        the template's name, or the hook's ``targetArn`` (every template naming that Lambda); it
        runs only while the template has a ``preProvisioningHook``. The hook gets AWS's input
        (``claimCertificateId``, ``certificateId``, ``certificatePem``, ``templateArn``,
        ``clientId``, ``parameters``) and answers ``{"allowProvisioning": bool,
        "parameterOverrides": {name: value}}``. ``hook=None`` removes it; without ``hook`` this
        returns a decorator. ``cloud.reset()`` forgets every hook."""
        if hook is None:

            def register(fn: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
                self.provisioning_hooks.set(target, fn)
                return fn

            return register
        self.provisioning_hooks.set(target, hook)
        return hook

    def remove_pre_provisioning_hook(self, target: str) -> None:
        self.provisioning_hooks.set(target, None)

    def fleet_provision(
        self,
        template_name: str,
        parameters: dict[str, str] | None = None,
        *,
        certificate_id: str,
        claim_certificate_id: str | None = None,
        client_id: str | None = None,
        account: str = arns.DEFAULT_ACCOUNT,
        region: str = arns.DEFAULT_REGION,
    ) -> dict[str, Any]:
        """Fleet provisioning's device-side RegisterThing (the MQTT topic
        ``$aws/provisioning-templates/<template_name>/provision/json``): ``certificate_id`` is the
        device's new certificate (what its ownership token names), ``claim_certificate_id`` the
        certificate it is connected with. Returns the accepted payload (``thingName``,
        ``deviceConfiguration``); raises ``fleet_provisioning.ProvisioningRejected`` whose
        ``payload()`` is the rejected one."""
        from .fleet_provisioning import register_thing

        return register_thing(
            self,
            self.account(account, region),
            template_name,
            parameters,
            certificate_id=certificate_id,
            claim_certificate_id=claim_certificate_id,
            client_id=client_id,
        )

    # -- just-in-time provisioning ----------------------------------------------------------------
    def set_registration_config(
        self,
        ca_certificate_id: str,
        registration: dict[str, Any] | None,
        *,
        account: str = arns.DEFAULT_ACCOUNT,
        region: str = arns.DEFAULT_REGION,
    ) -> None:
        """Give a CA certificate its JITP ``registrationConfig`` (``templateName`` of a JITP
        template, or ``templateBody``, and ``roleArn``), as RegisterCACertificate and
        UpdateCACertificate take it; None removes it."""
        from . import jitp

        jitp.set_config(self.account(account, region), ca_certificate_id, registration)

    def registration_config(
        self,
        ca_certificate_id: str,
        *,
        account: str = arns.DEFAULT_ACCOUNT,
        region: str = arns.DEFAULT_REGION,
    ) -> dict[str, Any] | None:
        """A CA certificate's ``registrationConfig`` (None: it has none)."""
        from . import jitp

        return jitp.config(self.account(account, region), ca_certificate_id)

    def jitp_provision(
        self,
        ca_certificate_id: str,
        certificate_pem: str,
        *,
        account: str = arns.DEFAULT_ACCOUNT,
        region: str = arns.DEFAULT_REGION,
    ) -> dict[str, Any]:
        """What a device certificate signed by the CA triggers on its first connection: the
        certificate is registered and the CA's JITP template applied, all or nothing. Returns
        RegisterThing's answer (``resourceArns``, ``certificatePem``)."""
        from . import jitp

        return jitp.provision(
            Context(self, None, self.account(account, region), {}), ca_certificate_id, certificate_pem
        )


#: request labels naming the resource an operation acts on -> its registry kind, and the kind's
#: noun in AWS's answers (``Thing group tg1 cannot be found.``): from the registry's catalog
SUBJECTS = {label: kind.name for kind in CATALOG.kinds.values() for label in kind.labels}
NOUNS = {kind.name: kind.nouns["aws"] for kind in CATALOG.kinds.values() if "aws" in kind.nouns}


def from_domain(operation: str, error: domain.DomainError) -> AwsError:
    """A registry error in AWS's terms, picking the error the operation's model lists when it can."""
    modeled = OPERATIONS.get(operation, {}).get("errors", ())
    if isinstance(error, domain.NotFound):
        noun = NOUNS.get(error.kind, error.kind.capitalize() or "Resource")
        return AwsError("ResourceNotFoundException", f"{noun} {error.key} cannot be found.")
    if isinstance(error, domain.KeyCollision):
        return AwsError("ResourceAlreadyExistsException", f"{error.key} already exists", resourceId=error.key)
    if isinstance(error, domain.QuotaExceeded):
        return AwsError("LimitExceededException", error.message)
    if isinstance(error, domain.VersionConflict):
        return AwsError("VersionConflictException", error.message)
    if isinstance(error, domain.InvalidState) and "CertificateStateException" in modeled:
        return AwsError("CertificateStateException", error.message)
    if isinstance(error, domain.InUse):
        code = (
            "DeleteConflictException" if "DeleteConflictException" in modeled else "InvalidRequestException"
        )
        return AwsError(code, error.message)
    if isinstance(error, domain.InvalidArgument):
        return AwsError("InvalidRequestException", error.message)
    if isinstance(error, domain.TokenExpired):
        return AwsError("ExpiredTokenException", "The security token included in the request is expired")
    if isinstance(error, domain.Unauthorized | domain.Forbidden):
        return AwsError("UnauthorizedException", error.message)
    if isinstance(error, domain.Throttled):
        extra = {} if error.retry_after is None else {"retry_after": error.retry_after}
        return AwsError("ThrottlingException", "Rate exceeded", **extra)
    if isinstance(error, domain.Unavailable):
        return AwsError("ServiceUnavailableException", "Service Unavailable")
    return AwsError("InternalFailureException", "Internal Failure")


def _key(call: Call) -> str:
    """The model's key of a call (``jobsdata:...`` for iot-jobs-data, see ``model``)."""
    return model_key(call.operation, call.params)


@cache
def _compiled(route: str) -> Any:
    """The route's compiled operation (see ``compiled``), imported and looked up once: an import
    statement on every call costs more than the lookup."""
    from .compiled import operation

    return operation(route)


@cache
def _plan(operation: str) -> tuple[str, str, bool, bool]:
    """What binding a call of ``operation`` needs: its model key, its plain name, whether its
    body is decoded (served operations with body members), whether it is iot-jobs-data's."""
    has_body = operation in served() and bool(wire.body_members(operation))
    return operation, public_name(operation), has_body, service_of(operation) == JOBS_SERVICE


@cache
def _route_plan(route: str) -> tuple[str, str, bool, bool] | None:
    """``_plan`` of a route's only operation; None where operations share the route."""
    candidates = routes()[route]
    return _plan(candidates[0]) if len(candidates) == 1 else None


def _literal_query_matches(operation: str, request: Request) -> bool:
    """Operations that share a path are told apart by literal query parts (``?versions``)."""
    return all(
        key in request.args and (not value or request.args[key] == value)
        for key, value in OPERATIONS[operation]["query"].items()
    )


@cache
def _match_field_names(operation: str) -> frozenset[str]:
    """The names :func:`match_fields` can fill for ``operation``, from the botocore model: URI
    labels, query and body members, and what ``bind`` adds (account, region, principal)."""
    labels = re.findall(r"<(?:[^:>]+:)?([^>]+)>", OPERATIONS[operation]["rule"])
    body = set(wire.body_members(operation)) - UNJOURNALED
    names = {*labels, *wire.query_members(operation), *body, "principal", "account", "region"}
    if operation == "RegisterThing":  # carried as an object: a rule may name "parameters.ThingName"
        names |= {"parameters", "parameters.*"}
    return frozenset(names)


@cache
def _journaled_members(operation: str) -> tuple[str, ...]:
    """The body members a call's params may carry: the model's, less the large or secret ones."""
    return tuple(key for key in wire.body_members(operation) if key not in UNJOURNALED)


def match_fields(
    operation: str,
    route_args: dict[str, Any],
    query: Iterable[tuple[str, str]] | None,
    principal: str | None,
    body: Any,
) -> dict[str, Any]:
    """Request fields for fault matching and the journal: labels, query, the principal header,
    small body strings."""
    params: dict[str, Any] = dict(route_args)
    if query is not None:
        members = wire.query_members(operation)
        for key, value in query:
            if key in members:
                params.setdefault(key, value)
    if principal:
        params["principal"] = principal
    body = body if isinstance(body, dict) else None
    if body:
        for key in _journaled_members(operation):  # the model's members only, never a client's junk
            value = body.get(key)
            if isinstance(value, _SCALARS):
                params.setdefault(key, value)
    if operation == "RegisterThing" and body and isinstance(body.get("parameters"), dict):
        params["parameters"] = {
            k: v for k, v in body["parameters"].items() if isinstance(v, str) and len(v) < 256
        }
    return params


@cache
def _declared(key: str, self_locking: bool) -> Declared:
    from ...operations import Declared

    members = set(_match_field_names(key))
    subject = next(((label, kind) for label, kind in SUBJECTS.items() if label in members), None)
    return Declared(
        provider="aws",
        name=public_name(key),
        service=service_of(key),
        self_locking=self_locking,
        subject=subject,
        match_fields=frozenset(members),
    )
