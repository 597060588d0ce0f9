"""Reader-facing views: the live page, older posts, permalinks, the stream and the poll.

All of them are public. Pages and fragments are plain Django views (fast under WSGI or
ASGI); ``stream`` is async because it holds a connection open per reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_safe

from newsroom.media import media_response
from newsroom.origins import origins_in
from newsroom.params import sequence
from newsroom.proxies import client_ip
from newsroom.staff.models import Reporter
from newsroom.web.errors import InvalidCursor
from newsroom.web.pagination import Cursor, newest_first_page, parse_cursor
from results.models import Candidate
from results.selectors import race_boards

from . import render_cache
from .live import positions
from .live import stream as live_stream
from .live.operations import op, render_catch_up
from .live.transports import transport
from .models import LiveBlog, Post
from .models.blog import BlogState
from .structured_data import json_ld_script, live_blog_posting

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    class HtmxHttpRequest(HttpRequest):
        """A request that went through ``HtmxMiddleware`` (it sets ``request.htmx``)."""

        htmx: HtmxDetails


PAGE_SIZE = 20


def posts_page(
    blog: LiveBlog, *, key_events: bool, before: Cursor | None
) -> tuple[list[Post], str | None]:
    """One page of visible posts, newest first, and the cursor of the next page (the
    API's signed keyset cursor: one cursor and one paginator for the whole project).

    The pinned post is left out: the page shows it once, in the pinned slot above."""
    posts = blog.posts.published().filter(pinned=False).for_display(with_blog=False)
    if key_events:
        posts = posts.key_events()
    page = newest_first_page(posts, field="published_at", limit=PAGE_SIZE, after=before)
    return page.items, page.next


def _page_args(request: HttpRequest) -> tuple[bool, Cursor | None]:
    try:
        before = parse_cursor(request.GET.get("before"))
    except InvalidCursor:
        raise Http404("That page of posts does not exist.") from None
    return request.GET.get("filter") == "key-events", before


ENDED_ON_INDEX = 20


@require_GET
def blog_index(request: HttpRequest) -> HttpResponse:
    """Every blog a reader can open: live now, coming up, and the most recently ended."""
    blogs = LiveBlog.objects.only("title", "slug", "description", "status", "coverage_start",
                                  "coverage_end")  # fmt: skip
    sections = [
        {"id": "live-now", "heading": "Live now", "blogs": list(blogs.live())},
        {"id": "coming-up", "heading": "Coming up", "blogs": list(blogs.upcoming())},
        {"id": "ended", "heading": "Recently ended",
         "blogs": list(blogs.ended()[:ENDED_ON_INDEX])},
    ]  # fmt: skip
    return render(request, "liveblog/index.html", {"sections": [s for s in sections if s["blogs"]]})


@require_GET
def blog_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The live page: results, summary, pinned post and the newest posts (or older ones
    with ``?before=``, key events only with ``?filter=key-events``).

    Rendered once per change of the blog (``liveblog.render_cache``) and answered from the
    cache until the next one; a reader who has this position gets a 304."""
    # The blog's position from this process's memory (forgotten the moment this process
    # records a change; at most NEWSROOM_LIVE_STATE_TTL old otherwise): the page served
    # is exactly the rendering of the position it names, and its live channel goes on
    # from there.
    remembered = positions.get(slug)
    if remembered is None:
        raise Http404("No LiveBlog matches the given query.")
    state = render_cache.with_due(remembered)
    key_events, before = _page_args(request)
    live = request.GET.get("live")
    live = live if live in ("off", "poll") else ""
    variant = ("page", key_events, request.GET.get("before", "") if before else "", live,
               request.get_host(), request.scheme)  # fmt: skip
    found = render_cache.find(state, *variant)
    etag = state.etag(*variant, found.epoch)
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        html = render_cache.fill(
            found,
            lambda: _render_blog_page(request, slug, key_events, before, live),
            nonce=str(getattr(request, "csp_nonce", "")),
        )
        response = HttpResponse(html)
    response["ETag"] = etag
    return response


EMBED_POSTS = (1, 5, 20)  # the embed view's posts: fewest, default, most (?n=)


@require_GET
@xframe_options_exempt  # who may frame it is the blog's CSP frame-ancestors, below
def blog_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The blog in a frame on another site (a homepage, a partner's article): its newest
    posts (``?n=``, ``?filter=key-events``), live like the page, resizing its frame.

    Only the sites the blog lists (``LiveBlog.embed_origins``) may frame it: every answer
    carries them as the CSP's frame-ancestors, and the browser refuses any other page.
    Rendered once per change of the blog, like the page."""
    remembered = positions.get(slug)
    allowed = LiveBlog.objects.filter(slug=slug).values_list("embed_origins", flat=True).first()
    if remembered is None or allowed is None:
        raise Http404("No LiveBlog matches the given query.")
    state = render_cache.with_due(remembered)
    key_events = request.GET.get("filter") == "key-events"
    fewest, default, most = EMBED_POSTS
    asked = sequence(request.GET.get("n", ""))
    n = min(max(asked, fewest), most) if asked is not None else default
    variant = ("embed", key_events, n, request.get_host(), request.scheme)

    def build() -> str:
        blog = get_object_or_404(LiveBlog, slug=slug)
        posts, _ = posts_page(blog, key_events=key_events, before=None)
        pinned = blog.posts.published().pinned().for_display(with_blog=False).first()
        context = {"blog": blog, "seq": blog.last_seq, "posts": posts[:n], "pinned": pinned,
                   "key_events": key_events, "keep": n,
                   "live": blog.status != LiveBlog.Status.ENDED, "transport": "sse",
                   "poll_interval": settings.NEWSROOM_POLL_INTERVAL}  # fmt: skip
        return render_to_string("liveblog/embed.html", context, request)

    found = render_cache.find(state, *variant)
    html = render_cache.fill(found, build, nonce=str(getattr(request, "csp_nonce", "")))
    response = HttpResponse(html)
    response._csp_replace = {  # type: ignore[attr-defined]
        "frame-ancestors": ["'self'", *origins_in(allowed)]
    }
    return response


def _render_blog_page(request: HttpRequest, slug: str, key_events: bool,
                      before: Cursor | None, live: str) -> str:  # fmt: skip
    blog = get_object_or_404(LiveBlog, slug=slug)
    seq = blog.last_seq  # read first: the posts below are at least this new
    posts, next_cursor = posts_page(blog, key_events=key_events, before=before)
    pinned = blog.posts.published().pinned().for_display(with_blog=False).first()
    boards = race_boards(blog.shown_race_ids(), in_order=True)
    base_url = request.build_absolute_uri("/").rstrip("/")
    canonical = request.build_absolute_uri(blog.get_absolute_url())
    context: dict[str, Any] = {
        "blog": blog,
        "seq": seq,
        "posts": posts,
        "pinned": pinned,
        "boards": boards,
        "next_cursor": next_cursor,
        "key_events": key_events,
        "older_page": before is not None,
        "live": blog.status != LiveBlog.Status.ENDED and live != "off",
        "transport": "poll" if live == "poll" else "sse",
        "poll_interval": settings.NEWSROOM_POLL_INTERVAL,
        "canonical_url": canonical + ("?filter=key-events" if key_events else ""),
        "json_ld": json_ld_script(
            live_blog_posting(blog, _with_pinned(pinned, posts, before), base_url=base_url)
        ),
    }
    return render_to_string("liveblog/blog.html", context, request)


def _with_pinned(pinned: Post | None, posts: list[Post], before: Cursor | None) -> list[Post]:
    """The first page's posts with the pinned one back in its place (structured data
    lists the updates in order, wherever the page shows them)."""
    if pinned is None or before is not None:
        return posts
    return sorted([pinned, *posts], key=lambda p: (p.published_at or p.created_at, p.pk),
                  reverse=True)  # fmt: skip


@require_GET
def older_posts(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The next page of posts as a fragment (htmx), or the full page without JavaScript."""
    if not request.htmx:
        return blog_page(request, slug)
    remembered = positions.get(slug)
    if remembered is None:
        raise Http404("No LiveBlog matches the given query.")
    key_events, before = _page_args(request)

    def build() -> str:
        blog = get_object_or_404(LiveBlog, slug=slug)
        posts, next_cursor = posts_page(blog, key_events=key_events, before=before)
        context = {"blog": blog, "posts": posts, "next_cursor": next_cursor,
                   "key_events": key_events}  # fmt: skip
        return render_to_string("liveblog/_older.html", context, request)

    state = render_cache.with_due(remembered)
    variant = ("older", key_events, request.GET.get("before", ""))
    return HttpResponse(render_cache.once(state, *variant, build=build))


@require_GET
def post_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One post's permalink page (shares cleanly: title, description, image).

    Public posts for everyone. A retracted post answers 410 Gone with a note saying when
    the editors removed it. Staff who may see a post that is not public (a draft, a
    submission, a schedule not yet come, a retraction) get it as a preview, marked so,
    never cached; anyone else gets 404 as for a post that never was."""
    post = get_object_or_404(
        Post.objects.for_display().select_related("blog"), blog__slug=slug, pk=pk
    )
    context = {"blog": post.blog, "post": post}
    if post.is_public:
        return render(request, "liveblog/post.html", context)
    staff = (
        request.user.is_staff and Post.objects.filter(pk=post.pk).visible_to(request.user).exists()
    )
    if staff:
        response = render(request, "liveblog/post.html", {**context, "preview": True})
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response
    if post.status == Post.Status.RETRACTED:
        return render(request, "liveblog/gone.html", context, status=410)
    raise Http404("No such post.")


async def stream(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Server-Sent Events for one reader: every change after its cursor, in order, served
    by the push transport (``liveblog.live.transports``).

    An ended blog answers 204, which tells the browser not to reconnect. With the hub,
    production serves this URL from the lean ASGI path (``liveblog.live.asgi``), with the
    same ladder (``live_stream.ladder``) and the same transport.
    """
    step = await live_stream.ladder(
        method=request.method or "", slug=slug, after=request.GET.get("after"),
        last_event_id=request.headers.get("Last-Event-ID"), client=client_ip(request),
        path=request.path, headers={k.lower(): v for k, v in request.headers.items()},
    )  # fmt: skip
    outcome = await transport().open(step) if isinstance(step, live_stream.Opening) else step
    if isinstance(outcome, live_stream.Answer):
        if outcome.status == 404:
            raise Http404(outcome.body.decode())
        return live_stream.http_response(outcome)
    response = StreamingHttpResponse(outcome)
    for name, value in live_stream.HEADERS.items():
        response[name] = value
    return response


@require_GET
def changes(request: HttpRequest, slug: str) -> HttpResponse:
    """The polling fallback: what changed since ``?since=``, as page operations.

    Cacheable by a CDN for a moment (the answer depends only on the URL and the blog's
    sequence), with an ETag and 304 when nothing changed. ``X-Poll-Interval`` tells the
    client when to ask again (0: stop, the blog has ended).
    """
    since = sequence(request.GET.get("since"))
    if since is None:
        return HttpResponseBadRequest("since must be a change sequence number")
    # "Nothing changed" may come from this process's memory of the blog (at most
    # NEWSROOM_LIVE_STATE_TTL old): the check must cost less than the request around it.
    # Any other answer reads the database afresh.
    # The answer (304 or the operations since) is that of the position this process
    # remembers (forgotten at once on its own changes; NEWSROOM_LIVE_STATE_TTL old at
    # most otherwise): X-Seq names it, and the next poll goes on from there.
    blog: BlogState | None = positions.get(slug)
    if blog is not None and since > blog.last_seq:
        blog = positions.fetch(slug)  # a cursor ahead of the memory: ask the database
    if blog is None:
        raise Http404("No LiveBlog matches the given query.")
    interval = 0 if blog.ended else settings.NEWSROOM_POLL_INTERVAL
    etag = blog.etag("poll")
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    elif since > blog.last_seq:
        response = HttpResponse(op("reload"))  # the page is from another database
    else:
        # Every reader polling from the same position gets the same bytes: rendered once.
        html = render_cache.once(blog, "poll", since, build=lambda: _catch_up_html(blog.pk, since))
        response = HttpResponse(html)
    response["ETag"] = etag
    response["X-Seq"] = str(blog.last_seq)
    response["X-Poll-Interval"] = str(interval)
    patch_cache_control(response, public=True, max_age=1 if not blog.ended else 3600)
    return response


def _catch_up_html(blog_id: int, since: int) -> str:
    event = render_catch_up(blog_id, since)
    return event.html if event else ""


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file, served only to those who may see what it belongs to.

    A post's photos, videos and renditions: to anyone while the post is public
    (cacheable); while it is not (draft, submitted, scheduled before its time,
    retracted), only to staff who may see the post (never cached); 404 to everyone
    else, as for a name that was never stored. Candidate photos and reporters'
    headshots are public. Every answer carries nosniff and a sandboxing CSP.
    """
    folder = path.split("/", 1)[0]  # newsroom.media.UploadTo's folders
    if folder == "candidates" and Candidate.objects.filter(photo=path).exists():
        return media_response(path, public=True)
    if folder == "reporters" and Reporter.objects.filter(headshot=path).exists():
        return media_response(path, public=True)
    posts = Post.objects.with_media(path)
    if folder in {"posts", "videos", "renditions", "embeds"}:
        if posts.published().exists():
            return media_response(path, public=True)
        # For readers visible_to() is published(): only staff need the second look.
        if request.user.is_staff and posts.visible_to(request.user).exists():
            return media_response(path, public=False)
    raise Http404("No such file.")
