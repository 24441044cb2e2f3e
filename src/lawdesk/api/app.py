"""The NinjaAPI: routers, bearer auth, problem-details handlers, the finished OpenAPI document."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema

from lawdesk.api.auth import TokenAuth
from lawdesk.api.problems import CODES, PROBLEM_JSON, ApiProblem, field_errors, problem_response
from lawdesk.api.rendering import renderer
from lawdesk.api.tokens import TokenExpired
from lawdesk.api.views import router
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.intake import _FRIENDLY, IntakeData, IntakeRefused, _own_message
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError, InvalidTransition, PermissionDenied
from lawdesk.core.origin import Origin

log = logging.getLogger(__name__)

DESCRIPTION = """\
The intake and status API for officers of verified agencies.

**Authentication.** Every call needs `Authorization: Bearer ld_<prefix>_<secret>`, a personal
token created in the officer portal. Session cookies are ignored. A token stops working when it
is revoked, when its officer or agency is suspended, or when it expires ({days} days after it was
created or last renewed; the officer renews it in the portal): an expired token gets
`401 token_expired`.

**Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `code`
(one of: {codes}) and, for bad input, `errors`: a list of `{{field, message}}` naming each
field by its dotted path. A request of another agency is answered exactly like a missing one
(`404 not_found`).
"""


class LawdeskAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document shows the problem media type and the intake schema."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        """The generated document, finished (see :func:`finish_openapi`)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        finish_openapi(schema)
        return schema


def finish_openapi(schema: dict[str, Any]) -> None:
    """Add IntakeData to the components; errors are ``application/problem+json``."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    intake = IntakeData.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(intake.pop("$defs", {}))
    schemas["IntakeData"] = intake
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                _drop_null(parameter)
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    answer["content"] = {PROBLEM_JSON: content["application/json"]}


def _drop_null(parameter: dict[str, Any]) -> None:
    """An optional parameter is absent, never null: keep only the non-null branch."""
    branches = parameter.get("schema", {}).get("anyOf", [])
    others = [b for b in branches if b.get("type") != "null"]
    if not parameter.get("required") and len(others) == 1 and len(others) < len(branches):
        rest = {k: v for k, v in parameter["schema"].items() if k != "anyOf"}
        parameter["schema"] = {**others[0], **rest}


api = LawdeskAPI(
    title="lawdesk intake API",
    version="1",
    description=DESCRIPTION.format(codes=", ".join(f"`{c}`" for c in CODES),
                                   days=settings.LAWDESK_API_TOKEN_DAYS),
    urls_namespace="api",
    auth=TokenAuth(),
    renderer=renderer,
    docs_url=None,  # Swagger UI needs inline script, which the site's CSP forbids.
)
api.add_router("/v1", router)


def _audit_refusal(request: HttpRequest, code: str, fields: list[str]) -> None:
    """Audit a refused call of an authenticated officer (failed logins are audited in auth)."""
    user = getattr(request, "auth", None)
    if user is None:
        return
    def clean(text: str) -> str:  # PostgreSQL's jsonb cannot hold U+0000
        return text.replace("\x00", "\ufffd")[:300]

    record(Action.API_REQUEST_REFUSED, actor=user, origin=Origin.from_request(request), now=utcnow(),
           params={"code": code, "method": request.method, "path": clean(request.path),
                   "fields": sorted({clean(f) for f in fields})})


def _problem(request: HttpRequest, code: str, detail: str,
             errors: list[tuple[str, str]] | None = None, *, audit: bool = True,
             headers: dict[str, str] | None = None) -> HttpResponse:
    if audit:
        _audit_refusal(request, code, [f for f, _ in errors or []])
    return problem_response(code, detail, errors=errors or [], headers=headers)


def _ninja_field(loc: list[Any]) -> str:
    # ninja's locations are (source, [param,] *path): ("body", "body", "answer"),
    # ("query", "page"), ("path", "id").
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "form", "file"} and len(parts) > 2:
        parts = parts[2:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "body"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _ninja_message(error: dict[str, Any]) -> str:
    """A schema error in the request's language (pydantic's own message as a fallback)."""
    friendly = _FRIENDLY.get(str(error.get("type", "")))
    return str(friendly) if friendly is not None else (_own_message(error)
                                                        or gettext("Invalid value."))


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(_ninja_field(list(e.get("loc", []))), _ninja_message(e))
              for e in exc.errors]
    return _problem(request, "invalid_request", gettext("The request has errors."), errors)


@api.exception_handler(ApiProblem)
def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return _problem(request, exc.code, exc.detail, exc.errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    has_header = bool(request.headers.get("Authorization"))
    challenge = 'Bearer realm="lawdesk"' + (', error="invalid_token"' if has_header else "")
    return _problem(request, "unauthenticated",
                    gettext("Send a valid API token: Authorization: Bearer ld_…") if not has_header
                    else gettext("The token is not valid: unknown, revoked, or its officer or "
                                 "agency is no longer active."),
                    audit=False, headers={"WWW-Authenticate": challenge})


@api.exception_handler(TokenExpired)
def _token_expired(request: HttpRequest, exc: TokenExpired) -> HttpResponse:
    challenge = ('Bearer realm="lawdesk", error="invalid_token", '
                 'error_description="The token has expired"')
    return _problem(request, "token_expired",
                    gettext("The token expired at %(at)s UTC. Its owner can renew it on the API "
                            "tokens page of the officer portal.")
                    % {"at": f"{exc.expired_at:%Y-%m-%d %H:%M}"},
                    audit=False, headers={"WWW-Authenticate": challenge})


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    headers = {"Retry-After": str(exc.wait)} if exc.wait is not None else {}
    return _problem(request, "too_many_requests",
                    gettext("Too many failed authentications from your address; wait a minute."),
                    headers=headers)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = next((c for c, (status, _) in CODES.items() if status == exc.status_code),
                "malformed_request")
    return _problem(request, code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # One constant body: another agency's request must be indistinguishable from a missing one.
    return _problem(request, "not_found", gettext("No such request."))


@api.exception_handler(IntakeRefused)
def _intake_refused(request: HttpRequest, exc: IntakeRefused) -> HttpResponse:
    # submit_request has audited the refusal already.
    return _problem(request, "invalid_request", gettext("The request has errors; nothing was stored."),
                    field_errors(exc.errors), audit=False)


@api.exception_handler(InvalidTransition)
def _invalid_transition(request: HttpRequest, exc: InvalidTransition) -> HttpResponse:
    return _problem(request, "invalid_transition", exc.message,
                    [(exc.field, exc.message)] if exc.field else [])


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _problem(request, "forbidden", exc.message)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _problem(request, "invalid_request", exc.message,
                    [(exc.field or "__all__", exc.message)])


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _problem(request, "payload_too_large", gettext("The request body is too large."))


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _problem(request, "malformed_request", gettext("The multipart body could not be read."))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _problem(request, "malformed_request", gettext("The request could not be read."))


@api.exception_handler(Exception)
def _internal(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path)
    return _problem(request, "internal_error", gettext("Something went wrong on our side. Try again later."),
                    audit=False)
