"""Soft locks: who is editing a post right now, so colleagues do not type over each other.

A lock warns, it never blocks a save: the post's version still refuses a stale save
(``StaleEdit``). The desk takes the lock when it opens a post, renews it while the post
stays open, and lets it go on close; a lock nobody renews lapses (``EditLock.TTL``).
Someone else's live lock is taken over only by an editor who asks to. Taking, handing
over and releasing are told to the other desks through the staff log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils import timezone

from .. import permissions as perms
from ..changes import record_desk_change
from ..models import DeskChange, EditLock, Post
from .posts import check_edit, lock

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def may_take_over(user: User | AnonymousUser) -> bool:
    return perms.can_publish(user)


@transaction.atomic
def lock_open(*, post: Post, by: User | AnonymousUser, take_over: bool = False) -> EditLock:
    """Take or renew the lock on ``post`` for ``by``; the lock now in force is returned.

    If a colleague holds it and ``take_over`` is not asked (or not allowed), nothing
    changes and their lock comes back: the desk shows "… is editing this post"."""
    post = lock(post)
    check_edit(by, post)
    now = timezone.now()
    current = EditLock.objects.select_related("user").filter(post=post).first()
    colleagues = current is not None and current.user_id != by.pk and current.expires_at > now
    if colleagues and not (take_over and may_take_over(by)):
        return current  # type: ignore[return-value]
    expires = now + EditLock.TTL
    if current is not None and current.user_id == by.pk and current.expires_at > now:
        current.expires_at = expires  # a renewal: nobody else needs to hear of it
        current.save(update_fields=["expires_at"])
        return current
    EditLock.objects.filter(post=post).delete()
    taken = EditLock.objects.create(post=post, user=cast("User", by), since=now,
                                    expires_at=expires)  # fmt: skip
    record_desk_change(blog_id=post.blog_id, kind=DeskChange.Kind.LOCK, post=post, by=by)
    return taken


@transaction.atomic
def lock_release(*, post: Post, by: User | AnonymousUser) -> None:
    """Let go of ``by``'s lock on ``post`` (a colleague's lock is left alone)."""
    released, _ = EditLock.objects.filter(post=post, user_id=cast(int, by.pk)).delete()
    if released:
        record_desk_change(blog_id=post.blog_id, kind=DeskChange.Kind.LOCK, post=post, by=by)
