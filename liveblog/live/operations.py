"""Turn change-log entries into the operations an open page applies.

An event carries ``<template data-op=… data-target=…>`` operations whose content is the
same partial the page renders (``liveblog/_post.html``, the summary, the results
header), so the stream and the page can never drift apart. Operations always describe
the *current* state (a post published then retracted renders as a removal), which makes
applying an event twice harmless and a caught-up page equal to a fresh load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from results.selectors import race_boards

from .. import render_cache
from ..models import Change, LiveBlog, Post
from ..models.changes import CATCH_UP_LIMIT
from . import sse

POST_KINDS = {Change.Kind.PUBLISHED, Change.Kind.EDITED, Change.Kind.RETRACTED,
              Change.Kind.PINNED, Change.Kind.UNPINNED}  # fmt: skip
__all__ = ["CATCH_UP_LIMIT", "LiveEvent", "op", "render_catch_up", "render_new"]


@dataclass(frozen=True)
class LiveEvent:
    """One server-sent event: the blog's sequence number and the operations to apply."""

    seq: int
    html: str
    ended: bool = False
    recorded_at: float = 0.0  # when the change was recorded (epoch seconds; 0: a catch-up)

    @cached_property
    def wire(self) -> bytes:
        """The event on the wire (encoded once, however many readers it goes to)."""
        return sse.event("change", self.html, id=self.seq)


def op(kind: str, target: str = "", content: str = "", **data: str) -> str:
    """One ``<template>`` operation; ``content`` must already be safe (a rendered partial)."""
    attrs = "".join(f' data-{key}="{escape(value)}"' for key, value in data.items())
    return mark_safe(
        f'<template data-op="{escape(kind)}" data-target="{escape(target)}"{attrs}>'
        f"{conditional_escape(content)}</template>"
    )


class Renderer:
    """Renders the operations for a batch of changes with a constant number of queries."""

    def __init__(self, blog: LiveBlog, changes: list[Change]) -> None:
        self.blog = blog
        self.changes = changes
        post_ids = {c.post_id for c in changes if c.post_id}
        self.posts = {
            p.pk: p
            for p in Post.objects.filter(pk__in=post_ids, blog=blog).published().for_display()
        }
        kinds = {c.kind for c in changes}
        touches_pin = any(self._touches_pin(c) for c in changes)
        self.pinned_html = self._pinned() if touches_pin else None
        self.results_html = self._results() if Change.Kind.RESULTS in kinds else None

    def _touches_pin(self, change: Change) -> bool:
        """Whether the pinned slot must be redrawn: a pin change, or the pinned post changed."""
        if change.kind in (Change.Kind.PINNED, Change.Kind.UNPINNED):
            return True
        post = self.posts.get(change.post_id) if change.post_id else None
        return bool((post is not None and post.pinned) or change.payload.get("was_pinned"))

    def _pinned(self) -> str:
        pinned = self.blog.posts.published().pinned().for_display(with_blog=False).first()
        return render_to_string("liveblog/_pinned.html", {"pinned": pinned, "blog": self.blog})

    def _results(self) -> str:
        boards = race_boards(self.blog.shown_race_ids(), in_order=True)
        return render_to_string("results/_header.html", {"boards": boards, "compact": True})

    def ops_for(self, change: Change) -> list[str]:
        if change.kind in POST_KINDS and change.post_id:
            ops = [self._post_op(change.post_id)]
            if self.pinned_html is not None and self._touches_pin(change):
                ops.append(op("replace", "pinned", self.pinned_html))
            return ops
        if change.kind == Change.Kind.SUMMARY:
            html = render_to_string("liveblog/_summary.html", {"blog": self.blog})
            return [op("replace", "summary", html)]
        if change.kind == Change.Kind.RESULTS and self.results_html is not None:
            return [op("replace", "results", self.results_html)]
        if change.kind == Change.Kind.BLOG:
            html = render_to_string("liveblog/_status.html", {"blog": self.blog})
            ops = [op("replace", "blog-status", html)]
            if self.blog.status == LiveBlog.Status.ENDED:
                ops.append(op("end"))
            return ops
        return []

    def _post_op(self, post_id: int) -> str:
        post = self.posts.get(post_id)
        if post is None or post.pinned:  # not public (any more), or shown in the pinned slot
            return op("remove", f"post-{post_id}")
        card = render_cache.card(post, shared=False)  # the page's card, without cache trips
        return op(
            "upsert",
            post.anchor,
            card,
            published=cast(datetime, post.published_at).isoformat(),  # published() posts
            title=post.title,
            key=str(post.key_event).lower(),
        )

    def events(self) -> list[LiveEvent]:
        """One event per change, in order (the live path)."""
        ended = self.blog.status == LiveBlog.Status.ENDED
        return [
            LiveEvent(
                seq=c.seq,
                html="".join(self.ops_for(c)),
                ended=ended and c.kind == Change.Kind.BLOG,
                recorded_at=c.created_at.timestamp(),
            )
            for c in self.changes
        ]

    def catch_up(self) -> LiveEvent | None:
        """All changes as one event, keeping only the newest operation per target."""
        if not self.changes:
            return None
        last = self.changes[-1].seq
        latest: dict[str, Change] = {}
        for change in self.changes:
            key = f"post-{change.post_id}" if change.post_id else change.kind
            latest.pop(key, None)  # re-insert, so the order is that of the newest change
            latest[key] = change
        ops: list[str] = []
        seen: set[str] = set()
        for change in latest.values():
            for html in self.ops_for(change):
                if html not in seen:
                    seen.add(html)
                    ops.append(html)
        ended = self.blog.status == LiveBlog.Status.ENDED
        return LiveEvent(seq=last, html="".join(ops), ended=ended)


def display_zone() -> ZoneInfo:
    # Pages render in the newsroom's zone (its middleware); events must match them even
    # when rendered outside any request.
    return ZoneInfo(settings.NEWSROOM_DISPLAY_TIME_ZONE)


def render_new(blog_id: int, after: int) -> list[LiveEvent]:
    """Events for the changes after ``after`` (sync: call through ``sync_to_async``)."""
    changes = list(Change.objects.after(blog_id, after)[:500])
    if not changes:
        return []
    with timezone.override(display_zone()):
        return Renderer(LiveBlog.objects.get(pk=blog_id), changes).events()


def render_catch_up(blog_id: int, after: int, *, upto: int | None = None) -> LiveEvent | None:
    """One compacted event bringing a page from ``after`` to now (or to ``upto``), or None
    if it is current."""
    changes, more = Change.objects.catch_up(blog_id, after, upto=upto)
    if not changes:
        return None
    if more:  # past CATCH_UP_LIMIT a fresh page costs less than the replay
        return LiveEvent(seq=upto or changes[-1].seq, html=op("reload"))
    with timezone.override(display_zone()):
        return Renderer(LiveBlog.objects.get(pk=blog_id), changes).catch_up()
