"""The editorial steps the admin offers, each a thin call into a service.

One table drives the change page's buttons, the confirmation pages and the changelist's
bulk actions. A step taken from a post's page carries the version the editor reviewed
(``?version=`` on the button, a hidden field on the confirmation): if the post changed
in between, the service refuses it with both versions named (``StaleEdit``). Whether a
step is offered is the service's own check (``services.may``), so the admin can never
offer what the services would refuse.
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

Extra = Callable[[dict[str, Any]], dict[str, Any]]


def _nothing(data: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Step:
    name: str  # the action's name in ``services.ACTIONS``
    label: str
    done: str
    service: Callable[..., Post]
    extra: Extra = _nothing  # the service's own arguments, from the step's form
    form: type[forms.Form] | None = None
    dangerous: bool = False

    def run(self, post: Post, user: Any, data: dict[str, Any]) -> Post:
        """Call the service, with the version the editor reviewed when there is one."""
        version = data.get("version")
        return self.service(post=post, by=user, expected_version=version, **self.extra(data))

    def allowed(self, user: Any, post: Post) -> bool:
        return services.may(self.name, user, post)

    def refusal(self, user: Any, post: Post) -> str | None:
        return services.refusal(self.name, user, post)


STEPS: dict[str, Step] = {
    step.name: step
    for step in [
        Step("submit", "Submit for approval", "submitted for approval", services.post_submit),
        Step("return_to_draft", "Back to draft", "sent back to draft",
             services.post_return_to_draft, lambda d: {"note": d.get("note", "")}),
        Step("publish", "Publish now", "published", services.post_publish),
        Step("schedule", "Schedule…", "scheduled", services.post_publish,
             lambda d: {"at": d["publish_at"]}, form=ScheduleForm),
        Step("unschedule", "Cancel schedule", "taken off the schedule",
             services.post_unschedule),
        Step("pin", "Pin", "pinned", services.post_set_pinned, lambda d: {"pinned": True}),
        Step("unpin", "Unpin", "unpinned", services.post_set_pinned,
             lambda d: {"pinned": False}),
        Step("mark_key_event", "Mark as key event", "marked as a key event",
             services.post_set_key_event, lambda d: {"key_event": True}),
        Step("unmark_key_event", "Not a key event", "no longer a key event",
             services.post_set_key_event, lambda d: {"key_event": False}),
        Step("retract", "Retract…", "retracted", services.post_retract,
             lambda d: {"reason": d["reason"]}, form=RetractForm, dangerous=True),
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
