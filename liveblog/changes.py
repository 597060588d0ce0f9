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

``one_gesture()`` makes what an editor does with one click one unit of work: a desk Save
that touches the words, the byline and a photo, or an admin save with its inlines, runs
in one transaction, moves each post's version once (``gesture_version``) and leaves at
most one public change and one staff-log entry per post (a later edit of the same post
in the gesture updates the entry it already made), so readers get one push and partners
one webhook. Parts run in savepoints as before: a refused part is rolled back alone, and
an entry it made is then simply made again by the next part that needs one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .models import Change, DeskChange, LiveBlog
from .signals import CommittedChange, send_change_committed, send_desk_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .models import Post


@dataclass
class _Gesture:
    versions: dict[int, int] = field(default_factory=dict)  # post → the version it gave
    changes: dict[int, int] = field(default_factory=dict)  # post → its public change's pk
    entries: dict[int, int] = field(default_factory=dict)  # post → its staff-log entry's pk


_gesture: ContextVar[_Gesture | None] = ContextVar("one_gesture", default=None)


@contextmanager
def one_gesture() -> Iterator[None]:
    """One editor's gesture as one unit of work (see the module's docstring); nested
    gestures are the outer one."""
    if _gesture.get() is not None:
        yield
        return
    token = _gesture.set(_Gesture())
    try:
        with transaction.atomic():
            yield
    finally:
        _gesture.reset(token)


def gesture_version(post: Post) -> bool:
    """Move ``post.version`` on for a new save, unless this gesture already did (the row,
    re-read under its lock, still carries the version the gesture gave it). True if it
    moved."""
    gesture = _gesture.get()
    if gesture is not None and gesture.versions.get(post.pk) == post.version:
        return False
    post.version += 1
    if gesture is not None:
        gesture.versions[post.pk] = post.version
    return True


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
    """Append one change to the blog's log and return it. Call inside ``atomic``.

    In a gesture, a post's later ``edited`` change updates the change the gesture already
    made for that post (its kind stays: a publish with its last edits is a publish)."""
    gesture = _gesture.get()
    if gesture is not None and post is not None and kind == Change.Kind.EDITED:
        earlier = gesture.changes.get(post.pk)
        if earlier is not None:
            change = Change.objects.filter(pk=earlier).first()  # None: rolled back
            if change is not None:
                change.post_version = post.version
                change.payload = {**change.payload, **(payload or {})}
                change.save(update_fields=["post_version", "payload"])
                return change
    seq = _next_seq(blog_id, "last_seq")
    committed = CommittedChange(
        blog_id=blog_id, seq=seq, kind=kind, post_id=post.pk if post is not None else None
    )
    transaction.on_commit(partial(send_change_committed, committed))
    record_desk_change(blog_id=blog_id, kind=DeskChange.Kind.PUBLIC, post=post, by=by)
    change = Change.objects.create(
        blog_id=blog_id,
        seq=seq,
        kind=kind,
        post=post,
        post_version=post.version if post is not None else None,
        payload=payload or {},
        by=by if by is not None and by.is_authenticated else None,
    )
    if gesture is not None and post is not None:
        gesture.changes[post.pk] = change.pk
    return change


def record_desk_change(
    *,
    blog_id: int,
    kind: str,
    post: Post | None = None,
    by: User | AnonymousUser | None = None,
    post_id: int | None = None,
) -> DeskChange:
    """Append one entry to the blog's staff log (call inside ``atomic``). In a gesture, a
    post gets one entry (lock, filed, saved or public, the strongest of these that applies):
    a later one updates it."""
    gesture = _gesture.get()
    merged = gesture is not None and post is not None and kind in _MERGED
    if merged and gesture is not None and post is not None and post.pk in gesture.entries:
        entry = DeskChange.objects.filter(pk=gesture.entries[post.pk]).first()
        if entry is not None:  # else it was rolled back with its part: made again below
            entry.kind = max(entry.kind, kind, key=lambda k: _MERGED.index(DeskChange.Kind(k)))
            entry.post_version, entry.status = post.version, post.status
            entry.save(update_fields=["kind", "post_version", "status"])
            return entry
    seq = _next_seq(blog_id, "desk_seq")
    transaction.on_commit(partial(send_desk_changed, blog_id, seq))
    entry = DeskChange.objects.create(
        blog_id=blog_id,
        seq=seq,
        kind=kind,
        post_id=post.pk if post is not None else post_id,
        post_version=post.version if post is not None else None,
        status=post.status if post is not None else "",
        by=by if by is not None and by.is_authenticated else None,
    )
    if merged and gesture is not None and post is not None:
        gesture.entries[post.pk] = entry.pk
    return entry


# What one gesture may leave of a post in the staff log, weakest first (a desk reads any
# entry of a post as "look at it again", its lock included).
_MERGED = [DeskChange.Kind.LOCK, DeskChange.Kind.FILED, DeskChange.Kind.SAVED,
           DeskChange.Kind.PUBLIC]  # fmt: skip
