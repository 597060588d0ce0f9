"""Shared helpers of the live blog API views: a blog's change-log position, context."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from newsroom.web.base import base_url

from ..models import LiveBlog
from ..models.blog import BlogState
from . import scopes


def blog_state(slug: str) -> BlogState:
    """The blog's position with what blog-scoped reads show (404 if there is no such
    blog); ``state.etag(resource, query_key(request))`` is their validator."""
    state = LiveBlog.objects.state(slug, detailed=True)
    if state is None:
        raise NotFound("No live blog with this slug.")
    return state


def context(request: Request) -> dict[str, Any]:
    """Serializer context: absolute URLs are built on the address the caller used."""
    return {"base_url": base_url(request)}


def reader(request: Request) -> Any:
    """Whom the caller reads as: their user, unless their credential is a key without
    ``liveblog:write`` (a read-only key, even one bound to staff, reads what partners
    read: published posts only)."""
    key = request.auth
    has_scope = getattr(key, "has_scope", None)
    if callable(has_scope) and not has_scope(scopes.WRITE):
        return AnonymousUser()
    return request.user
