"""Live blogs: the list, and one blog with its summary, status and pinned post."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from newsroom.web.base import ApiView
from newsroom.web.caching import (
    hashed_response,
    if_none_match,
    not_modified,
    query_key,
    with_cache_headers,
)
from newsroom.web.inputs import parse
from newsroom.web.pagination import newest_first_page, parse_cursor
from newsroom.web.schema import READ_HEADERS, read_responses
from results.models import Race

from ..models import LiveBlog, Post
from . import scopes
from .context import blog_state, context
from .inputs import ListQuery
from .serializers import BlogDetailSerializer, BlogListSerializer


class BlogListView(ApiView):
    read_scope = scopes.READ

    @extend_schema(
        operation_id="blogs_list",
        summary="List live blogs",
        parameters=[ListQuery, *READ_HEADERS],
        responses=read_responses(BlogListSerializer),
        tags=["Live blogs"],
    )
    def get(self, request: Request) -> Response:
        """Live blogs, newest coverage first, a page at a time (``liveblog:read``). A
        rehearsal's blog is not listed (it answers by its slug, marked ``rehearsal``)."""
        query = parse(ListQuery, request.query_params)
        page = newest_first_page(
            LiveBlog.objects.filter(rehearsal=None),
            field="coverage_start",
            limit=query["limit"],
            after=parse_cursor(query.get("cursor")),
        )
        data = BlogListSerializer(
            page.body(),
            context=context(request),
        ).data
        return hashed_response(request, data)  # type: ignore[return-value]


class BlogView(ApiView):
    read_scope = scopes.READ

    @extend_schema(
        operation_id="blogs_retrieve",
        summary="One live blog: status, summary, pinned post, races",
        parameters=READ_HEADERS,
        responses=read_responses(BlogDetailSerializer),
        tags=["Live blogs"],
    )
    def get(self, request: Request, slug: str) -> Response:
        """The blog with its key points, status and pinned post (``liveblog:read``).

        The ETag follows the blog's change log: a 304 costs one query.
        """
        state = blog_state(slug)
        etag = state.etag("blog", query_key(request))
        if if_none_match(request, etag):
            return not_modified(etag)
        blog = LiveBlog.objects.prefetch_related(
            Prefetch("races", queryset=Race.objects.order_by("name").only("slug", "name"))
        ).get(pk=state.pk)
        # An extra attribute for BlogDetailSerializer (read with getattr); the model has no
        # such field, so the stubs do not know it.
        blog.pinned_post_id = (  # type: ignore[attr-defined]
            Post.objects.filter(blog=blog).published().pinned().values_list("pk", flat=True).first()
        )
        data = BlogDetailSerializer(blog, context=context(request)).data
        return with_cache_headers(Response(data), etag)  # type: ignore[return-value]
