"""The editorial workflow of a post: submit, publish or schedule, pin, key event, retract.

draft → submitted → published, or → scheduled (public from its time on) → published
when announced; any public post → retracted. Only editors publish, pin, mark key events
or retract; reporters submit their own drafts.

Each action has its check right above its mutation, as ``check_<action>(user, post)``:
it raises ``PermissionDenied`` or ``ValidationError`` with a message a newsroom user
understands. The mutation runs the same check on the locked row; the action registry
(``liveblog.actions``) asks the same checks, so what the admin, the API and the live desk
offer is exactly what the services accept.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import permissions as perms
from ..changes import record_change
from ..exceptions import PinConflict
from ..models import PUBLIC_STATUSES, Change, Post
from ..scheduling import queue_timer
from .posts import lock, save_version

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Status = Post.Status


def _require_status(post: Post, allowed: set[str] | list[str], message: str) -> None:
    if post.status not in allowed:
        raise ValidationError(message)


# --- Submit and send back -------------------------------------------------------------


def check_submit(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_submit(user, post), "You can only submit your own posts.")
    _require_status(post, {Status.DRAFT}, "Only drafts can be submitted.")


@transaction.atomic
def post_submit(
    *, post: Post, by: User | AnonymousUser, expected_version: int | None = None
) -> Post:
    """Send a draft to the editors' approval queue."""
    post = lock(post, expected_version=expected_version)
    check_submit(by, post)
    post.status = Status.SUBMITTED
    post.submitted_at = timezone.now()
    post.return_note = ""  # answered by this submission
    save_version(post, {"status", "submitted_at", "return_note"}, by=by)
    return post


def check_return_to_draft(user: User | AnonymousUser, post: Post) -> None:
    perms.require(
        perms.is_own(user, post) or perms.can_publish(user),
        "Only the author or an editor can send a submission back.",
    )
    _require_status(post, {Status.SUBMITTED}, "Only submitted posts can go back to draft.")


MAX_NOTE_LENGTH = 2000


@transaction.atomic
def post_return_to_draft(
    *,
    post: Post,
    by: User | AnonymousUser,
    note: str = "",
    expected_version: int | None = None,
) -> Post:
    """Withdraw a submission (its author) or send it back for more work (an editor),
    with a note the reporter sees on their desk until they submit again."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError({"note": f"Keep the note under {MAX_NOTE_LENGTH} characters."})
    post = lock(post, expected_version=expected_version)
    check_return_to_draft(by, post)
    post.status = Status.DRAFT
    post.return_note = note
    post.returned_at = timezone.now()
    post.returned_by = cast("User", by)  # check_return_to_draft refuses anonymous users
    save_version(post, {"status", "return_note", "returned_at", "returned_by"}, by=by)
    return post


# --- Publish, schedule, unschedule, announce ------------------------------------------


def check_publish(user: User | AnonymousUser, post: Post) -> None:
    """Publishing now and scheduling share one rule."""
    perms.require(perms.can_publish(user), "Only editors can publish or schedule posts.")
    _require_status(
        post,
        {Status.DRAFT, Status.SUBMITTED, Status.SCHEDULED},
        "This post is already published or was retracted.",
    )
    if post.status == Status.SCHEDULED and post.is_public:
        raise ValidationError("This post's scheduled time has passed: it is already public.")


@transaction.atomic
def post_publish(
    *,
    post: Post,
    by: User | AnonymousUser,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Post:
    """Publish now, or schedule for ``at`` (an aware datetime) if that is in the future.

    A scheduled post is visible from ``at`` on by query alone; ``post_publish_due``
    announces it in the change log when its time comes.
    """
    post = lock(post, expected_version=expected_version)
    check_publish(by, post)
    if at is not None and timezone.is_naive(at):
        raise ValidationError("The publication time must include a time zone.")
    now = timezone.now()
    post.published_by = cast("User", by)  # check_publish refuses anonymous users
    if at is not None and at > now:
        post.status, post.publish_at, post.published_at = Status.SCHEDULED, at, at
        save_version(post, {"status", "publish_at", "published_at", "published_by"}, by=by)
        queue_timer(post)
        return post
    post.status, post.published_at = Status.PUBLISHED, now
    save_version(post, {"status", "published_at", "published_by"}, by=by)
    record_change(blog_id=post.blog_id, kind=Change.Kind.PUBLISHED, post=post, by=by)
    return post


def check_unschedule(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_publish(user), "Only editors can change a schedule.")
    _require_status(post, {Status.SCHEDULED}, "This post is not scheduled.")
    if post.is_public:
        raise ValidationError("This post's scheduled time has passed: retract it instead.")


@transaction.atomic
def post_unschedule(
    *, post: Post, by: User | AnonymousUser, expected_version: int | None = None
) -> Post:
    """Cancel a schedule that has not yet come: the post returns to the approval queue."""
    post = lock(post, expected_version=expected_version)
    check_unschedule(by, post)
    post.status, post.publish_at, post.published_at, post.pinned = (
        Status.SUBMITTED,
        None,
        None,
        False,
    )
    save_version(post, {"status", "publish_at", "published_at", "pinned"}, by=by)
    return post


def post_publish_due(
    *, at: datetime | None = None, post_ids: list[int] | None = None
) -> list[Post]:
    """Announce scheduled posts whose time has come, each exactly once.

    Called by the post's timer and by the sweeper (``liveblog.tasks``), never from a read:
    the status flips under the row lock, so only one caller records the change.
    """
    at = at or timezone.now()
    announced = []
    due = Post.objects.due(at=at)
    if post_ids is not None:
        due = due.filter(pk__in=post_ids)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            post = Post.objects.select_for_update().get(pk=pk)
            # A scheduled post always has its time (set together with the status).
            if post.status != Status.SCHEDULED or cast(datetime, post.published_at) > at:
                continue  # announced by someone else, or rescheduled meanwhile
            post.status = Status.PUBLISHED
            save_version(post, {"status"})
            record_change(blog_id=post.blog_id, kind=Change.Kind.PUBLISHED, post=post)
            announced.append(post)
    return announced


# --- Pin and key events ---------------------------------------------------------------


def check_pin(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_pin(user), "Only editors can pin posts.")
    if post.pinned:
        raise ValidationError("This post is already pinned.")
    if not post.is_public:
        raise ValidationError("Only a published post can be pinned.")


def check_unpin(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_pin(user), "Only editors can pin posts.")
    if not post.pinned:
        raise ValidationError("This post is not pinned.")


@transaction.atomic
def post_set_pinned(
    *, post: Post, by: User | AnonymousUser, pinned: bool, expected_version: int | None = None
) -> Post:
    """Pin a public post above the stream (replacing any other pin), or unpin it.

    Asking for what already is changes nothing (no version, no change-log entry)."""
    perms.require(perms.can_pin(by), "Only editors can pin posts.")
    post = lock(post, expected_version=expected_version)
    if pinned == post.pinned:
        return post
    (check_pin if pinned else check_unpin)(by, post)
    if not pinned:
        post.pinned = False
        save_version(post, {"pinned"}, by=by)
        record_change(blog_id=post.blog_id, kind=Change.Kind.UNPINNED, post=post, by=by)
        return post
    # Another editor pinning another post of this blog at this moment: the database's
    # one-pin constraint makes one of us wait for the other's commit and then fail.
    # The loser tries once more (now seeing the other pin, it unpins it), in a
    # savepoint so that nothing of the failed try remains; twice lost is a clean 409.
    for attempt in range(2):
        try:
            with transaction.atomic():
                _replace_pin(post, by)
            return post
        except IntegrityError:
            post.refresh_from_db(fields=["pinned", "version"])
            if attempt:
                raise PinConflict(
                    "Another editor pinned a post of this blog at the same moment: "
                    "nothing was changed. Look at the blog and pin again if needed."
                ) from None
    raise AssertionError("unreachable")


def _replace_pin(post: Post, by: User | AnonymousUser) -> None:
    for other in Post.objects.select_for_update().filter(blog_id=post.blog_id, pinned=True):
        other.pinned = False
        save_version(other, {"pinned"}, by=by)
        record_change(blog_id=other.blog_id, kind=Change.Kind.UNPINNED, post=other, by=by)
    post.pinned = True
    save_version(post, {"pinned"}, by=by)
    record_change(blog_id=post.blog_id, kind=Change.Kind.PINNED, post=post, by=by)


def check_mark_key_event(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_pin(user), "Only editors can mark key events.")
    if post.key_event:
        raise ValidationError("This post is already a key event.")
    if post.status == Status.RETRACTED:
        raise ValidationError("A retracted post cannot become a key event.")


def check_unmark_key_event(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_pin(user), "Only editors can mark key events.")
    if not post.key_event:
        raise ValidationError("This post is not a key event.")


@transaction.atomic
def post_set_key_event(
    *, post: Post, by: User | AnonymousUser, key_event: bool, expected_version: int | None = None
) -> Post:
    """Mark or unmark a key event (the reader page's "Key events" filter).

    Asking for what already is changes nothing."""
    perms.require(perms.can_pin(by), "Only editors can mark key events.")
    post = lock(post, expected_version=expected_version)
    if post.key_event == key_event:
        return post
    (check_mark_key_event if key_event else check_unmark_key_event)(by, post)
    post.key_event = key_event
    save_version(post, {"key_event"}, by=by)
    if post.is_public:
        record_change(blog_id=post.blog_id, kind=Change.Kind.EDITED, post=post, by=by)
    return post


# --- Retract --------------------------------------------------------------------------


def check_retract(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_retract(user), "Only editors can retract posts.")
    _require_status(post, PUBLIC_STATUSES, "Only published or scheduled posts retract.")


@transaction.atomic
def post_retract(
    *, post: Post, by: User | AnonymousUser, reason: str, expected_version: int | None = None
) -> Post:
    """Take a post down for good. Readers' pages drop it; the reason stays on record."""
    perms.require(perms.can_retract(by), "Only editors can retract posts.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the post is retracted (kept on record)."})
    post = lock(post, expected_version=expected_version)
    check_retract(by, post)
    was_public, was_pinned = post.is_public, post.pinned
    post.status, post.pinned = Status.RETRACTED, False
    post.retracted_at, post.retraction_reason = timezone.now(), reason.strip()
    save_version(post, {"status", "pinned", "retracted_at", "retraction_reason"}, by=by)
    if was_public:
        record_change(
            blog_id=post.blog_id,
            kind=Change.Kind.RETRACTED,
            post=post,
            payload={"was_pinned": was_pinned},
            by=by,
        )
    return post
