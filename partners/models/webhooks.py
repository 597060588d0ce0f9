"""Webhooks: a partner's URL, the changes it wants, and the log of every delivery."""

from __future__ import annotations

from django.db import models

from liveblog.models import Change


class Webhook(models.Model):
    """Where to POST a blog's changes, signed with a secret shown once at creation."""

    key = models.ForeignKey(
        "partners.PartnerKey",
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text="The partner key that owns it: revoking the key stops its deliveries.",
    )
    url = models.URLField(max_length=500, help_text="An http(s) URL; redirects are not followed.")
    blog = models.ForeignKey(
        "liveblog.LiveBlog",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this blog's changes (empty: every blog).",
    )
    events = models.JSONField(default=list, help_text="Change kinds to deliver.")
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, kind: str) -> bool:
        return kind in (self.events or [])


class WebhookDelivery(models.Model):
    """One change for one webhook: delivered at most once (unique), retried until then."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField(help_text="The change's sequence number in its blog.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A sender holds the delivery until then; a crashed sender's claim runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "change"], name="one_delivery_per_change")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} → {self.webhook}"


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: the log partners' support desk reads."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    attempt = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(help_text="When the attempt was made.")

    class Meta:
        ordering = ["delivery", "attempt", "id"]

    def __str__(self) -> str:
        outcome = self.status_code or self.error[:40]
        return f"#{self.seq} attempt {self.attempt}: {outcome}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
