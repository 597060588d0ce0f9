"""Appending to a blog's change log with a sequence that never goes backwards.

``record_change`` takes the blog's row lock (``SELECT … FOR UPDATE``) and bumps
``LiveBlog.last_seq`` inside the caller's transaction. The lock is held until commit,
so per blog, changes commit in ``seq`` order: a reader that has seen ``seq`` N can
never later find a change with a smaller number appear. On SQLite the same holds
because transactions start ``IMMEDIATE`` (one writer at a time). Consumers still
treat ``seq`` as gap-tolerant: they ask for "everything after N"
(``Change.objects.after``), never "N + 1". Once committed, each change goes out through
``liveblog.signals.change_committed``, the one seam its consumers subscribe to.

``record_desk_change`` keeps the staff log (``DeskChange``, the live desk's channel) the
same way, with its own sequence; every public change is mirrored there too, so a desk
follows one cursor. Committed staff changes go out through ``desk_changed``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .models import Change, DeskChange, LiveBlog
from .signals import CommittedChange, send_change_committed, send_desk_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .models import Post


def _next_seq(blog_id: int, counter: str) -> int:
    """Move one of the blog's sequences (``last_seq``, ``desk_seq``) on by one under the
    blog's row lock, held until commit, and return the new value."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a change log is appended to inside a transaction only")
    locked = LiveBlog.objects.select_for_update().values_list(counter, flat=True)
    seq = int(locked.get(pk=blog_id)) + 1
    LiveBlog.objects.filter(pk=blog_id).update(**{counter: seq})
    return seq


def record_change(
    *,
    blog_id: int,
    kind: str,
    post: Post | None = None,
    payload: dict[str, Any] | None = None,
    by: User | AnonymousUser | None = None,
) -> Change:
    """Append one change to the blog's log and return it. Call inside ``atomic``."""
    seq = _next_seq(blog_id, "last_seq")
    committed = CommittedChange(
        blog_id=blog_id, seq=seq, kind=kind, post_id=post.pk if post is not None else None
    )
    transaction.on_commit(partial(send_change_committed, committed))
    record_desk_change(blog_id=blog_id, kind=DeskChange.Kind.PUBLIC, post=post, by=by)
    return Change.objects.create(
        blog_id=blog_id,
        seq=seq,
        kind=kind,
        post=post,
        post_version=post.version if post is not None else None,
        payload=payload or {},
        by=by if by is not None and by.is_authenticated else None,
    )


def record_desk_change(
    *,
    blog_id: int,
    kind: str,
    post: Post | None = None,
    by: User | AnonymousUser | None = None,
    post_id: int | None = None,
) -> DeskChange:
    """Append one entry to the blog's staff log (call inside ``atomic``)."""
    seq = _next_seq(blog_id, "desk_seq")
    transaction.on_commit(partial(send_desk_changed, blog_id, seq))
    return DeskChange.objects.create(
        blog_id=blog_id,
        seq=seq,
        kind=kind,
        post_id=post.pk if post is not None else post_id,
        post_version=post.version if post is not None else None,
        status=post.status if post is not None else "",
        by=by if by is not None and by.is_authenticated else None,
    )
