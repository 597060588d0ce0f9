"""Blog-level writes: the key-points summary, the races shown and the blog's status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import permissions as perms
from ..changes import record_change
from ..exceptions import SummaryConflict
from ..models import Change, LiveBlog

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from results.models import Race

MAX_POINTS = 12
MAX_POINT_LENGTH = 400


def check_edit_summary(user: User | AnonymousUser, blog: LiveBlog) -> None:
    perms.require(perms.can_edit_summary(user), "Only editors can change the summary.")


@transaction.atomic
def summary_update(
    *,
    blog: LiveBlog,
    by: User | AnonymousUser,
    points: list[str],
    started_from: list[str] | None = None,
) -> LiveBlog:
    """Replace the key points (in order). Blank points are dropped. ``started_from``: the
    points the editor opened; if they have changed since, nothing is saved
    (``SummaryConflict``)."""
    check_edit_summary(by, blog)
    cleaned = [" ".join(point.split()) for point in points if point and point.strip()]
    if len(cleaned) > MAX_POINTS:
        raise ValidationError(f"Keep the summary to {MAX_POINTS} points or fewer.")
    too_long = [p for p in cleaned if len(p) > MAX_POINT_LENGTH]
    if too_long:
        raise ValidationError(
            f"Each key point must be under {MAX_POINT_LENGTH} characters: “{too_long[0][:60]}…”."
        )
    blog = LiveBlog.objects.select_for_update().get(pk=blog.pk)
    if cleaned == blog.summary:
        return blog
    if started_from is not None and started_from != blog.summary:
        raise SummaryConflict
    blog.summary = cleaned
    blog.summary_updated_at = timezone.now()
    blog.save(update_fields=["summary", "summary_updated_at", "updated_at"])
    record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY, payload={"points": cleaned}, by=by)
    return blog


MAX_RACES_AT_ONCE = 60  # a state's whole ballot, or a national race and more


def check_show_races(user: User | AnonymousUser, blog: LiveBlog) -> None:
    perms.require(perms.can_change_blog(user), "Only editors can choose the blog's races.")


@transaction.atomic
def blog_show_races(*, blog: LiveBlog, by: User | AnonymousUser, races: list[Race]) -> LiveBlog:
    """Show ``races`` in the blog's results header, in one step (a national race brings
    its states' table and map); open pages redraw their header through the change log.
    Races already shown are left as they are."""
    check_show_races(by, blog)
    if not races:
        raise ValidationError("Choose at least one race to show.")
    if len(races) > MAX_RACES_AT_ONCE:
        raise ValidationError(f"Choose at most {MAX_RACES_AT_ONCE} races at a time.")
    blog = LiveBlog.objects.select_for_update().get(pk=blog.pk)
    shown = set(blog.races.values_list("pk", flat=True))
    new = [race for race in races if race.pk not in shown]
    if not new:
        return blog
    blog.races.add(*new)
    record_change(blog_id=blog.pk, kind=Change.Kind.RESULTS,
                  payload={"races": [race.pk for race in new]}, by=by)  # fmt: skip
    return blog


@transaction.atomic
def blog_move_race(*, blog: LiveBlog, by: User | AnonymousUser, race: Race,
                   direction: str) -> LiveBlog:  # fmt: skip
    """Move one of the blog's races a place up or down its results header (the editors'
    order; national first until they choose). Open pages redraw their header."""
    check_show_races(by, blog)
    if direction not in ("up", "down"):
        raise ValidationError("Move a race up or down.")
    blog = LiveBlog.objects.select_for_update().get(pk=blog.pk)
    order = blog.shown_race_ids()
    if race.pk not in order:
        raise ValidationError(f"“{race.name}” is not shown on this blog.")
    here = order.index(race.pk)
    there = here - 1 if direction == "up" else here + 1
    if not 0 <= there < len(order):
        return blog  # already first (or last): nothing moves
    order[here], order[there] = order[there], order[here]
    blog.race_order = order
    blog.save(update_fields=["race_order", "updated_at"])
    record_change(blog_id=blog.pk, kind=Change.Kind.RESULTS, payload={"order": order}, by=by)
    return blog


@transaction.atomic
def blog_set_status(*, blog: LiveBlog, by: User | AnonymousUser, status: str) -> LiveBlog:
    """Open, or end, a blog's live coverage; open pages learn of it through the log."""
    perms.require(by.has_perm("liveblog.change_liveblog"), "Only editors can open or end a blog.")
    if status not in LiveBlog.Status.values:
        raise ValidationError(f"Unknown blog status “{status}”.")
    blog = LiveBlog.objects.select_for_update().get(pk=blog.pk)
    if blog.status == status:
        return blog
    blog.status = status
    fields = ["status", "updated_at"]
    if status == LiveBlog.Status.ENDED and blog.coverage_end is None:
        blog.coverage_end = max(timezone.now(), blog.coverage_start)
        fields.append("coverage_end")
    blog.save(update_fields=fields)
    record_change(blog_id=blog.pk, kind=Change.Kind.BLOG, payload={"status": status}, by=by)
    return blog
