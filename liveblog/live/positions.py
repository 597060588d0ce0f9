"""Each process's memory of where every blog's change log stands, for a moment.

The unchanged poll (``/changes/?since=`` answered 304) and every SSE connect need only a
blog's id, status and ``last_seq``. Asking the database for them on each request costs
more than the rest of the request (see ``docs/performance.md``), so each process keeps
them for ``NEWSROOM_LIVE_STATE_TTL`` seconds (half a second by default).

Correctness: an entry is dropped the moment this process records a change of its blog
(``Change`` saved) and when the live channel hears of one from another process; other
processes see a change within the TTL. Callers use a cached entry only for answers that
a moment's staleness cannot make wrong ("nothing changed", "this blog exists"): anything
that reads changes fetches a fresh entry first.
"""

from __future__ import annotations

import time

from django.conf import settings

from ..models import Change, DeskChange, LiveBlog
from ..models.blog import BlogState

MAX_ENTRIES = 1024


_by_slug: dict[str, BlogState] = {}


def cached(slug: str) -> BlogState | None:
    """The remembered state if it is younger than the TTL (no database access)."""
    state = _by_slug.get(slug)
    if state is None or time.monotonic() - state.fetched >= settings.NEWSROOM_LIVE_STATE_TTL:
        return None
    return state


def fetch(slug: str) -> BlogState | None:
    """The blog's state from the database (one query), remembered for the TTL."""
    state = LiveBlog.objects.state(slug)
    if state is None:
        _by_slug.pop(slug, None)
        return None
    if len(_by_slug) >= MAX_ENTRIES:
        _by_slug.clear()  # many blogs at once is rare; starting afresh is cheap
    _by_slug[slug] = state
    return state


def get(slug: str) -> BlogState | None:
    """The remembered state, or a fresh one."""
    return cached(slug) or fetch(slug)


def forget(blog_id: int) -> None:
    """Drop what is remembered of a blog (it has changed)."""
    for slug, state in list(_by_slug.items()):
        if state.pk == blog_id:
            _by_slug.pop(slug, None)


def clear() -> None:
    _by_slug.clear()


def change_saved(sender: type[Change | DeskChange], instance: Change | DeskChange,
                 created: bool, **kwargs: object) -> None:  # fmt: skip
    """``post_save`` receiver for ``Change`` and ``DeskChange`` (a post scheduled moves
    only the staff log): connected in ``LiveblogConfig.ready``."""
    if created:
        forget(instance.blog_id)


def blog_saved_or_deleted(sender: type[LiveBlog], instance: LiveBlog, **kwargs: object) -> None:
    """``post_save``/``post_delete`` receiver for ``LiveBlog``: a blog created, saved or
    deleted (a slug may even move to another blog)."""
    _by_slug.pop(instance.slug, None)
    if instance.pk is not None:
        forget(instance.pk)
