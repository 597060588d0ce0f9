"""The editorial steps the admin offers, each a thin call into a service.

One table drives the change page's buttons, the confirmation pages and the changelist's
bulk actions, so the three can never disagree about who may do what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from .. import permissions as perms
from .. import services
from ..exceptions import StaleEdit
from ..models import Post
from .forms import RetractForm, ScheduleForm

Status = Post.Status
Run = Callable[[Post, Any, dict[str, Any]], Post]


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    done: str
    allowed: Callable[[Any, Post], bool]
    run: Run
    form: type[forms.Form] | None = None
    dangerous: bool = False


def _not_yet_public_schedule(post: Post) -> bool:
    return post.status == Status.SCHEDULED and not post.is_public


STEPS: dict[str, Step] = {
    step.name: step
    for step in [
        Step(
            "submit",
            "Submit for approval",
            "submitted for approval",
            lambda u, p: p.status == Status.DRAFT and perms.can_submit(u, p),
            lambda p, u, d: services.post_submit(post=p, by=u),
        ),
        Step(
            "return_to_draft",
            "Back to draft",
            "sent back to draft",
            lambda u, p: (
                p.status == Status.SUBMITTED and (perms.is_own(u, p) or perms.can_publish(u))
            ),
            lambda p, u, d: services.post_return_to_draft(post=p, by=u),
        ),
        Step(
            "publish",
            "Publish now",
            "published",
            lambda u, p: (
                perms.can_publish(u)
                and (p.status in (Status.DRAFT, Status.SUBMITTED) or _not_yet_public_schedule(p))
            ),
            lambda p, u, d: services.post_publish(post=p, by=u),
        ),
        Step(
            "schedule",
            "Schedule…",
            "scheduled",
            lambda u, p: (
                perms.can_publish(u)
                and (p.status in (Status.DRAFT, Status.SUBMITTED) or _not_yet_public_schedule(p))
            ),
            lambda p, u, d: services.post_publish(post=p, by=u, at=d["publish_at"]),
            form=ScheduleForm,
        ),
        Step(
            "unschedule",
            "Cancel schedule",
            "taken off the schedule",
            lambda u, p: perms.can_publish(u) and _not_yet_public_schedule(p),
            lambda p, u, d: services.post_unschedule(post=p, by=u),
        ),
        Step(
            "pin",
            "Pin",
            "pinned",
            lambda u, p: perms.can_pin(u) and p.is_public and not p.pinned,
            lambda p, u, d: services.post_set_pinned(post=p, by=u, pinned=True),
        ),
        Step(
            "unpin",
            "Unpin",
            "unpinned",
            lambda u, p: perms.can_pin(u) and p.pinned,
            lambda p, u, d: services.post_set_pinned(post=p, by=u, pinned=False),
        ),
        Step(
            "mark_key_event",
            "Mark as key event",
            "marked as a key event",
            lambda u, p: perms.can_pin(u) and not p.key_event and p.status != Status.RETRACTED,
            lambda p, u, d: services.post_set_key_event(post=p, by=u, key_event=True),
        ),
        Step(
            "unmark_key_event",
            "Not a key event",
            "no longer a key event",
            lambda u, p: perms.can_pin(u) and p.key_event,
            lambda p, u, d: services.post_set_key_event(post=p, by=u, key_event=False),
        ),
        Step(
            "retract",
            "Retract…",
            "retracted",
            lambda u, p: perms.can_retract(u) and p.status in (Status.PUBLISHED, Status.SCHEDULED),
            lambda p, u, d: services.post_retract(post=p, by=u, reason=d["reason"]),
            form=RetractForm,
            dangerous=True,
        ),
    ]
}


def available_steps(user: Any, post: Post) -> list[Step]:
    return [step for step in STEPS.values() if step.allowed(user, post)]


def apply(step: Step, post: Post, user: Any, data: dict[str, Any]) -> str | None:
    """Run one step; return None on success or the reason it was refused."""
    try:
        step.run(post, user, data)
    except (PermissionDenied, StaleEdit) as error:
        return str(error) or "You are not allowed to do that."
    except ValidationError as error:
        return " ".join(error.messages)
    return None
