"""Shared helpers of the live blog API views: a blog's change-log position, context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from newsroom.apikit.base import base_url
from newsroom.apikit.caching import make_etag, query_key

from ..models import LiveBlog, Post


@dataclass(frozen=True)
class BlogState:
    """What every blog-scoped read depends on, in one query.

    ``last_seq`` moves with every visible change; ``updated_at`` with edits in the
    admin; ``due`` counts scheduled posts whose time has come but which the scheduler
    has not announced yet (visible already, so they change what a read returns).
    """

    pk: int
    last_seq: int
    updated_at: datetime
    due: int

    def etag(self, request: Request, resource: str) -> str:
        return make_etag(
            "blog", resource, self.pk, self.last_seq, self.updated_at.isoformat(), self.due,
            query_key(request),
        )  # fmt: skip


def blog_state(slug: str) -> BlogState:
    """The blog's position (404 if there is no such blog)."""
    due = (
        Post.objects.filter(blog=OuterRef("pk"))
        .due()
        .order_by()
        .values("blog")
        .annotate(count=Count("pk"))
        .values("count")
    )
    row = (
        LiveBlog.objects.filter(slug=slug)
        .annotate(due=Coalesce(Subquery(due), 0))
        .values_list("pk", "last_seq", "updated_at", "due")
        .first()
    )
    if row is None:
        raise NotFound("No live blog with this slug.")
    return BlogState(*row)


def context(request: Request) -> dict[str, Any]:
    """Serializer context: absolute URLs are built on the address the caller used."""
    return {"base_url": base_url(request)}
