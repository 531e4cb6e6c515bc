"""scriptr.io's device directory, as built-in scripts and as Python objects.

A fake cannot run a customer's JavaScript, so it exposes the modules those scripts call: every
function of ``require("device")`` (and the user functions that share its id space) is a script at
``/scriptr/device/<function>`` and ``/scriptr/user/<function>``, taking GET or POST, a JSON body or
query/form parameters, and answering in scriptr's envelope::

    {"response": {"metadata": {"requestId": "...", "status": "success", "statusCode": "200"},
                  "result": <the module's answer>}}

The module's answer nests as scriptr nests a script's return value, so a module failure (say
``DUPLICATE_DEVICE``) is ``response.result.metadata`` with HTTP 200, while a platform failure (a bad
token, throttling) fails the envelope itself - see :mod:`.errors`.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request

from ...registry.directory import Directory
from ...registry.errors import DomainError
from ...reply import Reply
from ..base import Call, Compiled, Provider, ProviderError, json_response
from . import accounts, auth, devices, errors, params, users
from .context import Context
from .errors import INVALID_PARAMETER, SCRIPT_NOT_FOUND, ScriptrError
from .module import Account

MODULES: dict[str, dict[str, Any]] = {"device": devices.FUNCTIONS, "user": users.FUNCTIONS}
#: the operation named for a function the module does not have (answered SCRIPT_NOT_FOUND)
UNKNOWN = "unknown"


class ScriptrProvider(Provider):
    name = "scriptr"
    operations = frozenset(
        f"{module}.{function}" for module, functions in MODULES.items() for function in [*functions, UNKNOWN]
    )
    hidden_operations = frozenset(f"{module}.{UNKNOWN}" for module in MODULES)

    @classmethod
    def match_fields(cls, operation: str) -> frozenset[str]:
        """What ``bind`` and authentication put in ``call.params``: the body's ``id``, the account."""
        return frozenset(("id", "account"))

    @classmethod
    def rules(cls) -> list[Rule]:
        return [
            Rule(
                "/scriptr/<any(device, user):module>/<function>",
                endpoint=("scriptr", "script"),
                methods=["GET", "POST"],
            )
        ]

    def bind(self, request: Request, route: str, args: dict[str, Any]) -> Call:
        module, function = args["module"], args["function"]
        known = function in MODULES[module]
        call = Call("scriptr", f"{module}.{function if known else UNKNOWN}", request, args)
        params.collect(call)
        body = call.body if isinstance(call.body, dict) else {}
        if isinstance(body.get("id"), str):
            call.params["id"] = body["id"]
        return call

    def authenticate(self, call: Call) -> None:
        auth.authenticate(self, call)

    def handle(self, call: Call) -> Reply:
        module, function = call.route_args["module"], call.route_args["function"]
        handler = MODULES[module].get(function)
        if handler is None:
            raise ScriptrError(SCRIPT_NOT_FOUND, f"No script at [scriptr/{module}/{function}].")
        if call.body_error is not None:
            raise ScriptrError(INVALID_PARAMETER, f"Invalid request: {call.body_error}.", platform=True)
        return self.run_script(call, handler)

    def compiled(self, route: str) -> Compiled | None:
        return _compiled(route)

    def run_script(self, call: Call, handler: Any, directory: Directory | None = None) -> Reply:
        """A module function's answer to a bound, authenticated call with readable parameters.
        ``directory``: the call's account's, where authentication already made it."""
        assert call.tenant is not None and isinstance(call.principal, str)
        if directory is None:
            directory = accounts.directory(self.cloud, call.tenant)
        context = Context(self.cloud, directory, call.principal)
        try:
            answer = handler(context, call.body)
        except ScriptrError as exc:
            request = call.request  # None on a compiled call, whose body is never a form
            if (
                exc.code == errors.MISSING_PARAMETERS
                and request is not None
                and params.json_sent_as_form(request)
            ):
                exc.message += (
                    " The body is JSON sent as application/x-www-form-urlencoded, so scriptr read it"
                    " as form parameters: send it with Content-Type: application/json."
                )
            raise
        call.code = "success"
        return self._envelope(answer)

    def _envelope(self, result: Any) -> Reply:
        metadata = {"requestId": self.cloud.ids.request_id(), "status": "success", "statusCode": "200"}
        return json_response({"response": {"metadata": metadata, "result": result}})

    # -- errors -----------------------------------------------------------------------------------
    def from_domain(self, call: Call, error: DomainError) -> ProviderError:
        return errors.from_domain(error, module=call.operation.partition(".")[0], operation=call.operation)

    def from_code(self, call: Call, code: str) -> ProviderError:
        return errors.from_code(code)

    def render(self, call: Call, error: ProviderError) -> Reply:
        if not isinstance(error, ScriptrError):
            error = ScriptrError(str(error.code), error.message, error.status)
        call.code = str(error.code)
        if not error.platform:
            return self._envelope(error.answer())
        response = json_response({"response": {"metadata": error.metadata()}}, status=error.status)
        for name, value in error.extra.get("headers", {}).items():
            response.headers[name] = value
        return response

    def subject(self, call: Call) -> tuple[str, str] | None:
        """The device (or user) the call names by ``id``."""
        key = call.params.get("id")
        return None if key is None else (call.operation.partition(".")[0], key)

    # -- accounts and fixtures --------------------------------------------------------------------
    def account(self, name: str = accounts.DEFAULT_ACCOUNT) -> Account:
        return Account(self.cloud, name)

    def seed(self, section: Any, path: str) -> None:
        from .seed import seed

        seed(self, section, path)


from .compiled import operation as _compiled  # noqa: E402  (it reads MODULES)

__all__ = ["Account", "ScriptrProvider"]
