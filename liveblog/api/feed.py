"""The change feed: everything that changed in a blog after a sequence number, in order.

Each entry carries the *current* state of what it is about: a post that is visible now
(as ``PostSerializer`` renders it), or a tombstone when it no longer is, even in an old
entry about its publication. Applying entries in order (upsert posts, delete
tombstones) therefore always converges on exactly what readers see, and applying one
twice is harmless. Webhook deliveries send the same entries.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from newsroom.partners.base import ApiView
from newsroom.partners.caching import if_none_match, not_modified, with_cache_headers
from newsroom.partners.errors import InvalidCursor
from newsroom.partners.inputs import parse
from newsroom.partners.models import Scope
from newsroom.partners.schema import READ_HEADERS, read_responses

from .. import services
from ..models import Change, Post
from .inputs import FeedQuery
from .serializers import ChangeEntrySerializer, ChangeFeedSerializer
from .state import blog_state, context


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


class ChangeFeedView(ApiView):
    read_scope = Scope.LIVEBLOG_READ

    @extend_schema(
        operation_id="changes_list",
        summary="The blog's change feed after a sequence number",
        parameters=[FeedQuery, *READ_HEADERS],
        responses=read_responses(ChangeFeedSerializer),
        tags=["Change feed"],
    )
    def get(self, request: Request, slug: str) -> Response:
        """Changes after ``?after=`` (0 for everything), oldest first (``liveblog:read``).

        Follow a blog by asking again with ``after=next``; at once while ``has_more``,
        otherwise every few seconds (a 304 is cheap). ``after`` beyond the blog's last
        change is refused (400 ``invalid_cursor``): start again from 0.
        """
        query = parse(FeedQuery, request.query_params)
        state = blog_state(slug)
        if state.due:
            # Visible already but not yet announced: announce now, so the feed never
            # lags behind what readers see (the scheduler would within seconds).
            services.post_publish_due()
            state = blog_state(slug)
        after = query["after"]
        if after > state.last_seq:
            raise InvalidCursor(
                f"after={after} is beyond this blog's last change ({state.last_seq}): "
                "start again from after=0.",
                details={"last_seq": state.last_seq},
            )
        etag = state.etag(request, "changes")
        if if_none_match(request, etag):
            return not_modified(etag)
        new = Change.objects.filter(blog_id=state.pk, seq__gt=after, seq__lte=state.last_seq)
        changes = list(new.order_by("seq")[: query["limit"] + 1])
        has_more = len(changes) > query["limit"]
        changes = changes[: query["limit"]]
        data = ChangeFeedSerializer(
            {
                "blog": slug,
                "last_seq": state.last_seq,
                "entries": entries(changes, blog_id=state.pk),
                "next": changes[-1].seq if changes else after,
                "has_more": has_more,
            },
            context=context(request),
        ).data
        return with_cache_headers(Response(data), etag)  # type: ignore[return-value]
