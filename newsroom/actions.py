"""Editorial actions as objects, and the one registry of them that every door reads.

An action (publish a post, confirm a winner call, void a snapshot) is one ``Action``: its
name, the words on its button, what it did, the role that may ever take it, the check of
whether this user may take it on this subject now (the service's own check, raising the
reason), the service that takes it, the form it asks for first and the arguments the
service gets from that form. Each app lists its actions once in a ``Registry`` of one
subject (``liveblog.actions`` for posts, ``results.actions`` for races, calls and
snapshots); the admin, the desk and the API ask the registry what to offer and run
``Action.run`` to act, and answer every refusal with one status (``refusal_status``:
typed errors, never message text).

This module knows no app (an import contract checks it): the apps build on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model

from .web.conflicts import Conflict, StaleVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Who = User | AnonymousUser

S = TypeVar("S", bound=Model)
A = TypeVar("A", bound="Action[Any]")
Inputs = Callable[[dict[str, Any]], dict[str, Any]]
REFUSALS = (PermissionDenied, ValidationError, StaleVersion, Conflict)


def nothing(data: dict[str, Any]) -> dict[str, Any]:
    """The arguments of an action that asks for nothing."""
    return {}


@dataclass(frozen=True)
class Action(Generic[S]):
    """One editorial action on one kind of subject."""

    name: str
    label: str  # the button's words
    done: str  # what it did, after the subject's name: "“…” published."
    role: Callable[[Who], bool]  # may this role ever take it (on some subject)?
    check: Callable[[Who, S], None]  # may this user take it on this one now? (raises why)
    service: Callable[..., Any] | None = None  # None: the door's own form does it
    inputs: Inputs = nothing  # the service's own arguments, from the form's cleaned data
    form: type[forms.Form] | None = None  # what it asks for first
    dangerous: bool = False
    _: KW_ONLY
    subject_arg: str = "subject"  # the service's keyword for the subject
    form_takes_subject: bool = False  # the form is made with the subject (its choices)
    done_for: Callable[[Any], str] | None = None  # ``done``, when it depends on the subject

    def said(self, subject: S) -> str:
        """What it did to ``subject``, in words."""
        return self.done_for(subject) if self.done_for else self.done

    def gate(self, user: Who) -> None:
        """Refuse a role that may never take this action (a door asks before it reads the
        action's input, so a forged request is a 403, not a form error)."""
        if not self.role(user):
            raise PermissionDenied(f"Your role does not allow “{self.label.rstrip('…')}”.")

    def refused(self, user: Who, subject: S) -> PermissionDenied | ValidationError | None:
        """Why ``user`` may not take this action on ``subject`` now (the check's own
        error), or None if they may."""
        try:
            self.gate(user)
            self.check(user, subject)
        except (PermissionDenied, ValidationError) as error:
            return error
        return None

    def refusal(self, user: Who, subject: S) -> str | None:
        """``refused`` as a sentence."""
        error = self.refused(user, subject)
        return None if error is None else message(error)

    def allowed(self, user: Who, subject: S) -> bool:
        return self.refused(user, subject) is None

    def bind(self, data: Any, subject: S) -> forms.Form | None:
        """The action's form for ``subject`` (None if it asks for nothing)."""
        if self.form is None:
            return None
        made_with: dict[str, Any] = {self.subject_arg: subject} if self.form_takes_subject else {}
        return self.form(data, **made_with)

    def arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        """The service's keyword arguments besides the subject and the user."""
        return self.inputs(data)

    def run(self, subject: S, by: Who, data: dict[str, Any]) -> Any:
        """Take the action: the role's gate, then the service, which checks the subject
        under its row lock. Raises one of ``REFUSALS`` when it is refused."""
        self.gate(by)
        if self.service is None:
            raise PermissionDenied(f"“{self.label}” is taken through its own form.")
        return self.service(**{self.subject_arg: subject}, by=by, **self.arguments(data))


class Registry(Generic[A]):
    """The actions on one kind of subject, in the order a door offers them."""

    def __init__(self, subject: type[Model], actions: Iterable[A]) -> None:
        self.subject = subject
        self.actions: dict[str, A] = {action.name: action for action in actions}
        _registries[subject._meta.label_lower] = self

    def __getitem__(self, name: str) -> A:
        return self.actions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.actions)

    def get(self, name: str) -> A | None:
        return self.actions.get(name)

    def roles(self, user: Who) -> dict[str, bool]:
        """Each action: may ``user``'s role ever take it (what a door shows at all)."""
        return {name: action.role(user) for name, action in self.actions.items()}

    def offered(self, user: Who, subject: Model) -> list[str]:
        """The actions ``user`` may take on ``subject`` now, in the registry's order."""
        return [name for name, action in self.actions.items() if action.allowed(user, subject)]

    def may(self, name: str, user: Who, subject: Model) -> bool:
        return self.actions[name].allowed(user, subject)


_registries: dict[str, Registry[Any]] = {}


def registries() -> dict[str, Registry[Any]]:
    """Every registry, by its subject's model (``"liveblog.post"``): the one list of every
    editorial action. Each app's registry is made when its ``actions`` module is imported
    (its ``AppConfig.ready`` does)."""
    return dict(_registries)


def refusal_status(error: Exception) -> int:
    """The one HTTP status each door answers a refused action with."""
    if isinstance(error, StaleVersion):
        return 412  # the subject moved on since the version the user reviewed
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
