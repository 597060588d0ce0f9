"""Appending to a blog's change log with a sequence that never goes backwards.

``record_change`` takes the blog's row lock (``SELECT … FOR UPDATE``) and bumps
``LiveBlog.last_seq`` inside the caller's transaction. The lock is held until commit,
so per blog, changes commit in ``seq`` order: a reader that has seen ``seq`` N can
never later find a change with a smaller number appear. On SQLite the same holds
because transactions start ``IMMEDIATE`` (one writer at a time). Consumers still
treat ``seq`` as gap-tolerant: they ask for "everything after N", never "N + 1".
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

from newsroom.partners.tasks import on_change_committed as webhooks_on_commit

from .live.notify import announce
from .models import Change, LiveBlog

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .models import Post


def record_change(
    *,
    blog_id: int,
    kind: str,
    post: Post | None = None,
    payload: dict[str, Any] | None = None,
    by: User | AnonymousUser | None = None,
) -> Change:
    """Append one change to the blog's log and return it. Call inside ``atomic``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change must run inside a transaction")
    seq = (
        LiveBlog.objects.select_for_update().values_list("last_seq", flat=True).get(pk=blog_id) + 1
    )
    LiveBlog.objects.filter(pk=blog_id).update(last_seq=seq)
    transaction.on_commit(partial(announce, blog_id, seq))
    transaction.on_commit(partial(webhooks_on_commit, blog_id, seq))
    return Change.objects.create(
        blog_id=blog_id,
        seq=seq,
        kind=kind,
        post=post,
        post_version=post.version if post is not None else None,
        payload=payload or {},
        by=by if by is not None and by.is_authenticated else None,
    )


def changes_after(blog_id: int, seq: int, *, limit: int = 500) -> list[Change]:
    """The blog's changes after ``seq``, oldest first (the cursor readers resume from)."""
    return list(
        Change.objects.filter(blog_id=blog_id, seq__gt=seq).order_by("seq")[: max(1, limit)]
    )
