"""Every editorial action on a post, once: its name, label, role gate, check, service,
input form and how a refusal is answered. The one list the doors read.

The admin (change-page buttons, confirmation pages, changelist bulk actions), the live
desk (a card's buttons, the compose box's, their dialogs) and the partner API ("may I?",
each workflow endpoint) ask ``REGISTRY`` what to offer and run ``Action.run`` to act;
nothing else lists actions. Whether an action is offered is the service's own check
(``check_<action>`` beside its mutation in ``services``), so no door offers what the
services would refuse, and each refusal is answered with one status everywhere
(``refusal_status``: typed errors, never message text).

Adding an action: its check and mutation in ``services``, one ``Action`` below (a form
in ``forms`` if it asks for something); every door then offers and answers it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from newsroom.web.conflicts import Conflict, StaleVersion

from .. import permissions as perms
from .. import services
from ..models import Post
from ..services.posts import check_delete, check_edit
from ..services.workflow import (
    check_mark_key_event,
    check_pin,
    check_publish,
    check_retract,
    check_return_to_draft,
    check_submit,
    check_unmark_key_event,
    check_unpin,
    check_unschedule,
)
from .forms import RetractForm, ReturnForm, ScheduleForm

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Who = User | AnonymousUser

Check = Callable[["Who", Post], None]
Inputs = Callable[[dict[str, Any]], dict[str, Any]]
REFUSALS = (PermissionDenied, ValidationError, StaleVersion, Conflict)


def _nothing(data: dict[str, Any]) -> dict[str, Any]:
    return {}


def _may_submit(user: Who) -> bool:
    return bool(user.is_active and user.has_perm("liveblog.submit_post"))


def _always(post: Post, user: Who) -> bool:
    return True


@dataclass(frozen=True)
class Action:
    """One editorial action on one post."""

    name: str
    label: str  # the button's words
    done: str  # what it did, after the post's title: "“…” published."
    role: Callable[[Who], bool]  # may this role ever take it (on some post)?
    check: Check  # may this user take it on this post now? (raises, with the reason)
    service: Callable[..., Post] | None = None  # None: the door's own form does it (edit)
    inputs: Inputs = _nothing  # the service's own arguments, from the form's data
    form: type[forms.Form] | None = None  # what it asks for first
    dangerous: bool = False
    button: bool = True  # a workflow button (edit and delete have their own places)
    # Where a post's card offers it (the desk's, the admin's): key events on public posts
    # only (a draft's is set in the compose box).
    on_card: Callable[[Post, Who], bool] = field(default=_always)
    # The words on a post's card, when they depend on the post ("Publish now" for a
    # scheduled post, "Withdraw" for one's own submission).
    label_for: Callable[[Post, Who], str] | None = None
    # Whether it opens its form first (one's own submission is withdrawn in one click).
    asks_for: Callable[[Post, Who], bool] | None = None
    primary: bool = False  # the card's main button

    def refused(self, user: Who, post: Post) -> PermissionDenied | ValidationError | None:
        """Why ``user`` may not take this action on ``post`` now (the check's own error),
        or None if they may."""
        try:
            self.gate(user)
            self.check(user, post)
        except (PermissionDenied, ValidationError) as error:
            return error
        return None

    def refusal(self, user: Who, post: Post) -> str | None:
        """``refused`` as a sentence."""
        error = self.refused(user, post)
        return None if error is None else message(error)

    def allowed(self, user: Who, post: Post) -> bool:
        return self.refused(user, post) is None

    def gate(self, user: Who) -> None:
        """Refuse a role that may never take this action (a door asks before it reads
        the action's input, so a reporter's forged retract is a 403, not a form error)."""
        if not self.role(user):
            raise PermissionDenied(f"Your role does not allow “{self.label.rstrip('…')}”.")

    def run(self, post: Post, by: Who, data: dict[str, Any]) -> Post:
        """Take the action with the version the user reviewed (``data["version"]``, when
        there is one): the role's gate, then the service, which checks the post under
        its row lock (asking for what already is, such as pinning a pinned post, changes
        nothing). Raises one of ``REFUSALS`` when it is refused."""
        self.gate(by)
        if self.service is None:
            raise PermissionDenied(f"“{self.label}” is taken through the post's own form.")
        version = data.get("version")
        return self.service(post=post, by=by, expected_version=version, **self.inputs(data))

    def offer(self, post: Post, user: Who) -> Offer:
        """This action as a button on ``post``'s card for ``user``."""
        label = self.label_for(post, user) if self.label_for else self.label
        asks = self.asks_for(post, user) if self.asks_for else self.form is not None
        return Offer(self, label, asks)


@dataclass(frozen=True)
class Offer:
    """An action as one button: its words and whether it asks for something first."""

    action: Action
    label: str
    asks: bool

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def dangerous(self) -> bool:
        return self.action.dangerous

    @property
    def primary(self) -> bool:
        return self.action.primary


def _withdraw_or_return(post: Post, user: Who) -> str:
    return "Withdraw" if perms.is_own(user, post) else "Return to reporter…"


def _when_scheduled(now: str, otherwise: str) -> Callable[[Post, Who], str]:
    return lambda post, user: now if post.status == Post.Status.SCHEDULED else otherwise


def _public(post: Post, user: Who) -> bool:
    return post.is_public


ACTIONS = [
    Action("edit", "Edit", "saved", perms.can_file, check_edit, button=False,
           label_for=lambda post, user: "Correct" if post.is_public else "Edit"),
    Action("submit", "Submit for approval", "submitted for approval", _may_submit,
           check_submit, services.post_submit, label_for=lambda post, user: "Submit"),
    Action("publish", "Publish now", "published", perms.can_publish, check_publish,
           services.post_publish, primary=True,
           label_for=_when_scheduled("Publish now", "Publish")),
    Action("schedule", "Schedule…", "scheduled", perms.can_publish, check_publish,
           services.post_publish, lambda d: {"at": d["publish_at"]}, form=ScheduleForm,
           label_for=_when_scheduled("Reschedule…", "Schedule…")),
    Action("unschedule", "Cancel schedule", "taken off the schedule", perms.can_publish,
           check_unschedule, services.post_unschedule),
    Action("return_to_draft", "Back to draft", "sent back to draft", perms.can_file,
           check_return_to_draft, services.post_return_to_draft,
           lambda d: {"note": d.get("note", "")}, form=ReturnForm,
           label_for=_withdraw_or_return,
           asks_for=lambda post, user: not perms.is_own(user, post)),
    Action("pin", "Pin", "pinned", perms.can_pin, check_pin, services.post_set_pinned,
           lambda d: {"pinned": True}),
    Action("unpin", "Unpin", "unpinned", perms.can_pin, check_unpin,
           services.post_set_pinned, lambda d: {"pinned": False}),
    Action("mark_key_event", "Mark as key event", "marked as a key event", perms.can_pin,
           check_mark_key_event, services.post_set_key_event, lambda d: {"key_event": True},
           on_card=_public, label_for=lambda post, user: "Key event"),
    Action("unmark_key_event", "Not a key event", "no longer a key event", perms.can_pin,
           check_unmark_key_event, services.post_set_key_event,
           lambda d: {"key_event": False}, on_card=_public),
    Action("retract", "Retract…", "retracted", perms.can_retract, check_retract,
           services.post_retract, lambda d: {"reason": d["reason"]}, form=RetractForm,
           dangerous=True),
    Action("delete", "Delete", "deleted", perms.can_file, check_delete, button=False,
           dangerous=True),
]  # fmt: skip

REGISTRY: dict[str, Action] = {action.name: action for action in ACTIONS}
BUTTONS: dict[str, Action] = {a.name: a for a in ACTIONS if a.button}


def get(name: str) -> Action | None:
    return REGISTRY.get(name)


def role_allows(name: str, user: Who) -> bool:
    """Whether ``user``'s role may ever take action ``name`` (on some post)."""
    return REGISTRY[name].role(user)


def roles(user: Who) -> dict[str, bool]:
    """Each action: may ``user``'s role ever take it (what a door shows at all)."""
    return {name: action.role(user) for name, action in REGISTRY.items()}


def offered(user: Who, post: Post) -> list[str]:
    """The actions ``user`` may take on ``post`` now, in the registry's order."""
    return [name for name, action in REGISTRY.items() if action.allowed(user, post)]


def buttons(user: Who, post: Post, offered: Iterable[str] | None = None) -> list[Offer]:
    """The workflow buttons a post's card or page offers ``user`` now (``offered``: what
    ``offered()`` already said for this post, so the checks run once)."""
    allowed = set(offered) if offered is not None else None
    return [a.offer(post, user) for a in BUTTONS.values() if a.on_card(post, user)
            and (a.allowed(user, post) if allowed is None else a.name in allowed)]  # fmt: skip


def may(name: str, user: Who, post: Post) -> bool:
    return REGISTRY[name].allowed(user, post)


def refusal_status(error: Exception) -> int:
    """The one HTTP status each door answers a refused action with."""
    if isinstance(error, StaleVersion):
        return 412  # the post moved on since the version the user reviewed
    if isinstance(error, Conflict):
        return 409  # lost a race at the same moment: nothing written, try again
    if isinstance(error, PermissionDenied):
        return 403
    return 400  # ValidationError: not in this state, or the input is wrong


def message(error: Exception) -> str:
    """A refusal as a sentence a newsroom user understands."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do this."
