"""The change feed: everything that changed in a blog after a sequence number, in order.

Each entry carries the *current* state of what it is about: a post that is visible now
(as ``PostSerializer`` renders it), or a tombstone when it no longer is, even in an old
entry about its publication. Applying entries in order (upsert posts, delete
tombstones) therefore always converges on exactly what readers see, and applying one
twice is harmless. Webhook deliveries send the same entries.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from newsroom.web.base import ApiView
from newsroom.web.caching import if_none_match, not_modified, query_key, with_cache_headers
from newsroom.web.errors import InvalidCursor
from newsroom.web.inputs import parse
from newsroom.web.schema import READ_HEADERS, read_responses

from ..models import Change
from . import scopes
from .context import blog_state, context
from .entries import entries
from .inputs import FeedQuery
from .serializers import ChangeFeedSerializer


class ChangeFeedView(ApiView):
    read_scope = scopes.READ

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
        after = query["after"]
        if after > state.last_seq:
            raise InvalidCursor(
                f"after={after} is beyond this blog's last change ({state.last_seq}): "
                "start again from after=0.",
                details={"last_seq": state.last_seq},
            )
        etag = state.etag("changes", query_key(request))
        if if_none_match(request, etag):
            return not_modified(etag)
        new = Change.objects.after(state.pk, after, upto=state.last_seq)
        changes = list(new[: query["limit"] + 1])
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
