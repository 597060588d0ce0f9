"""Who is calling, as a stable string: what throttles and idempotency records are keyed by.

Kept apart from the views: DRF loads the throttle classes while ``rest_framework.views``
is still importing, so this module must not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rest_framework.request import Request


def caller_id(request: Request) -> str | None:
    """A stable, non-secret identity of the caller (for throttles and idempotency): the
    credential's own ``caller_id`` if it has one (an API key), else the user's id."""
    if (ident := getattr(request.auth, "caller_id", None)) is not None:
        return str(ident)
    user = request.user
    if user is not None and user.is_authenticated and user.pk is not None:
        return f"user:{user.pk}"
    return None
