"""Each process's memory of where every blog's change log stands, for a moment.

The unchanged poll (``/changes/?since=`` answered 304) and every SSE connect need only a
blog's id, status and ``last_seq``. Asking the database for them on each request costs
more than the rest of the request (see ``docs/performance.md``), so each process keeps
them for ``NEWSROOM_LIVE_STATE_TTL`` seconds (half a second by default).

Correctness: an entry is dropped the moment a change of its blog commits in this process
(the seam's ``change_committed`` and ``desk_changed``; ``drawn_changed`` for a blog's own
row) and when the live channel hears of one from another process; other
processes see a change within the TTL. Callers use a cached entry only for answers that
a moment's staleness cannot make wrong ("nothing changed", "this blog exists"): anything
that reads changes fetches a fresh entry first.
"""

from __future__ import annotations

import time

from django.conf import settings

from ..models import LiveBlog
from ..models.blog import BlogState
from ..signals import CommittedChange

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


# Receivers of the seam (``liveblog.signals``), connected in ``LiveblogConfig.ready``.


def change_committed(change: CommittedChange, **kwargs: object) -> None:
    forget(change.blog_id)


def desk_changed(blog_id: int, **kwargs: object) -> None:
    """A staff-log entry (a post scheduled moves only the staff log)."""
    forget(blog_id)


def drawn_changed(what: str, blog_id: int | None, **kwargs: object) -> None:
    """A blog's own row saved or deleted (its slug may even have moved to another blog):
    rare, so everything is forgotten."""
    if what == "liveblog.liveblog":
        clear()
