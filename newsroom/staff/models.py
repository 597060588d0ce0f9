"""A staff user's newsroom profile (how their byline reads), and staff accounts as
editors manage them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models

from newsroom.media import upload_to

from .roles import EDITOR, REPORTER


class Reporter(models.Model):
    """The byline identity of a staff member (reporters, editors, correspondents)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reporter",
        null=True,
        blank=True,
        help_text="The staff account, if this contributor logs in. Guest writers have none.",
    )
    display_name = models.CharField(max_length=120)
    role_title = models.CharField(
        max_length=160, blank=True, help_text='For example "BBC North America correspondent".'
    )
    default_location = models.CharField(
        max_length=160,
        blank=True,
        help_text='The usual location line, for example "Reporting from Washington DC".',
    )
    headshot = models.ImageField(upload_to=upload_to("reporters"), blank=True, max_length=200)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def default_byline(self) -> str:
        """The line under the name when a post does not say otherwise."""
        return self.default_location or self.role_title


class StaffMember(User):
    """A newsroom account as editors manage it: a login with one role (Reporter or
    Editor) and a byline. Administrators (superusers) are managed elsewhere."""

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [("manage_staff", "Can add reporters and editors and change their role")]
        verbose_name = "staff member"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def role(self) -> str:
        names = {group.name for group in self.groups.all()}
        return EDITOR if EDITOR in names else REPORTER if REPORTER in names else ""
