"""Registering webhooks, fanning changes out to deliveries, and one delivery attempt.

A delivery is unique per (webhook, change), and a sender claims it before sending
(an UPDATE that only one caller can win), so a task that runs twice, or two workers
that pick up the same message, never send the same change to the same webhook twice.
A claim runs out after ``CLAIM``, so a crashed sender's delivery is picked up again.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from liveblog.api.entries import render_entries
from liveblog.models import Change, LiveBlog

from ..models import DeliveryAttempt, PartnerKey, Scope, Webhook, WebhookDelivery
from . import signing, transport

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
CLAIM = timedelta(seconds=60)  # far longer than one attempt (a 5 s timeout)
USER_AGENT = "Newsroom-Webhooks/1"
Status = WebhookDelivery.Status


def backoff(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1``: base, 2×base, 4×base… capped."""
    base = settings.NEWSROOM_WEBHOOK_RETRY_BASE
    return int(min(base * 2 ** (attempt - 1), settings.NEWSROOM_WEBHOOK_RETRY_MAX))


def clean_events(events: object) -> list[str]:
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": "List the change kinds to deliver."})
    unknown = sorted({str(e) for e in events} - set(Change.Kind.values))
    if unknown:
        raise ValidationError({"events": f"Unknown kinds: {', '.join(unknown)}."})
    return sorted(set(events), key=Change.Kind.values.index)


@transaction.atomic
def webhook_create(
    *, key: PartnerKey, url: str, events: list[str], blog: LiveBlog | None = None
) -> tuple[Webhook, str]:
    """Register a webhook for ``key``; returns it and its secret (shown only now)."""
    if not key.has_scope(Scope.WEBHOOKS_MANAGE):
        raise ValidationError("This key cannot manage webhooks (webhooks:manage).")
    if not key.has_scope(Scope.LIVEBLOG_READ):
        raise ValidationError("Deliveries carry posts: the key needs liveblog:read too.")
    transport.check_url(url)
    secret = signing.new_secret()
    webhook = Webhook.objects.create(
        key=key, url=url, events=clean_events(events), blog=blog, secret=secret
    )
    return webhook, secret


def webhook_delete(*, webhook: Webhook) -> None:
    """Remove a webhook; its pending deliveries go with it."""
    webhook.delete()


def matching_webhooks(blog_id: int) -> list[Webhook]:
    """The active webhooks of live keys that follow this blog. A rehearsal's blog reaches
    only webhooks made for it (a partner rehearsing its side): never those for all blogs."""
    now = timezone.now()
    rehearsal = LiveBlog.objects.filter(pk=blog_id, rehearsal__isnull=False).exists()
    follows = Q(blog_id=blog_id) if rehearsal else Q(blog_id=blog_id) | Q(blog__isnull=True)
    return list(
        Webhook.objects.filter(active=True, key__revoked=False)
        .filter(follows)
        .filter(Q(key__expiry_date__isnull=True) | Q(key__expiry_date__gt=now))
    )


def fan_out(blog_id: int, seq: int) -> list[int]:
    """Create the deliveries of one committed change; returns their ids (to queue)."""
    webhooks = matching_webhooks(blog_id)
    if not webhooks:
        return []
    change = Change.objects.filter(blog_id=blog_id, seq=seq).first()
    if change is None:
        return []
    ids = []
    for webhook in webhooks:
        if not webhook.wants(change.kind):
            continue
        try:
            with transaction.atomic():
                delivery, _ = WebhookDelivery.objects.get_or_create(
                    webhook=webhook, change=change, defaults={"seq": seq}
                )
        except IntegrityError:  # created concurrently by another fan-out
            continue
        if delivery.status == Status.PENDING and delivery.attempts == 0:
            ids.append(delivery.pk)
    return ids


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in: int | None = None


def payload(delivery: WebhookDelivery) -> bytes:
    """The change-feed entry for the change, as it is now, with the delivery's ids."""
    change = delivery.change
    [entry] = render_entries(
        [change], blog_id=change.blog_id, base_url=settings.NEWSROOM_API_PUBLIC_URL
    )
    body = {
        "delivery_id": delivery.pk,
        "event": change.kind,
        "blog": change.blog.slug,
        "seq": change.seq,
        "entry": entry,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_until__lt=now)
    return bool(
        WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
            status=Status.SENDING, claimed_until=now + CLAIM
        )
    )


def _usable(webhook: Webhook) -> str:
    """Why the webhook must not be sent to, or ""."""
    if not webhook.active:
        return "webhook disabled"
    if webhook.key.revoked or webhook.key.has_expired:
        return "API key revoked or expired"
    return ""


def attempt_delivery(delivery_id: int) -> Outcome:
    """Send one delivery once, if nobody has (or is): the task's whole job."""
    if not _claim(delivery_id):
        return Outcome("skipped")
    delivery = WebhookDelivery.objects.select_related("webhook__key", "change__blog").get(
        pk=delivery_id
    )
    webhook = delivery.webhook
    if reason := _usable(webhook):
        _finish(delivery, Status.FAILED, error=reason)
        return Outcome("failed")
    attempt = delivery.attempts + 1
    body = payload(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Newsroom-Event": delivery.change.kind,
        "X-Newsroom-Delivery": str(delivery.pk),
        signing.HEADER: signing.signature(webhook.secret, int(time.time()), body),
    }
    started = time.monotonic()
    answer = transport.post(webhook.url, body, headers, timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT)
    duration_ms = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery,
        webhook=webhook,
        seq=delivery.seq,
        attempt=attempt,
        status_code=answer.status,
        error=answer.error,
        duration_ms=duration_ms,
        delivered_at=now,
    )
    delivery.attempts = attempt
    delivery.last_status_code = answer.status
    if answer.ok:
        _finish(delivery, Status.DELIVERED, delivered_at=now)
        return Outcome("delivered")
    if answer.status == 410:  # the partner says this endpoint is gone for good
        Webhook.objects.filter(pk=webhook.pk).update(active=False)
        _finish(delivery, Status.FAILED, error="endpoint answered 410 Gone: webhook disabled")
        return Outcome("failed")
    if attempt >= MAX_ATTEMPTS:
        _finish(delivery, Status.FAILED, error=answer.error)
        logger.warning(
            "Webhook %s gave up on change #%s: %s", webhook.pk, delivery.seq, answer.error
        )
        return Outcome("failed")
    wait = backoff(attempt)
    _finish(
        delivery, Status.PENDING, error=answer.error, next_attempt_at=now + timedelta(seconds=wait)
    )
    return Outcome("retry", retry_in=wait)


def _finish(delivery: WebhookDelivery, status: str, *, error: str = "", **fields: object) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        claimed_until=None,
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_error=error,
        **fields,
    )


def stalled_deliveries(*, grace: timedelta = timedelta(minutes=2)) -> list[int]:
    """Deliveries whose task was lost (broker down, worker killed): to queue again."""
    now = timezone.now()
    late = now - grace
    return list(
        WebhookDelivery.objects.filter(
            Q(status=Status.PENDING, next_attempt_at__isnull=True, created_at__lt=late)
            | Q(status=Status.PENDING, next_attempt_at__lt=late)
            | Q(status=Status.SENDING, claimed_until__lt=now)
        ).values_list("pk", flat=True)[:500]
    )
