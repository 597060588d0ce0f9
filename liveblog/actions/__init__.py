"""Every editorial action on a post, once: its name, label, role gate, check, service,
input form and how a refusal is answered. The posts' registry of ``newsroom.actions``
(results have theirs in ``results.actions``), and the one list of them the doors read.

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

from newsroom import actions as base
from newsroom.actions import REFUSALS, message, refusal_status

from .. import permissions as perms
from .. import services
from ..models import LiveBlog, Post
from ..services.blogs import check_edit_summary, check_show_races
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

__all__ = ["REFUSALS", "REGISTRY", "Action", "Offer", "message", "refusal_status"]


def _may_submit(user: Who) -> bool:
    return bool(user.is_active and user.has_perm("liveblog.submit_post"))


def _always(post: Post, user: Who) -> bool:
    return True


@dataclass(frozen=True)
class Action(base.Action[Post]):
    """One editorial action on one post: the toolkit's action, with where a post's card
    shows it."""

    subject_arg: str = field(default="post", kw_only=True)
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

    def arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        """The service's arguments, with the version the user reviewed
        (``data["version"]``, when there is one): the service checks the post under its
        row lock (asking for what already is, such as pinning a pinned post, changes
        nothing)."""
        return {"expected_version": data.get("version"), **self.inputs(data)}

    def run(self, subject: Post, by: Who, data: dict[str, Any]) -> Post:
        post: Post = super().run(subject, by, data)
        return post

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

POSTS: base.Registry[Action] = base.Registry(Post, ACTIONS)
# A blog's own: its key points (the desk's summary box, the admin's blog page).
BLOGS: base.Registry[base.Action[LiveBlog]] = base.Registry(LiveBlog, [
    base.Action("edit_summary", "Save key points", "key points saved", perms.can_edit_summary,
                check_edit_summary, services.summary_update,
                lambda d: {"points": d["points"].splitlines(),
                           "started_from": d.get("started_from")}, subject_arg="blog"),
    base.Action("show_races", "Show on the live page", "races shown", perms.can_change_blog,
                check_show_races, services.blog_show_races,
                lambda d: {"races": list(d["races"])}, subject_arg="blog"),
    base.Action("move_race", "Move", "race moved", perms.can_change_blog,
                check_show_races, services.blog_move_race,
                lambda d: {"race": d["race"], "direction": d["direction"]}, subject_arg="blog"),
])  # fmt: skip
REGISTRY: dict[str, Action] = POSTS.actions
BUTTONS: dict[str, Action] = {a.name: a for a in ACTIONS if a.button}


def role_allows(name: str, user: Who) -> bool:
    """Whether ``user``'s role may ever take action ``name`` (on some post)."""
    return POSTS[name].role(user)


def roles(user: Who) -> dict[str, bool]:
    """Each action: may ``user``'s role ever take it (what a door shows at all)."""
    return POSTS.roles(user)


def offered(user: Who, post: Post) -> list[str]:
    """The actions ``user`` may take on ``post`` now, in the registry's order."""
    return POSTS.offered(user, post)


def buttons(user: Who, post: Post, offered: Iterable[str] | None = None) -> list[Offer]:
    """The workflow buttons a post's card or page offers ``user`` now (``offered``: what
    ``offered()`` already said for this post, so the checks run once)."""
    allowed = set(offered) if offered is not None else None
    return [a.offer(post, user) for a in BUTTONS.values() if a.on_card(post, user)
            and (a.allowed(user, post) if allowed is None else a.name in allowed)]  # fmt: skip


def may(name: str, user: Who, post: Post) -> bool:
    return POSTS.may(name, user, post)
