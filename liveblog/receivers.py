"""How liveblog reacts to other apps' news (connected in ``LiveblogConfig.ready``)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .changes import record_change, record_desk_change
from .models import Change, DeskChange, LiveBlog
from .services.calls import draft_after_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def results_changed(
    sender: object, *, race_id: int, payload: dict[str, Any], by: User | None, **kwargs: object
) -> None:
    """A race's results changed: each blog showing the race records it in its change log
    (inside the results writer's transaction: only that), so open pages redraw their
    header. A call an editor confirmed gets its post once that transaction commits."""
    for blog_id in LiveBlog.objects.filter(races=race_id).values_list("pk", flat=True):
        record_change(blog_id=blog_id, kind=Change.Kind.RESULTS, payload=payload, by=by)
    if payload.get("call") and not payload.get("withdrawn") and by is not None:
        transaction.on_commit(partial(draft_after_commit, int(payload["call"]), by.pk))


def calls_waiting(sender: object, *, race_id: int, **kwargs: object) -> None:
    """A call readers do not see yet changed (made, proposed, rejected): each blog showing
    the race, or the national race it counts towards, tells its desks (the staff log, in
    the writer's transaction), so the editors who must confirm it see it at once."""
    for blog_id in LiveBlog.objects.showing_calls_of(race_id).values_list("pk", flat=True):
        record_desk_change(blog_id=blog_id, kind=DeskChange.Kind.CALL)
