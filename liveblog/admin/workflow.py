"""The editorial steps the admin offers, each a thin call into a service.

One table drives the change page's buttons, the confirmation pages and the changelist's
bulk actions. Whether a step is offered is the service's own check
(``services.may``), so the admin can never offer what the services would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from newsroom.apikit.conflicts import Conflict

from .. import services
from ..exceptions import StaleEdit
from ..models import Post
from .forms import RetractForm, ScheduleForm

Run = Callable[[Post, Any, dict[str, Any]], Post]


@dataclass(frozen=True)
class Step:
    name: str  # the action's name in ``services.ACTIONS``
    label: str
    done: str
    run: Run
    form: type[forms.Form] | None = None
    dangerous: bool = False

    def allowed(self, user: Any, post: Post) -> bool:
        return services.may(self.name, user, post)

    def refusal(self, user: Any, post: Post) -> str | None:
        return services.refusal(self.name, user, post)


STEPS: dict[str, Step] = {
    step.name: step
    for step in [
        Step("submit", "Submit for approval", "submitted for approval",
             lambda p, u, d: services.post_submit(post=p, by=u)),
        Step("return_to_draft", "Back to draft", "sent back to draft",
             lambda p, u, d: services.post_return_to_draft(post=p, by=u)),
        Step("publish", "Publish now", "published",
             lambda p, u, d: services.post_publish(post=p, by=u)),
        Step("schedule", "Schedule…", "scheduled",
             lambda p, u, d: services.post_publish(post=p, by=u, at=d["publish_at"]),
             form=ScheduleForm),
        Step("unschedule", "Cancel schedule", "taken off the schedule",
             lambda p, u, d: services.post_unschedule(post=p, by=u)),
        Step("pin", "Pin", "pinned",
             lambda p, u, d: services.post_set_pinned(post=p, by=u, pinned=True)),
        Step("unpin", "Unpin", "unpinned",
             lambda p, u, d: services.post_set_pinned(post=p, by=u, pinned=False)),
        Step("mark_key_event", "Mark as key event", "marked as a key event",
             lambda p, u, d: services.post_set_key_event(post=p, by=u, key_event=True)),
        Step("unmark_key_event", "Not a key event", "no longer a key event",
             lambda p, u, d: services.post_set_key_event(post=p, by=u, key_event=False)),
        Step("retract", "Retract…", "retracted",
             lambda p, u, d: services.post_retract(post=p, by=u, reason=d["reason"]),
             form=RetractForm, dangerous=True),
    ]
}  # fmt: skip


def available_steps(user: Any, post: Post) -> list[Step]:
    allowed = set(services.allowed_actions(user, post))
    return [step for step in STEPS.values() if step.name in allowed]


def apply(step: Step, post: Post, user: Any, data: dict[str, Any]) -> str | None:
    """Run one step; return None on success or the reason it was refused."""
    try:
        step.run(post, user, data)
    except (PermissionDenied, StaleEdit, Conflict) as error:
        return str(error) or "You are not allowed to do that."
    except ValidationError as error:
        return " ".join(error.messages)
    return None
