"""What each region of the desk shows, for one staff member, in a constant number of
queries whatever the blog's length. The page and the live refreshes share these (and
the templates ``desk/_<region>.html``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import strip_tags

from newsroom.web.pagination import Cursor, newest_first_page
from results import actions as results_actions
from results.selectors import calls_to_review, race_boards, reviewed_races

from .. import actions
from ..models import EditLock, LiveBlog, Post, PostEmbed, PostImage, PostVideo
from ..services.locks import may_take_over
from .channel import on_desk

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REGIONS = ("queue", "timeline", "summary", "results", "presence")
TIMELINE_PAGE = 20
QUEUE_LIMIT = 50

# The keys of the desk, listed on the page and shown by "?" (desk.js binds them). None is a
# browser's own: Alt + digit switches tabs in Chrome and Firefox on Linux and Windows, and
# Ctrl + Shift + P opens Firefox's private window, so those moved to Alt + Shift.
SHORTCUTS = [
    ("Ctrl/⌘ + Enter", "Publish now (editors) or submit for approval (reporters)"),
    ("Ctrl/⌘ + S", "Save draft"),
    ("Alt + Shift + P", "Preview"),
    ("Alt + Shift + 1 / 2 / 3", "Go to compose / queue / timeline"),
    ("Alt + Shift + N", "New post"),
    ("Tab from the body", "The formatting toolbar (arrows along it, Esc back to the body)"),
    ("?", "These shortcuts (outside a text field)"),
    ("Esc", "Close a dialog"),
]


def _with_lock(posts: Any) -> Any:
    has_media = (
        Exists(PostImage.objects.filter(post=OuterRef("pk")))
        | Exists(PostVideo.objects.filter(post=OuterRef("pk")))
        | Exists(PostEmbed.objects.filter(post=OuterRef("pk")))
    )
    return posts.select_related("edit_lock__user__reporter", "author__reporter").annotate(
        has_media=has_media
    )


def mark(posts: list[Post], user: User) -> list[Post]:
    """Attach what the desk shows beside each post: what this user may do with it, and
    who else is editing it (from rows already loaded: no query per post)."""
    for post in posts:
        offered = actions.offered(user, post)
        post.desk_actions = set(offered)  # type: ignore[attr-defined]
        post.desk_buttons = actions.buttons(user, post, offered)  # type: ignore[attr-defined]
        # Only a headline (no body text, photo, video or embed): its card asks first.
        text = strip_tags(post.body).strip()
        post.headline_only = not text and not getattr(post, "has_media", True)  # type: ignore[attr-defined]
        lock = getattr(post, "edit_lock", None) if _lock_loaded(post) else None
        held = lock is not None and lock.is_held and lock.user_id != user.pk
        post.locked_by = lock.user if held else None  # type: ignore[attr-defined, union-attr]
    return posts


def _lock_loaded(post: Post) -> bool:
    try:
        post.edit_lock  # noqa: B018  (loaded by select_related; None raises DoesNotExist)
    except EditLock.DoesNotExist:
        return False
    return True


def queue(blog: LiveBlog, user: User) -> dict[str, Any]:
    """The inbox: submissions (all of them for editors, one's own for reporters), one's
    own drafts with any note from the editors, and the scheduled posts."""
    posts = _with_lock(Post.objects.filter(blog=blog).select_related("label", "returned_by"))
    editor = actions.role_allows("publish", user)
    awaiting = posts.awaiting_approval()
    if not editor:
        awaiting = awaiting.filter(author_id=user.pk)
    counts = Post.objects.filter(blog=blog).aggregate(
        awaiting=Count("pk", filter=Q(status=Post.Status.SUBMITTED)),
        upcoming=Count("pk", filter=Q(status=Post.Status.SCHEDULED)),
    )
    return {
        "awaiting": mark(list(awaiting[:QUEUE_LIMIT]), user),
        "awaiting_count": counts["awaiting"],
        "drafts": mark(list(posts.drafts_of(user)[:QUEUE_LIMIT]), user),
        "upcoming": mark(list(posts.upcoming()[:QUEUE_LIMIT]), user),
        "is_editor": editor,
    }


def timeline(blog: LiveBlog, user: User, *, before: Cursor | None = None) -> dict[str, Any]:
    """The published posts as readers see them, newest first, a page at a time."""
    visible = _with_lock(Post.objects.filter(blog=blog).published().for_display())
    page = newest_first_page(visible, field="published_at", limit=TIMELINE_PAGE, after=before)
    pinned = None
    if before is None:
        pinned = next(iter(mark(list(visible.pinned()[:1]), user)), None)
    return {"posts": mark(page.items, user), "next_cursor": page.next, "pinned": pinned,
            "older_page": before is not None}  # fmt: skip


DESK_SHOWN_CALLS = 5  # calls readers see, listed on the desk (the latest)


def results(blog: LiveBlog, user: User) -> dict[str, Any]:
    """The results header as readers see it, and what this editor may do about it, as
    the results' registry says: record or call each race (the admin's pages, which come
    back to the desk), confirm or reject a waiting call in one click, correct or withdraw
    a shown one."""
    race_ids = blog.shown_race_ids()
    boards = race_boards(race_ids, with_history=False, in_order=True)
    back = "?" + urlencode({"next": reverse("desk:desk", args=[blog.slug])})

    def link(url_name: str, pk: int) -> str:
        return reverse(f"admin:{url_name}", args=[pk]) + back

    every = calls_to_review(reviewed_races(race_ids))
    called = {call.race_id for call in every}
    # Every call waiting for a second editor; of those readers see, the latest few (a
    # national race's 51 states would bury the timeline), the rest in the admin's list.
    confirmed = [(c.confirmed_at, c) for c in every if c.confirmed_at is not None]
    shown = [c for _, c in sorted(confirmed, key=lambda pair: pair[0], reverse=True)]
    calls = [c for c in every if not c.confirmed_at] + shown[:DESK_SHOWN_CALLS]
    for board in boards:
        board.race.has_standing_call = board.race.pk in called  # type: ignore[attr-defined]
        board.race.desk_actions = [  # type: ignore[attr-defined]
            (link(f"results_race_{name}", board.race.pk), results_actions.RACES[name].label)
            for name in results_actions.RACES.offered(user, board.race)
        ]
    for call in calls:
        offered = results_actions.CALLS.offered(user, call)
        if (
            "reject" in offered and "withdraw" in offered
        ):  # a second editor's one click says it: no second way
            offered.remove("withdraw")
        call.desk_buttons = [  # type: ignore[attr-defined]
            results_actions.CALLS[name]
            for name in offered
            if results_actions.CALLS[name].form is None
        ]
        call.desk_links = [  # type: ignore[attr-defined]
            (link(f"results_call_{name}", call.pk), results_actions.CALLS[name].label)
            for name in offered
            if results_actions.CALLS[name].form is not None
        ]
    return {"boards": boards, "calls": calls,
            "waiting_calls": sum(1 for call in calls if call.confirmed_at is None),
            "more_calls": max(0, len(shown) - DESK_SHOWN_CALLS),
            "all_calls_url": reverse("admin:results_winnercall_changelist"),
            "may_show_races": actions.BLOGS.may("show_races", user, blog),
            "may_order_races": len(boards) > 1
                               and actions.BLOGS.may("move_race", user, blog)}  # fmt: skip


def presence(blog: LiveBlog, user: User) -> dict[str, Any]:
    # The channel's own reading, for the first paint; editors get the Operations page too.
    may_see_operations = user.is_superuser or user.has_perm("liveblog.change_liveblog")
    return {**on_desk(blog.pk), "may_see_operations": may_see_operations}


def summary(blog: LiveBlog, user: User) -> dict[str, Any]:
    return {
        "can_edit_summary": actions.BLOGS.may("edit_summary", user, blog),
        "summary_json": json.dumps(blog.summary),
    }


BUILDERS = {"queue": queue, "timeline": timeline, "summary": summary, "results": results,
            "presence": presence}  # fmt: skip


def context(blog: LiveBlog, user: User, names: tuple[str, ...] = REGIONS) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "blog": blog,
        "user_may": actions.roles(user),
        "may_take_over": may_take_over(user),
        "display_zone": settings.NEWSROOM_DISPLAY_TIME_ZONE,
        "regions": names,
    }
    for name in names:
        ctx.update(BUILDERS[name](blog, user))
    return ctx
