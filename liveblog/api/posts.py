"""Posts of a blog: the visible stream (newest first), one post, filing and editing."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from newsroom.web.base import ApiView
from newsroom.web.caching import if_none_match, not_modified, query_key, with_cache_headers
from newsroom.web.errors import Gone
from newsroom.web.idempotency import idempotent
from newsroom.web.inputs import parse
from newsroom.web.pagination import newest_first_page, parse_cursor
from newsroom.web.preconditions import expected_version, post_etag
from newsroom.web.schema import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    POST_ETAG,
    READ_HEADERS,
    REPLAYED,
    errors,
    read_responses,
)

from .. import services
from ..models import LiveBlog, Post
from . import scopes
from .context import blog_state, context, reader
from .inputs import PostCreateInput, PostListQuery, PostUpdateInput
from .serializers import PostListSerializer, PostSerializer

WRITE_ERRORS = (400, 401, 403, 404, 429)


def post_for(request: Request, slug: str, pk: int) -> Post:
    """The post, if this caller may see it: 410 if it was retracted, 404 otherwise."""
    found = Post.objects.filter(blog__slug=slug, pk=pk).visible_to(reader(request)).first()
    if found is None:
        if Post.objects.filter(blog__slug=slug, pk=pk, status=Post.Status.RETRACTED).exists():
            raise Gone()
        raise NotFound("No such post in this blog.")
    return found


def post_response(request: Request, post: Post, *, status: int = 200) -> Response:
    """The post as it is now, with its version as the ETag (and Location when created)."""
    post = Post.objects.for_display().get(pk=post.pk)
    headers = {"ETag": post_etag(post.version)}
    if status == 201:
        location = reverse("v1:post", kwargs={"slug": post.blog.slug, "pk": post.pk})
        headers["Location"] = request.build_absolute_uri(location)
    return Response(PostSerializer(post, context=context(request)).data, status, headers=headers)


class BlogPostsView(ApiView):
    read_scope = scopes.READ
    write_scope = scopes.WRITE

    @extend_schema(
        operation_id="posts_list",
        summary="The blog's visible posts, newest first",
        parameters=[PostListQuery, *READ_HEADERS],
        responses=read_responses(PostListSerializer),
        tags=["Posts"],
    )
    def get(self, request: Request, slug: str) -> Response:
        """Visible posts, newest first, paged on (published_at, id) (``liveblog:read``).

        Filters: ``key_events``, ``pinned``, ``label``. The ETag follows the blog's
        change log, so a 304 costs one query and no rendering.
        """
        query = parse(PostListQuery, request.query_params)
        after = parse_cursor(query.get("cursor"))
        state = blog_state(slug)
        etag = state.etag("posts", query_key(request))
        if if_none_match(request, etag):
            return not_modified(etag)
        # Posts carry only the blog's slug (their URLs): the blog is not joined, so
        # SQLite reads the page from post_blog_visible_idx in order, as PostgreSQL does.
        blog = LiveBlog(pk=state.pk, slug=state.slug)
        posts = blog.posts.published().for_display(with_blog=False)
        if query["key_events"]:
            posts = posts.key_events()
        if query["pinned"]:
            posts = posts.pinned()
        if query.get("label"):
            posts = posts.filter(label__slug=query["label"])
        page = newest_first_page(posts, field="published_at", limit=query["limit"], after=after)
        data = PostListSerializer(
            page.body(),
            context=context(request),
        ).data
        return with_cache_headers(Response(data), etag)  # type: ignore[return-value]

    @extend_schema(
        operation_id="posts_create",
        summary="File a new post (a draft)",
        parameters=[IDEMPOTENCY_KEY, POST_ETAG, REPLAYED],
        request=PostCreateInput,
        responses={201: PostSerializer, **errors(*WRITE_ERRORS, 415, 422)},
        tags=["Posts"],
    )
    def post(self, request: Request, slug: str) -> Response:
        """File a draft as the calling staff user (``liveblog:write``; reporters and editors).

        Honours ``Idempotency-Key``. Answers 201 with the post, its ETag and Location.
        """
        return idempotent(request, lambda: self._create(request, slug))  # type: ignore[return-value]

    def _create(self, request: Request, slug: str) -> Response:
        blog = LiveBlog.objects.filter(slug=slug).first()
        if blog is None:
            raise NotFound("No live blog with this slug.")
        data = parse(PostCreateInput, request.data)
        post = services.post_create(blog=blog, by=request.user, **data)
        return post_response(request, post, status=201)


class PostView(ApiView):
    read_scope = scopes.READ
    write_scope = scopes.WRITE

    @extend_schema(
        operation_id="posts_retrieve",
        summary="One post",
        parameters=[READ_HEADERS[0], POST_ETAG, *READ_HEADERS[2:]],
        responses=read_responses(PostSerializer, 410),
        tags=["Posts"],
    )
    def get(self, request: Request, slug: str, pk: int) -> Response:
        """One visible post (staff also see drafts and submissions) (``liveblog:read``).

        The ETag is the post's version, ``"v3"``: the same value writes send as If-Match.
        """
        post = post_for(request, slug, pk)
        etag = post_etag(post.version)
        if if_none_match(request, etag):
            return not_modified(etag)
        response = post_response(request, post)
        return with_cache_headers(response, response["ETag"])  # type: ignore[return-value]

    @extend_schema(
        operation_id="posts_update",
        summary="Edit or correct a post (If-Match required)",
        parameters=[IF_MATCH, POST_ETAG],
        request=PostUpdateInput,
        responses={
            200: PostSerializer,
            **errors(*WRITE_ERRORS, 412, 415, 428),
        },
        tags=["Posts"],
    )
    def patch(self, request: Request, slug: str, pk: int) -> Response:
        """Change title, body or label (``liveblog:write``).

        Reporters edit their own drafts; editors edit anything, and an edit of a published
        post is a correction (``correction_note`` is shown to readers). Needs
        ``If-Match: "v<version>"``: 412 ``stale_version`` if the post changed, 428 without.
        """
        post = post_for(request, slug, pk)
        version = expected_version(request)
        data = parse(PostUpdateInput, request.data)
        note = data.pop("correction_note", "")
        post = services.post_update(
            post=post, by=request.user, expected_version=version, data=data, correction_note=note
        )
        return post_response(request, post)
