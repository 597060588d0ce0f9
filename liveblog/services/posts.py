"""Filing and editing a post: create, edit words and byline, delete an unseen draft.

Reporters file and edit their own drafts; editors edit anything, published posts
included (a correction readers see as "Updated"). A save that changes nothing changes
nothing: no new version, no "Updated", no event on open pages. The workflow (submit,
publish, pin, retract) is in ``workflow.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import permissions as perms
from ..changes import gesture_version, record_change, record_desk_change
from ..exceptions import StaleEdit
from ..html import sanitize_body
from ..models import Change, DeskChange, Label, LiveBlog, Post, PostContributor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from newsroom.staff.models import Reporter

Status = Post.Status
EDITABLE_FIELDS = {"title", "body", "label"}
Byline = list[tuple["Reporter", str]]


def lock(post: Post, *, expected_version: int | None = None) -> Post:
    """Re-read the post under a row lock; refuse if it moved on since ``expected_version``.

    Every service that changes a post starts here (inside its transaction)."""
    current = Post.objects.select_for_update().get(pk=post.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(expected=expected_version, current=current.version, title=current.title)
    return current


def save_version(
    post: Post, fields: Iterable[str], *, by: User | AnonymousUser | None = None
) -> None:
    """Save ``fields`` as the post's next version (callers hold the row lock), and tell
    the desks (the staff log: drafts and submissions included). Within one gesture
    (``one_gesture``) the version moves once, however many parts are saved."""
    gesture_version(post)
    post.save(update_fields={*fields, "version", "updated_at"})
    record_desk_change(blog_id=post.blog_id, kind=DeskChange.Kind.SAVED, post=post, by=by)


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


def check_edit(user: User | AnonymousUser, post: Post) -> None:
    """Words, media and byline: reporters their own drafts, editors anything not retracted."""
    if perms.can_edit(user, post):
        return
    if post.status == Status.RETRACTED:
        perms.require(False, "A retracted post cannot be edited.")
    if post.is_editorially_locked:
        perms.require(False, "Only editors can change a published or scheduled post.")
    if not perms.is_own(user, post):
        perms.require(False, "You can only edit your own posts.")
    perms.require(False, "You can only edit your post while it is a draft.")


def check_delete(user: User | AnonymousUser, post: Post) -> None:
    perms.require(perms.can_delete(user, post), "Published posts are retracted, not deleted.")


@transaction.atomic
def post_create(
    *,
    blog: LiveBlog,
    by: User | AnonymousUser,
    title: str,
    body: str = "",
    label: Label | None = None,
    contributors: Byline | None = None,
) -> Post:
    """File a new draft. The filer's own byline is used unless contributors are given."""
    perms.require(perms.can_file(by), "You do not have permission to file posts.")
    fields = _clean_fields({"title": title, "body": body, "label": label})
    author = cast("User", by)  # can_file refuses anonymous users
    post = Post.objects.create(blog=blog, author=author, status=Status.DRAFT, **fields)
    _replace_contributors(post, default_byline(by) if contributors is None else contributors)
    record_desk_change(blog_id=blog.pk, kind=DeskChange.Kind.FILED, post=post, by=by)
    return post


@transaction.atomic
def post_file_for_call(*, blog: LiveBlog, author: User, call_id: int, title: str, body: str,
                       label: Label | None = None) -> Post | None:  # fmt: skip
    """File the post announcing a confirmed winner call, straight into the approval
    queue: Newsroom writes it on the confirming editor's behalf (their name, not their
    permission to file: an editor who may call races need not file posts). Once per blog
    and call: None if the blog has it already (the call's post is filed at most once)."""
    if Post.objects.filter(blog=blog, announces_call=call_id).exists():
        return None
    fields = _clean_fields({"title": title, "body": body, "label": label})
    try:
        with transaction.atomic():  # two drafters at once: the unique constraint decides
            post = Post.objects.create(blog=blog, author=author, status=Status.SUBMITTED,
                                       submitted_at=timezone.now(), announces_call=call_id,
                                       **fields)  # fmt: skip
    except IntegrityError:
        return None  # filed by the other one meanwhile
    _replace_contributors(post, default_byline(author))
    record_desk_change(blog_id=blog.pk, kind=DeskChange.Kind.FILED, post=post, by=author)
    return post


def default_byline(user: User | AnonymousUser) -> Byline:
    """The filer's own name and default line ("Reporting from …"), if they have a profile."""
    reporter = getattr(user, "reporter", None)
    return [(reporter, reporter.default_byline)] if reporter else []


@transaction.atomic
def post_update(
    *,
    post: Post,
    by: User | AnonymousUser,
    expected_version: int,
    data: dict[str, Any],
    correction_note: str = "",
) -> Post:
    """Edit a post's words. A public post's edit is shown to readers as an update.

    Nothing that differs from what is stored: nothing happens (no version, no event)."""
    post = lock(post, expected_version=expected_version)
    check_edit(by, post)
    fields = _clean_fields(data)
    changed = {name for name, value in fields.items() if _differs(post, name, value)}
    note = correction_note.strip()
    if post.is_public and note and note != post.correction_note:
        post.correction_note = note
        changed.add("correction_note")
    if not changed:
        return post
    for name in changed & EDITABLE_FIELDS:
        setattr(post, name, fields[name])
    if post.is_public:
        post.corrected_at = timezone.now()
        changed.add("corrected_at")
    save_version(post, changed, by=by)
    if post.is_public:
        record_change(blog_id=post.blog_id, kind=Change.Kind.EDITED, post=post, by=by)
    return post


def _differs(post: Post, name: str, value: Any) -> bool:
    if name == "body":  # stored bodies are sanitised; compare like with like
        return bool(value != sanitize_body(post.body))
    if name == "label":
        return post.label_id != (value.pk if value is not None else None)
    return bool(getattr(post, name) != value)


@transaction.atomic
def post_set_contributors(
    *,
    post: Post,
    by: User | AnonymousUser,
    contributors: Byline,
    expected_version: int | None = None,
) -> Post:
    """Replace the byline (reporter and the line under the name, in order).

    The same byline again changes nothing."""
    post = lock(post, expected_version=expected_version)
    check_edit(by, post)
    wanted = [(reporter.pk, line.strip()) for reporter, line in contributors]
    if len({pk for pk, _ in wanted}) != len(wanted):
        raise ValidationError("Each reporter can appear once in a byline.")
    current = list(post.contributors.order_by("order", "id").values_list("reporter_id", "byline"))
    if wanted == current:
        return post
    _replace_contributors(post, contributors)
    return touch_edited(post=post, by=by)


def touch_edited(*, post: Post, by: User | AnonymousUser) -> Post:
    """Record that a post's media or byline changed (called inside ``atomic``, with the
    row locked): a new version, and for a public post an update readers see."""
    fields = {"updated_at"}
    if post.is_public:
        post.corrected_at = timezone.now()
        fields.add("corrected_at")
    save_version(post, fields, by=by)
    if post.is_public:
        record_change(blog_id=post.blog_id, kind=Change.Kind.EDITED, post=post, by=by)
    return post


def _replace_contributors(post: Post, contributors: Byline) -> None:
    post.contributors.all().delete()
    PostContributor.objects.bulk_create(
        PostContributor(post=post, reporter=reporter, byline=byline.strip(), order=i)
        for i, (reporter, byline) in enumerate(contributors)
    )


@transaction.atomic
def post_delete(*, post: Post, by: User | AnonymousUser) -> None:
    """Delete a post readers never saw (published posts are retracted instead)."""
    post = lock(post)
    check_delete(by, post)
    blog_id, post_id = post.blog_id, post.pk
    post.delete()
    record_desk_change(blog_id=blog_id, kind=DeskChange.Kind.DELETED, post_id=post_id, by=by)
