"""Who may do what to a post or a blog. The services call these, so the admin, the API
and every later view obey the same rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as StaffUser

    from .models import Post

    # Who is acting: ``request.user`` from the admin or the API (possibly anonymous).
    User = StaffUser | AnonymousUser


def _has(user: User, perm: str) -> bool:
    return bool(user and user.is_active and user.has_perm(perm))


def can_file(user: User) -> bool:
    return _has(user, "liveblog.add_post")


def can_publish(user: User) -> bool:
    return _has(user, "liveblog.publish_post")


def can_pin(user: User) -> bool:
    return _has(user, "liveblog.pin_post")


def can_retract(user: User) -> bool:
    return _has(user, "liveblog.retract_post")


def can_edit_summary(user: User) -> bool:
    return _has(user, "liveblog.edit_summary")


def can_change_blog(user: User) -> bool:
    """Editors set a blog up: its coverage, its races."""
    return _has(user, "liveblog.change_liveblog")


def is_own(user: User, post: Post) -> bool:
    return post.author_id is not None and post.author_id == getattr(user, "pk", None)


def can_edit(user: User, post: Post) -> bool:
    """Reporters edit their own drafts; editors edit anything, published posts included."""
    if post.status == post.Status.RETRACTED:
        return False
    if post.is_editorially_locked:
        return _has(user, "liveblog.correct_post")
    if _has(user, "liveblog.edit_any_post"):
        return True
    return (
        post.status == post.Status.DRAFT
        and is_own(user, post)
        and _has(user, "liveblog.change_post")
    )


def can_submit(user: User, post: Post) -> bool:
    return _has(user, "liveblog.submit_post") and (
        is_own(user, post) or _has(user, "liveblog.edit_any_post")
    )


def can_delete(user: User, post: Post) -> bool:
    """Nothing readers have seen is ever deleted: it is retracted instead."""
    if post.status in (post.Status.PUBLISHED, post.Status.SCHEDULED, post.Status.RETRACTED):
        return False
    return can_edit(user, post) and (is_own(user, post) or _has(user, "liveblog.delete_post"))


def require(allowed: bool, message: str) -> None:
    """Raise ``PermissionDenied`` with a message a newsroom user understands."""
    if not allowed:
        raise PermissionDenied(message)
