"""The editorial workflow of a post: file, edit, submit, publish or schedule, pin, retract.

draft → submitted → published, or → scheduled (public from its time on) → published
when announced; any public post → retracted. Only editors publish, pin, correct or
retract; reporters file, edit their own drafts and submit them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import permissions as perms
from ..changes import record_change
from ..exceptions import StaleEdit
from ..html import sanitize_body
from ..models import Change, Label, LiveBlog, Post, PostContributor
from ..scheduling import queue_timer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from newsroom.staff.models import Reporter

Status = Post.Status
EDITABLE_FIELDS = {"title", "body", "label"}


def lock(post: Post, *, expected_version: int | None = None) -> Post:
    """Re-read the post under a row lock; refuse if it moved on since ``expected_version``."""
    current = Post.objects.select_for_update().get(pk=post.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(expected=expected_version, current=current.version, title=current.title)
    return current


def _save(post: Post, fields: Iterable[str]) -> None:
    post.version += 1
    post.save(update_fields={*fields, "version", "updated_at"})


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    cleaned = dict(data)
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            raise ValidationError({"title": "A post needs a title."})
    if "body" in cleaned:
        cleaned["body"] = sanitize_body(cleaned["body"])
    if (
        "label" in cleaned
        and cleaned["label"] is not None
        and not isinstance(cleaned["label"], Label)
    ):
        raise ValidationError({"label": "Unknown label."})
    return cleaned


@transaction.atomic
def post_create(
    *,
    blog: LiveBlog,
    by: User | AnonymousUser,
    title: str,
    body: str = "",
    label: Label | None = None,
    contributors: list[tuple[Reporter, str]] | None = None,
) -> Post:
    """File a new draft. The filer's own byline is used unless contributors are given."""
    perms.require(perms.can_file(by), "You do not have permission to file posts.")
    fields = _clean_fields({"title": title, "body": body, "label": label})
    author = cast("User", by)  # can_file refuses anonymous users
    post = Post.objects.create(blog=blog, author=author, status=Status.DRAFT, **fields)
    if contributors is None:
        reporter = getattr(by, "reporter", None)
        contributors = [(reporter, reporter.default_byline)] if reporter else []
    _replace_contributors(post, contributors)
    return post


@transaction.atomic
def post_update(
    *,
    post: Post,
    by: User | AnonymousUser,
    expected_version: int,
    data: dict[str, Any],
    correction_note: str = "",
) -> Post:
    """Edit a post's words. A public post's edit is shown to readers as an update."""
    post = lock(post, expected_version=expected_version)
    perms.require(perms.can_edit(by, post), _refusal(by, post))
    fields = _clean_fields(data)
    for name, value in fields.items():
        setattr(post, name, value)
    changed = set(fields)
    if post.is_public:
        post.corrected_at = timezone.now()
        post.correction_note = correction_note.strip() or post.correction_note
        changed |= {"corrected_at", "correction_note"}
    _save(post, changed)
    if post.is_public:
        record_change(blog_id=post.blog_id, kind=Change.Kind.EDITED, post=post, by=by)
    return post


@transaction.atomic
def post_set_contributors(
    *, post: Post, by: User | AnonymousUser, contributors: list[tuple[Reporter, str]]
) -> Post:
    """Replace the byline (reporter and the line under the name, in order)."""
    post = lock(post)
    perms.require(perms.can_edit(by, post), _refusal(by, post))
    _replace_contributors(post, contributors)
    return touch_edited(post=post, by=by)


def touch_edited(*, post: Post, by: User | AnonymousUser) -> Post:
    """Record that a locked post's media or byline changed (called inside ``atomic``)."""
    fields = {"updated_at"}
    if post.is_public:
        post.corrected_at = timezone.now()
        fields.add("corrected_at")
    _save(post, fields)
    if post.is_public:
        record_change(blog_id=post.blog_id, kind=Change.Kind.EDITED, post=post, by=by)
    return post


def _replace_contributors(post: Post, contributors: list[tuple[Reporter, str]]) -> None:
    post.contributors.all().delete()
    PostContributor.objects.bulk_create(
        PostContributor(post=post, reporter=reporter, byline=byline.strip(), order=i)
        for i, (reporter, byline) in enumerate(contributors)
    )


@transaction.atomic
def post_submit(*, post: Post, by: User | AnonymousUser) -> Post:
    """Send a draft to the editors' approval queue."""
    post = lock(post)
    perms.require(perms.can_submit(by, post), "You can only submit your own posts.")
    _require_status(post, {Status.DRAFT}, "Only drafts can be submitted.")
    post.status = Status.SUBMITTED
    post.submitted_at = timezone.now()
    _save(post, {"status", "submitted_at"})
    return post


@transaction.atomic
def post_return_to_draft(*, post: Post, by: User | AnonymousUser) -> Post:
    """Withdraw a submission (its author) or send it back for more work (an editor)."""
    post = lock(post)
    perms.require(
        perms.is_own(by, post) or perms.can_publish(by),
        "Only the author or an editor can send a submission back.",
    )
    _require_status(post, {Status.SUBMITTED}, "Only submitted posts can go back to draft.")
    post.status = Status.DRAFT
    _save(post, {"status"})
    return post


@transaction.atomic
def post_publish(*, post: Post, by: User | AnonymousUser, at: datetime | None = None) -> Post:
    """Publish now, or schedule for ``at`` (an aware datetime) if that is in the future.

    A scheduled post is visible from ``at`` on by query alone; ``post_publish_due``
    announces it in the change log when its time comes.
    """
    post = lock(post)
    perms.require(perms.can_publish(by), "Only editors can publish or schedule posts.")
    if at is not None and timezone.is_naive(at):
        raise ValidationError("The publication time must include a time zone.")
    _require_status(
        post,
        {Status.DRAFT, Status.SUBMITTED, Status.SCHEDULED},
        "This post is already published or was retracted.",
    )
    if post.status == Status.SCHEDULED and post.is_public:
        raise ValidationError("This post's scheduled time has passed: it is already public.")
    now = timezone.now()
    post.published_by = cast("User", by)  # can_publish refuses anonymous users
    if at is not None and at > now:
        post.status, post.publish_at, post.published_at = Status.SCHEDULED, at, at
        _save(post, {"status", "publish_at", "published_at", "published_by"})
        queue_timer(post)
        return post
    post.status, post.published_at = Status.PUBLISHED, now
    _save(post, {"status", "published_at", "published_by"})
    record_change(blog_id=post.blog_id, kind=Change.Kind.PUBLISHED, post=post, by=by)
    return post


@transaction.atomic
def post_unschedule(*, post: Post, by: User | AnonymousUser) -> Post:
    """Cancel a schedule that has not yet come: the post returns to the approval queue."""
    post = lock(post)
    perms.require(perms.can_publish(by), "Only editors can change a schedule.")
    _require_status(post, {Status.SCHEDULED}, "This post is not scheduled.")
    if post.is_public:
        raise ValidationError("This post's scheduled time has passed: retract it instead.")
    post.status, post.publish_at, post.published_at, post.pinned = (
        Status.SUBMITTED,
        None,
        None,
        False,
    )
    _save(post, {"status", "publish_at", "published_at", "pinned"})
    return post


def post_publish_due(
    *, at: datetime | None = None, post_ids: list[int] | None = None
) -> list[Post]:
    """Announce scheduled posts whose time has come, each exactly once.

    Safe to run from several places at once (a timer, a periodic sweeper): the status
    flips under the row lock, so only one caller records the change.
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
            _save(post, {"status"})
            record_change(blog_id=post.blog_id, kind=Change.Kind.PUBLISHED, post=post)
            announced.append(post)
    return announced


@transaction.atomic
def post_set_pinned(*, post: Post, by: User | AnonymousUser, pinned: bool) -> Post:
    """Pin a public post above the stream (replacing any other pin), or unpin it."""
    perms.require(perms.can_pin(by), "Only editors can pin posts.")
    post = lock(post)
    if pinned == post.pinned:
        return post
    if pinned:
        if not post.is_public:
            raise ValidationError("Only a published post can be pinned.")
        for other in Post.objects.select_for_update().filter(blog_id=post.blog_id, pinned=True):
            other.pinned = False
            _save(other, {"pinned"})
            record_change(blog_id=other.blog_id, kind=Change.Kind.UNPINNED, post=other, by=by)
    post.pinned = pinned
    _save(post, {"pinned"})
    kind = Change.Kind.PINNED if pinned else Change.Kind.UNPINNED
    record_change(blog_id=post.blog_id, kind=kind, post=post, by=by)
    return post


@transaction.atomic
def post_set_key_event(*, post: Post, by: User | AnonymousUser, key_event: bool) -> Post:
    """Mark or unmark a key event (the reader page's "Key events" filter)."""
    perms.require(perms.can_pin(by), "Only editors can mark key events.")
    post = lock(post)
    if post.key_event == key_event:
        return post
    post.key_event = key_event
    _save(post, {"key_event"})
    if post.is_public:
        record_change(blog_id=post.blog_id, kind=Change.Kind.EDITED, post=post, by=by)
    return post


@transaction.atomic
def post_retract(*, post: Post, by: User | AnonymousUser, reason: str) -> Post:
    """Take a post down for good. Readers' pages drop it; the reason stays on record."""
    perms.require(perms.can_retract(by), "Only editors can retract posts.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the post is retracted (kept on record)."})
    post = lock(post)
    _require_status(
        post, {Status.PUBLISHED, Status.SCHEDULED}, "Only published or scheduled posts retract."
    )
    was_public, was_pinned = post.is_public, post.pinned
    post.status, post.pinned = Status.RETRACTED, False
    post.retracted_at, post.retraction_reason = timezone.now(), reason.strip()
    _save(post, {"status", "pinned", "retracted_at", "retraction_reason"})
    if was_public:
        record_change(
            blog_id=post.blog_id,
            kind=Change.Kind.RETRACTED,
            post=post,
            payload={"was_pinned": was_pinned},
            by=by,
        )
    return post


@transaction.atomic
def post_delete(*, post: Post, by: User | AnonymousUser) -> None:
    """Delete a post readers never saw (published posts are retracted instead)."""
    post = lock(post)
    perms.require(perms.can_delete(by, post), "Published posts are retracted, not deleted.")
    post.delete()


def _require_status(post: Post, allowed: set[str], message: str) -> None:
    if post.status not in allowed:
        raise ValidationError(message)


def _refusal(by: User | AnonymousUser, post: Post) -> str:
    if post.status == Status.RETRACTED:
        return "A retracted post cannot be edited."
    if post.is_editorially_locked:
        return "Only editors can change a published or scheduled post."
    if not perms.is_own(by, post):
        return "You can only edit your own posts."
    return "You can only edit your post while it is a draft."
