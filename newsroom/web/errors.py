"""Every API error as JSON: ``{"error": {"code", "message", "details"}}``, never HTML.

The codes are part of the API contract (``docs/partners.md`` lists them): clients branch
on ``code``, people read ``message``.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core import exceptions as django_exceptions
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from .conflicts import Conflict, StaleVersion

logger = logging.getLogger("newsroom.api")

# DRF's exceptions, by the code the API gives them.
_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.ParseError, "malformed_request"),
    (exceptions.ValidationError, "invalid"),
    (exceptions.Throttled, "throttled"),
]


class ApiError(exceptions.APIException):
    """An API error with a stable code and optional details."""

    code = "error"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        super().__init__(message or self.default_detail, self.code)
        self.details = details or {}


class Invalid(ApiError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    default_detail = "Invalid input."


class PreconditionRequired(ApiError):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    code = "precondition_required"
    default_detail = 'Send If-Match with the post\'s ETag (e.g. If-Match: "v3").'


class PreconditionFailed(ApiError):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    code = "stale_version"
    default_detail = "The post changed since you read it: fetch it again."


class InvalidPrecondition(ApiError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid_if_match"
    default_detail = 'If-Match must be one ETag of the post, e.g. "v3".'


class InvalidCursor(ApiError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid_cursor"
    default_detail = "This cursor is not one the API gave: start again without it."


class InvalidIdempotencyKey(ApiError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid_idempotency_key"
    default_detail = "Idempotency-Key must be 1 to 255 visible ASCII characters."


class IdempotencyKeyReused(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was already used with a different request: use a new key."
    )


class InsufficientScope(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "insufficient_scope"
    default_detail = "This API key does not have the scope this request needs."


class Conflicted(ApiError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_detail = "Someone changed this at the same moment: nothing was written, try again."


class Gone(ApiError):
    status_code = status.HTTP_410_GONE
    code = "retracted"
    default_detail = "This post was retracted."


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "too_large"
    default_detail = "The request body is too large."


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _validation_details(error: django_exceptions.ValidationError) -> tuple[str, dict[str, Any]]:
    if hasattr(error, "error_dict"):
        fields = {name: list(messages) for name, messages in error.message_dict.items()}
        first = next(iter(fields.values()), ["Invalid input."])
        return first[0], {"fields": fields}
    messages = list(error.messages)
    return (messages[0] if messages else "Invalid input."), {}


def _drf_details(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {"fields": detail}
    if isinstance(detail, list) and len(detail) > 1:
        return {"errors": detail}
    return {}


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        name, value = next(iter(detail.items()), ("", "Invalid input."))
        text = _first_message(value)
        return text if name in ("", "non_field_errors") else f"{name}: {text}"
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def _convert(exc: Exception) -> Exception:
    """Django's and the services' exceptions, as the API exceptions they mean."""
    if isinstance(exc, StaleVersion):
        return PreconditionFailed(
            str(exc), details={"expected_version": exc.expected, "current_version": exc.current}
        )
    if isinstance(exc, Conflict):
        return Conflicted(str(exc) or None)
    if isinstance(exc, django_exceptions.ValidationError) and too_large(exc):
        return PayloadTooLarge(" ".join(exc.messages))
    if isinstance(exc, django_exceptions.ValidationError):
        message, details = _validation_details(exc)
        return Invalid(message, details=details)
    if isinstance(exc, Http404 | django_exceptions.ObjectDoesNotExist):
        return exceptions.NotFound("Not found.")
    if isinstance(exc, django_exceptions.PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or "You may not do this.")
    if isinstance(exc, django_exceptions.RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, django_exceptions.TooManyFieldsSent | django_exceptions.TooManyFilesSent):
        return PayloadTooLarge(str(exc))
    return exc


def too_large(error: django_exceptions.ValidationError) -> bool:
    """A refusal for size alone (``code="too_large"``): 413, as for a too-large body."""
    codes = (
        [getattr(e, "code", None) for e in error.error_list] if hasattr(error, "error_list") else []
    )
    return bool(codes) and all(code == "too_large" for code in codes)


def _drf_code(exc: exceptions.APIException) -> str:
    for kind, code in _DRF_CODES:
        if isinstance(exc, kind):
            return code
    return "error"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: one JSON shape for every error, 500s included."""
    from rest_framework.views import set_rollback  # (rest_framework.views imports us)

    exc = _convert(exc)
    headers: dict[str, str] = {}
    if not isinstance(exc, exceptions.APIException):
        request = context.get("request")
        logger.error("Unhandled error in the partner API", exc_info=exc)
        got_request_exception.send(sender=None, request=getattr(request, "_request", None))
        set_rollback()
        body = error_body("server_error", "Something went wrong on our side; try again.")
        return Response(body, status=500)
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if isinstance(exc, ApiError):
        code, details = exc.code, exc.details
        message = str(exc.detail)
    else:
        code = _drf_code(exc)
        if isinstance(exc, exceptions.AuthenticationFailed):
            code = getattr(exc.detail, "code", None) or code
        if isinstance(exc, exceptions.PermissionDenied) and "CSRF" in str(exc.detail):
            code = "csrf_failed"
        message = _first_message(exc.detail)
        details = _drf_details(exc.detail)
    # Throttled.__init__ sets ``wait`` (seconds or None); the stubs do not declare it.
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:  # type: ignore[attr-defined]
        wait = max(1, math.ceil(exc.wait))  # type: ignore[attr-defined]
        headers["Retry-After"] = str(wait)
        details = {"retry_after": wait}
        message = f"Too many requests: try again in {wait} seconds."
    set_rollback()
    return Response(error_body(code, message, details), status=exc.status_code, headers=headers)


@csrf_exempt  # a POST to no endpoint is a 404, not the CSRF failure page
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any URL under /api/v1/ that names no endpoint: a JSON 404, never the HTML page."""
    message = "No API endpoint at this address."
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            message += f" Did you mean {request.path}/ (with the trailing slash)?"
    return JsonResponse(error_body("not_found", message), status=404)
