"""Managing newsroom accounts within the Editor role: add a reporter or an editor, change
a role, turn an account off. Nothing here makes an administrator or touches one."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import Reporter, StaffMember
from .roles import EDITOR, ROLES

MANAGE = "staff.manage_staff"


def _check(by: User, member: User | None = None) -> None:
    if not by.has_perm(MANAGE):
        raise PermissionDenied("Only editors can manage staff accounts.")
    if member is not None and member.is_superuser:
        raise PermissionDenied("Administrators' accounts are managed by an administrator.")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(f"Choose a role: {' or '.join(ROLES)}.")


@transaction.atomic
def staff_create(
    *, by: User, username: str, password: str, role: str, display_name: str, byline: str = ""
) -> StaffMember:
    """A new staff account with its role and its byline profile."""
    _check(by)
    _check_role(role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"There is already an account called {username}.")
    member = StaffMember(username=username, is_staff=True, is_active=True)
    validate_password(password, member)
    member.set_password(password)
    member.save()
    member.groups.set([Group.objects.get(name=role)])
    Reporter.objects.create(user=member, display_name=display_name.strip() or username,
                            default_location=byline.strip())  # fmt: skip
    return member


@transaction.atomic
def staff_update(*, by: User, member: User, role: str, is_active: bool) -> StaffMember:
    """Change an account's role, or turn it off (kept, with its posts and bylines)."""
    _check(by, member)
    _check_role(role)
    if member.pk == by.pk and (role != EDITOR or not is_active):
        raise ValidationError(
            "You cannot take away your own editor role or turn off your own account: "
            "ask another editor."
        )
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    member.is_active, member.is_staff = is_active, True
    member.save(update_fields=["is_active", "is_staff"])
    member.groups.set([Group.objects.get(name=role)])
    return member
