"""API keys: hashed, revocable, scoped; a key bound to a staff user acts as that user."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from liveblog.api import scopes as liveblog_scopes
from results.api import scopes as results_scopes

# Longer than any key this app issues (8-character prefix, dot, 32 characters).
MAX_KEY_LENGTH = 100


class Scope(models.TextChoices):
    """Every scope a key can hold: the apps' own, and managing webhooks (ours)."""

    LIVEBLOG_READ = liveblog_scopes.READ, "Read live blogs, posts and change feeds"
    RESULTS_READ = results_scopes.READ, "Read races and results"
    WEBHOOKS_MANAGE = "webhooks:manage", "Register and remove webhooks"
    LIVEBLOG_WRITE = liveblog_scopes.WRITE, "Write as the bound staff user (staff tokens only)"


class PartnerKeyManager(APIKeyManager):
    def find(self, key: str) -> PartnerKey | None:
        """The key row whose hash matches ``key`` (revoked or expired ones included)."""
        prefix, dot, _ = key.partition(".")
        if not dot or not prefix or len(key) > MAX_KEY_LENGTH:
            return None
        # APIKeyManager is an unparameterised Manager, so its querysets yield Any.
        found: PartnerKey | None = self.select_related("user").filter(prefix=prefix).first()
        if found is None or not found.is_valid(key):
            return None
        return found


class PartnerKey(AbstractAPIKey):
    """A partner's (or a staff member's) key, sent as ``Authorization: Api-Key <key>``.

    Only the hash is stored; the key is shown once, when it is made. Revoking is final.
    """

    partner = models.CharField(
        max_length=120, help_text="Who holds the key: the partner newsroom, app or aggregator."
    )
    scopes = models.JSONField(
        default=list, blank=True, help_text="What the key may do (see Scope)."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        help_text="A staff token: the key acts as this user, with exactly their permissions.",
    )

    objects: ClassVar[PartnerKeyManager] = PartnerKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    def __str__(self) -> str:
        return f"{self.partner}: {self.name}" if self.partner else self.name

    def clean(self) -> None:
        super().clean()
        unknown = set(self.scopes or []) - set(Scope.values)
        if unknown:
            raise ValidationError({"scopes": f"Unknown scopes: {', '.join(sorted(unknown))}."})
        if Scope.LIVEBLOG_WRITE in (self.scopes or []) and self.user_id is None:
            raise ValidationError(
                {"scopes": "Only a key bound to a staff user can write (liveblog:write)."}
            )

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def caller_id(self) -> str:
        """Stable, non-secret identity for throttles and idempotency keys."""
        return f"key:{self.prefix}"
