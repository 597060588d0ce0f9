"""The live desk: one admin screen per blog where reporters file and editors approve,
publish, schedule, pin, correct and retract, live with their colleagues.

Thin views: the compose box files through ``compose.Filing``, every button is an action
of the registry (``liveblog.actions``: its check decides what is offered, its service
acts, its refusal has one status at every door), and each region is rendered by
``regions`` for the page and for the refreshes the staff channel triggers alike. Every
view but the stream is wrapped in ``admin_site.admin_view`` (``urls.py``): signed-in
staff only, the admin's login.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from js_asset import Media as AssetMedia

from newsroom import oembed
from newsroom.params import sequence
from newsroom.staff.models import Reporter
from newsroom.web.errors import InvalidCursor
from newsroom.web.pagination import parse_cursor
from results import actions as results_actions
from results.models import Race, WinnerCall
from results.selectors import reviewed_races, wire_races

from .. import actions, services
from ..actions.forms import messages, next_round_minute
from ..html import sanitize_body
from ..live import stream as live_stream
from ..live.transports import transport
from ..models import LiveBlog, Post, PostContributor, PostEmbed
from ..services.locks import lock_open, lock_release, may_take_over
from . import channel, regions
from .compose import Filing, Outcome, byline_rows
from .forms import ComposeForm, ShowRacesForm, SummaryForm

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not (user.is_staff and user.has_perm("liveblog.view_post")):
        raise PermissionDenied("The live desk is for newsroom staff.")
    return user


def _blog(slug: str) -> LiveBlog:
    return get_object_or_404(LiveBlog, slug=slug)


def _reporters() -> list[Reporter]:
    return list(Reporter.objects.order_by("display_name"))


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every blog's desk, live ones first."""
    _staff(request)
    from django.contrib import admin

    blogs = [*LiveBlog.objects.live(), *LiveBlog.objects.upcoming(),
             *LiveBlog.objects.ended()[:20]]  # fmt: skip
    context = {**admin.site.each_context(request), "title": "Live desks", "blogs": blogs}
    return render(request, "desk/index.html", context)


@require_GET
def desk(request: HttpRequest, slug: str) -> HttpResponse:
    """The desk: compose, queue and timeline, and the channel that keeps them current."""
    from django.contrib import admin

    user = _staff(request)
    blog = _blog(slug)
    seq = blog.desk_seq  # read first: everything below is at least this new
    post = None
    if (opened := sequence(request.GET.get("post"))) is not None:
        post = Post.objects.filter(pk=opened, blog=blog).first()
    compose = _compose_context(request, blog, user, post)
    context = {
        **admin.site.each_context(request),
        **regions.context(blog, user),
        **compose,
        "title": f"Live desk: {blog.title}",
        "desk_seq": seq,
        "shortcuts": regions.SHORTCUTS,
        "photo_max_bytes": settings.NEWSROOM_IMAGE_MAX_BYTES,
        "embed_snippet": embed_snippet(request, blog),
        "media": AssetMedia.from_media(
            ComposeForm().media, nonce=getattr(request, "csp_nonce", "")
        ),
    }
    return render(request, "desk/desk.html", context)


def embed_snippet(request: HttpRequest, blog: LiveBlog) -> str:
    """What another site pastes to show the blog live in a frame that fits its posts
    (the embed view tells the frame its height; the script takes it only from here)."""
    origin = request.build_absolute_uri("/").rstrip("/")
    src = request.build_absolute_uri(reverse("liveblog:embed", args=[blog.slug]))
    return render_to_string("desk/embed_snippet.txt", {"origin": origin, "src": src,
                                                       "title": blog.title})  # fmt: skip


@require_GET
def region_fragments(request: HttpRequest, slug: str) -> HttpResponse:
    """The regions named in ``?only=`` (all by default), each as an out-of-band swap."""
    user = _staff(request)
    blog = _blog(slug)
    names = tuple(n for n in request.GET.get("only", "").split(",") if n in regions.REGIONS)
    context = regions.context(blog, user, names or regions.REGIONS)
    return render(request, "desk/_regions.html", context)


@require_GET
def timeline_older(request: HttpRequest, slug: str) -> HttpResponse:
    user = _staff(request)
    blog = _blog(slug)
    try:
        before = parse_cursor(request.GET.get("before"))
    except InvalidCursor:
        raise Http404("That page of posts does not exist.") from None
    context = {**regions.context(blog, user, ()), **regions.timeline(blog, user, before=before)}
    return render(request, "desk/_timeline_posts.html", context)


# --- Compose ----------------------------------------------------------------------------
def _compose_context(request: HttpRequest, blog: LiveBlog, user: User,
                     post: Post | None) -> dict[str, Any]:  # fmt: skip
    """The compose box, empty (the filer's own byline ready) or holding ``post``."""
    lock = None
    if post is not None:
        if (refused := actions.REGISTRY["edit"].refused(user, post)) is not None:
            raise PermissionDenied(actions.message(refused))
        lock = lock_open(post=post, by=user, take_over=request.GET.get("take_over") == "1")
        post = Post.objects.for_display().select_related("author__reporter").get(pk=post.pk)
    initial: dict[str, Any] = {"publish_at": next_round_minute()}
    if post is not None:
        initial |= {"post": post.pk, "version": post.version, **_fields(post)}
        byline = [(c.reporter, c.byline) for c in post.contributors.all()]
    else:
        byline = services.default_byline(user)
    return {
        "blog": blog,
        "compose": ComposeForm(initial=initial),
        "compose_post": post,
        "compose_byline": byline,
        "compose_photos": list(post.images.all()) if post else [],
        "compose_files": [v for v in post.videos.all() if v.file] if post else [],
        "compose_embeds": list(post.embeds.all()) if post else [],
        "compose_lock": lock if lock is not None and lock.user_id != user.pk else None,
        "compose_actions": _compose_actions(user, post),
        "reporters": _reporters(),
        "display_zone": settings.NEWSROOM_DISPLAY_TIME_ZONE,
        "user_may": actions.roles(user),
        "may_take_over": may_take_over(user),
    }


def _fields(post: Post) -> dict[str, Any]:
    """A stored post as the compose box holds it, field by field (the box's initial values,
    and what a stale save is compared with)."""
    video = next((v for v in post.videos.all() if v.url), None)
    return {
        "title": post.title, "body": post.body, "label": post.label_id,
        "key_event": post.key_event, "video_url": video.url if video else "",
        "video_caption": video.caption if video else "",
    }  # fmt: skip


def _compose_actions(user: User, post: Post | None) -> list[str]:
    """The compose box's buttons: what the registry offers this user on this post (a new
    post is a draft of their own). Editors publish or schedule, reporters submit; a draft
    is saved as a draft, anything else with Save (first, for a scheduled post: the usual
    gesture there is to fix it and leave its time)."""
    probe = post if post is not None else Post(status=Post.Status.DRAFT, author=user)
    offered = set(actions.offered(user, probe))
    go: list[str] = [n for n in ("publish", "schedule") if n in offered]
    if not go and "submit" in offered:
        go = ["submit"]
    keep: list[str] = (
        ["draft" if probe.status == Post.Status.DRAFT else "save"] if "edit" in offered else []
    )
    return keep + go if probe.status == Post.Status.SCHEDULED else go + keep


@require_GET
def compose(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """The compose box as a fragment: empty, or opened on a post (taking its soft lock)."""
    user = _staff(request)
    blog = _blog(slug)
    post = get_object_or_404(Post, pk=pk, blog=blog) if pk is not None else None
    return render(request, "desk/_compose.html", _compose_context(request, blog, user, post))


@require_POST
def compose_save(request: HttpRequest, slug: str) -> JsonResponse:
    """File what the compose box holds and take its action; the answer is JSON that the
    box applies in place (nothing typed is replaced)."""
    user = _staff(request)
    blog = _blog(slug)
    reporters = {r.pk: r for r in _reporters()}
    outcome = Filing(blog, user, request.POST, request.FILES, reporters).run()
    return _outcome_response(request, outcome)


def _outcome_response(request: HttpRequest, outcome: Outcome) -> JsonResponse:
    post = outcome.post
    body: dict[str, Any] = {
        "ok": outcome.ok,
        "post": post.pk if post else None,
        "version": post.version if post else None,
        "status": post.status if post else None,
        "statusLabel": post.get_status_display() if post else "",
        "savedAt": timezone.localtime().strftime("%H:%M:%S"),
        "errors": outcome.errors,
        "photos": outcome.photos,
        "stored": outcome.stored_photos,
        "done": outcome.done,
        "notes": outcome.notes,
    }
    status = 200 if outcome.ok else 400
    if outcome.photos and not outcome.errors and set(outcome.photos) <= outcome.too_large:
        status = 413  # refused for size alone (the words were saved), as the API answers
    if outcome.stale is not None and post is not None:
        # Theirs, field by field: the desk shows each field that differs from the box's
        # beside it, changed words marked, and saves the editor's choice per field.
        theirs = Post.objects.for_display().get(pk=post.pk)
        byline = [{"reporter": c.reporter_id, "line": c.byline} for c in theirs.contributors.all()]
        body["stale"] = {
            "message": str(outcome.stale),
            "yours": outcome.stale.expected,
            "theirs": outcome.stale.current,
            "fields": {**_fields(theirs), "byline": byline},
        }
        status = 409
    return JsonResponse(body, status=status)


@require_POST
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The post as readers will see it (the page's own partial), without saving it.
    Photos picked but not yet sent show from the browser (``#new-<n>`` addresses)."""
    _staff(request)
    blog = _blog(slug)
    form = ComposeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    stored = Post.objects.filter(pk=data.get("post") or 0, blog=blog).first()
    post = Post(
        pk=stored.pk if stored else 0, blog=blog, title=data.get("title") or "Untitled",
        body=sanitize_body(data.get("body") or ""), label=data.get("label"),
        key_event=bool(data.get("key_event")),
        published_at=stored.published_at if stored and stored.published_at else timezone.now(),
        corrected_at=timezone.now() if stored and stored.is_public else None,
        correction_note=data.get("correction_note") or "",
    )  # fmt: skip
    try:  # the filing's own reading of the byline rows
        rows = byline_rows(request.POST, {r.pk: r for r in _reporters()})
    except ValidationError:
        rows = []
    byline = [PostContributor(reporter=reporter, byline=line.strip(), order=n)
              for n, (reporter, line) in enumerate(rows)]  # fmt: skip
    photos = [p for p in stored.images.all()] if stored else []
    kept = [p for p in photos if not request.POST.get(f"photo-{p.pk}-remove")]
    for photo in kept:
        photo.alt_text = request.POST.get(f"photo-{photo.pk}-alt", photo.alt_text)
        photo.caption = request.POST.get(f"photo-{photo.pk}-caption", photo.caption)
        photo.credit = request.POST.get(f"photo-{photo.pk}-credit", photo.credit)
    new = [
        _PreviewPhoto(key, request.POST.get(f"{key}-alt", ""), request.POST.get(f"{key}-caption",
                      ""), request.POST.get(f"{key}-credit", ""), len(kept) + n)
        for n, key in enumerate(request.POST.getlist("new-photo"))
    ]  # fmt: skip
    post._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "contributors": byline, "images": [*kept, *new],
        "videos": list(stored.videos.all()) if stored else [],
        "embeds": _preview_embeds(stored, request.POST, data.get("embed_url") or ""),
    }  # fmt: skip
    html = render_to_string("desk/_preview.html", {"post": post, "blog": blog}, request)
    return HttpResponse(html)


def _preview_embeds(stored: Post | None, sent: Any, typed: str) -> list[PostEmbed]:
    """The embeds kept, and a link typed but not saved yet as the card it will at least
    be (its provider's words come when the post is saved: nobody is called to preview)."""
    embeds = [e for e in (stored.embeds.all() if stored else [])
              if not sent.get(f"embed-{e.pk}-remove")]  # fmt: skip
    typed = typed.strip()
    if typed.startswith("https://") and all(e.url != typed for e in embeds):
        found = oembed.provider_for(typed)
        provider = found[0] if found else None
        embeds.append(PostEmbed(
            url=typed, provider=provider.slug if provider else "",
            provider_name=provider.name if provider else urlsplit(typed).hostname or "",
            embed_kind=provider.kind if provider else "link", order=len(embeds),
        ))  # fmt: skip
    return embeds


class _PreviewPhoto:
    """A photo still in the reporter's browser, drawn by the page's own image partial."""

    kind = "image"
    placement = "lead"
    srcset_webp = srcset_jpeg = ""
    width = height = 0
    pk = 0

    def __init__(self, key: str, alt: str, caption: str, credit: str, order: int) -> None:
        self.key, self.alt_text, self.caption, self.credit = key[:20], alt, caption, credit
        self.order = order
        self.image = type("Picked", (), {"url": f"#{self.key}"})()


@require_POST
def lock(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    """Renew (or, for an editor who asks, take over) the soft lock on an open post."""
    user = _staff(request)
    post = get_object_or_404(Post, pk=pk, blog=_blog(slug))
    try:
        held = lock_open(post=post, by=user, take_over=request.POST.get("take_over") == "1")
    except PermissionDenied as error:
        return JsonResponse({"mine": False, "error": str(error)}, status=403)
    holder = getattr(getattr(held.user, "reporter", None), "display_name", "") or str(held.user)
    return JsonResponse(
        {
            "mine": held.user_id == user.pk,
            "holder": holder,
            "version": Post.objects.values_list("version", flat=True).get(pk=pk),
        }
    )


@require_POST
def release(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = _staff(request)
    post = get_object_or_404(Post, pk=pk, blog=_blog(slug))
    lock_release(post=post, by=user)
    return HttpResponse(status=204)


# --- Workflow buttons -------------------------------------------------------------------
def step(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    """GET: the small form an action asks for (a dialog). POST: take it; the answer
    redraws the queue and the timeline and says what happened (or why not, with the
    registry's status for the refusal)."""
    user = _staff(request)
    blog = _blog(slug)
    post = get_object_or_404(Post, pk=pk, blog=blog)
    chosen = actions.BUTTONS.get(name)
    if chosen is None:
        raise Http404("No such action.")
    if request.method == "GET":
        if chosen.form is None:
            raise Http404("This action asks for nothing: post it.")
        context = {"blog": blog, "post": post, "step": chosen.offer(post, user),
                   "form": chosen.form(),
                   "display_zone": settings.NEWSROOM_DISPLAY_TIME_ZONE}  # fmt: skip
        return render(request, "desk/_step_form.html", context)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        chosen.gate(user)
        data: dict[str, Any] = {"version": sequence(request.POST.get("version"))}
        if chosen.form is not None:
            form = chosen.form(request.POST)
            if not form.is_valid():
                return _after_step(request, blog, user, " ".join(messages(form)), 400)
            data |= form.cleaned_data
        chosen.run(post, user, data)
    except actions.REFUSALS as error:
        return _after_step(request, blog, user,
                           f"“{post}” was not {chosen.done}: {actions.message(error)}",
                           actions.refusal_status(error))  # fmt: skip
    return _after_step(request, blog, user, f"“{post}” {chosen.done}.", 200)


def _after_step(request: HttpRequest, blog: LiveBlog, user: User, message: str, status: int,
                names: tuple[str, ...] = ("queue", "timeline")) -> HttpResponse:  # fmt: skip
    context = {**regions.context(blog, user, names), "message": message,
               "message_ok": status == 200}  # fmt: skip
    return render(request, "desk/_regions.html", context, status=status)


@require_POST
def call_step(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    """A waiting winner call's one-click verdict on the desk (confirm, reject): the
    results' registry takes it; the answer redraws the results and says what happened (or
    why not, with the registry's status). Actions that ask for something (correct,
    withdraw) are the results admin's pages, linked from the desk."""
    user = _staff(request)
    blog = _blog(slug)
    reviewed = reviewed_races(list(blog.races.values_list("pk", flat=True)))
    call = get_object_or_404(WinnerCall.objects.select_related("race", "candidate"), pk=pk,
                             race__in=reviewed)  # fmt: skip
    chosen = results_actions.CALLS.get(name)
    if chosen is None or chosen.form is not None:
        raise Http404("No such one-click action on a call.")
    label = f"The call for {call.candidate.name} in {call.race.name}"
    try:
        chosen.run(call, user, {})
    except actions.REFUSALS as error:
        return _after_step(request, blog, user, f"{label}: {actions.message(error)}",
                           actions.refusal_status(error), ("results",))  # fmt: skip
    return _after_step(request, blog, user, f"{label}: {chosen.said(call)}.", 200, ("results",))


@require_POST
def move_race(request: HttpRequest, slug: str, pk: int, direction: str) -> HttpResponse:
    """Move a race a place up or down the blog's results header (editors); the answer
    redraws the results, and open pages redraw their header."""
    user = _staff(request)
    blog = _blog(slug)
    race = get_object_or_404(Race, pk=pk, blogs=blog)
    try:
        actions.BLOGS["move_race"].run(blog, user, {"race": race, "direction": direction})
    except actions.REFUSALS as error:
        return _after_step(request, blog, user, f"{race.name}: {actions.message(error)}",
                           actions.refusal_status(error), ("results",))  # fmt: skip
    return _after_step(request, blog, user, f"{race.name} moved {direction}.", 200, ("results",))


@require_POST
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """Replace the key points in place (editors), unless someone changed them meanwhile."""
    user = _staff(request)
    blog = _blog(slug)
    form = SummaryForm(request.POST)
    message, status = "Key points saved.", 200
    if not form.is_valid():
        message, status = " ".join(messages(form)), 400
    else:
        try:
            blog = actions.BLOGS["edit_summary"].run(blog, user, form.cleaned_data)
        except actions.REFUSALS as error:
            message, status = actions.message(error), actions.refusal_status(error)
    context = {**regions.context(blog, user, ("summary",)), "message": message,
               "message_ok": status == 200,
               "summary_draft": form.data.get("points", "") if status != 200 else None}  # fmt: skip
    return render(request, "desk/_regions.html", context, status=status)


def races(request: HttpRequest, slug: str) -> HttpResponse:
    """Set the blog's results up from the wire in one step: the races of the latest
    election day the feed brought (national races first, each bringing its states' table
    and map), ticked, or AP race ids typed; back to the desk once shown."""
    user = _staff(request)
    blog = _blog(slug)
    show = actions.BLOGS["show_races"]
    if (refused := show.refused(user, blog)) is not None:
        raise PermissionDenied(actions.message(refused))
    form = ShowRacesForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                show.run(blog, user, form.cleaned_data)
            except actions.REFUSALS as error:
                form.add_error(None, actions.message(error))
            else:
                return redirect("desk:desk", slug=blog.slug)
        status = 400
    shown = set(blog.races.values_list("pk", flat=True))
    context = {"blog": blog, "form": form, "races": wire_races(), "shown": shown,
               "title": f"Show races on “{blog.title}”"}  # fmt: skip
    return render(request, "desk/races.html", context, status=status)


# --- The staff channel ------------------------------------------------------------------
def _stream_access(request: HttpRequest, slug: str, grant: channel.Grant | None) -> tuple[
        int | None, tuple[int, int] | None]:  # fmt: skip
    """The id of the user who may follow the desk (signed in, or named by an engine's
    ``grant``), and the blog's (pk, desk_seq).

    Runs in the request's thread, which lives as long as the stream: its database
    connection must not (each open desk held one until PostgreSQL ran out). The same
    rule is asked again while the desk is open (``channel.still_allowed``), and at every
    request an engine makes for it."""
    try:
        user: Any = request.user
        if grant is not None:
            user = get_user_model().objects.filter(pk=grant.user_id).first()
        if user is None or not (user.is_active and user.is_staff
                                and user.has_perm("liveblog.view_post")):  # fmt: skip
            return None, None
        blog = LiveBlog.objects.filter(slug=slug).values_list("pk", "desk_seq").first()
        if grant is not None and blog is not None and blog[0] != grant.blog_id:
            return None, None
        return user.pk, blog
    finally:
        if not connection.in_atomic_block:
            connection.close()


ENDED_FOR_THE_ENGINE = live_stream.Answer(
    200, channel.event("closed", {"reason": channel.CLOSED}), dict(live_stream.HEADERS)
)  # an engine passes it on and ends the desk's stream (no hold, no next link)


async def stream(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The desk's Server-Sent Events (``channel``): signed-in staff who may see posts,
    a few desks per browser session and per account (429, 503 when the process is full,
    both with Retry-After). The push transport may hold it in an edge engine instead,
    which then asks again with a signed grant (``channel.Grant``) in place of cookies."""
    if request.method != "GET":
        return HttpResponse(status=405)
    grant = channel.Grant.read(request.GET.get("grant"))
    if request.GET.get("grant") and grant is None:
        return HttpResponse("This grant is not valid.", status=403, content_type="text/plain")
    user_id, blog = await sync_to_async(_stream_access)(request, slug, grant)
    if user_id is None:
        if grant is not None:
            return live_stream.http_response(ENDED_FOR_THE_ENGINE)
        return HttpResponse("The live desk is for newsroom staff.", status=403,
                            content_type="text/plain")  # fmt: skip
    if blog is None:
        raise Http404("No such live blog.")
    after = live_stream.cursor(request.GET.get("after"), request.headers.get("Last-Event-ID"))
    if after is None:
        return HttpResponseBadRequest("after must be a staff log sequence number")
    # A cursor beyond the log comes from another database: replay from the start (or,
    # past the catch-up limit, redraw everything).
    after = after if after <= blog[1] else 0
    held = await transport().hold_desk(live_stream.DeskOpening(
        blog[0], after, user_id, request.path,
        {k.lower(): v for k, v in request.headers.items()}, grant.token if grant else "",
    ))  # fmt: skip
    if held is not None:
        return live_stream.http_response(held)
    if grant is not None:  # only an engine may ask with a grant
        return HttpResponse("Grants are for the edge engine.", status=403,
                            content_type="text/plain")  # fmt: skip
    keys = (request.session.session_key or f"user:{user_id}", str(user_id))
    if refused := channel.admission.refusal(*keys):
        status, message = refused
        refusal = HttpResponse(message, status=status, content_type="text/plain")
        refusal["Retry-After"] = live_stream.RETRY_AFTER
        return refusal
    response = StreamingHttpResponse(
        live_stream.admitted(keys, channel.events(blog[0], after, user_id), to=channel.admission)
    )
    for header, value in live_stream.HEADERS.items():
        response[header] = value
    response["Cache-Control"] = "no-store"
    return response
