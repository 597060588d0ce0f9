"""Scopes: what a caller may ask of the API. What a *user* may change is the services' call.

Reads need the view's read scope (``liveblog:read``, ``results:read``); writes need
``liveblog:write`` on a key bound to a staff user, or a staff session. Staff sessions
have every read scope; webhooks belong to keys, so managing them needs a key.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.request import Request

from newsroom.web.errors import InsufficientScope

from .auth import caller_key
from .models import Scope


def required_scope(request: Request, view: Any) -> str | None:
    if request.method in permissions.SAFE_METHODS:
        return getattr(view, "read_scope", None)
    return getattr(view, "write_scope", None)


class HasScope(permissions.BasePermission):
    """The caller is authenticated and holds the scope the view asks for this method."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            raise exceptions.NotAuthenticated("Send your API key as: Authorization: Api-Key <key>.")
        scope = required_scope(request, view)
        key = caller_key(request)
        if key is not None:
            if scope is not None and not key.has_scope(scope):
                raise InsufficientScope(
                    f"This API key does not have the “{scope}” scope.",
                    details={"required_scope": scope, "key_scopes": list(key.scopes)},
                )
            if scope == Scope.LIVEBLOG_WRITE and key.user_id is None:
                raise InsufficientScope("Only a key bound to a staff user can write.")
            return True
        # A browser session: staff only, and never for the partner-owned webhooks.
        if not (user.is_active and user.is_staff):
            raise exceptions.PermissionDenied("The API is for partners' keys and staff.")
        if scope == Scope.WEBHOOKS_MANAGE:
            raise InsufficientScope("Webhooks belong to API keys: use a key with webhooks:manage.")
        return True
