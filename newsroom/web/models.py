"""Responses kept for ``Idempotency-Key`` replays (see ``newsroom.web.idempotency``)."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The first successful response to a create, replayed for the same caller and key."""

    caller = models.CharField(max_length=80, help_text='"key:<prefix>" or "user:<id>".')
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and request body."
    )
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "partners_idempotencyrecord"  # where the partners app first made it
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_per_caller")
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
