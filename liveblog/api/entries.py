"""Change-feed entries: a change with the *current* state of what it is about.

A post visible now (as ``PostSerializer`` renders it), or a tombstone when it no longer
is, even in an old entry about its publication. The change feed and webhook deliveries
(``partners``) send the same entries.
"""

from __future__ import annotations

from typing import Any

from ..models import Change, Post
from .serializers import ChangeEntrySerializer


def entries(changes: list[Change], *, blog_id: int) -> list[dict[str, Any]]:
    """Feed entries for ``changes`` with their posts' current state (constant queries)."""
    post_ids = {change.post_id for change in changes if change.post_id}
    visible = {
        post.pk: post
        for post in Post.objects.filter(pk__in=post_ids, blog_id=blog_id).published().for_display()
    }  # fmt: skip
    result = []
    for change in changes:
        post = visible.get(change.post_id) if change.post_id else None
        payload = change.payload or {}
        result.append(
            {
                "seq": change.seq,
                "kind": change.kind,
                "created_at": change.created_at,
                "post_id": change.post_id,
                "post_version": change.post_version,
                "post": post,
                "tombstone": change.post_id is not None and post is None,
                "points": payload.get("points") if change.kind == Change.Kind.SUMMARY else None,
                "status": payload.get("status") if change.kind == Change.Kind.BLOG else None,
                "race_id": payload.get("race") if change.kind == Change.Kind.RESULTS else None,
            }
        )
    return result


def render_entries(changes: list[Change], *, blog_id: int, base_url: str) -> list[dict[str, Any]]:
    """The entries as JSON-ready data (for webhooks, which have no request)."""
    items = entries(changes, blog_id=blog_id)
    # many=True takes the list of entries; the stubs only know one instance.
    return list(ChangeEntrySerializer(items, many=True, context={"base_url": base_url}).data)  # type: ignore[arg-type]
