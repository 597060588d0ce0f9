"""The toolkit's housekeeping on Celery."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def purge_idempotency_records() -> int:
    """Forget Idempotency-Key responses past their time (also done on each keyed write)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from .models import IdempotencyRecord

    cutoff = timezone.now() - timedelta(seconds=settings.NEWSROOM_API_IDEMPOTENCY_TTL)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
