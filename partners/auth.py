"""Who is calling: a partner key, a staff token (a key bound to a user), or a session.

``Authorization: Api-Key <key>``. A key bound to a staff user authenticates *as* that
user, so the services apply exactly that user's permissions; a partner's key
authenticates as a ``Partner``, which holds no permissions at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import PartnerKey

KEYWORD = "Api-Key"


class Partner(AnonymousUser):
    """The caller behind a partner key: authenticated, never staff, no permissions."""

    def __init__(self, key: PartnerKey) -> None:
        self.key = key

    def __str__(self) -> str:
        return f"partner {self.key}"

    @property
    def is_anonymous(self) -> bool:  # type: ignore[override]
        return False

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Authenticate ``Authorization: Api-Key <key>``; other schemes are left to the next."""

    def authenticate(self, request: Request) -> tuple[Any, PartnerKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _, key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None
        found = PartnerKey.objects.find(key.strip())
        if found is None:
            raise exceptions.AuthenticationFailed("This API key is not valid.", "invalid_key")
        if found.revoked:
            raise exceptions.AuthenticationFailed("This API key was revoked.", "key_revoked")
        if found.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.", "key_expired")
        if found.user_id is None:
            return Partner(found), found
        assert found.user is not None  # user_id is set, and the row is loaded (select_related)
        if not found.user.is_active:
            raise exceptions.AuthenticationFailed(
                "The account this key belongs to is disabled.", "inactive_user"
            )
        return found.user, found

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to unauthenticated requests.
        return f'{KEYWORD} realm="api"'


def caller_key(request: Request) -> PartnerKey | None:
    return request.auth if isinstance(request.auth, PartnerKey) else None
