"""Webhook deliveries on Celery. Tasks take ids and are safe to run twice.

``on_change_committed`` runs after a change commits (a receiver of
``liveblog.signals.change_committed``): it creates the change's deliveries, commits
them, and queues one ``deliver_webhook`` task each. A failed attempt is
retried with exponential backoff, six attempts in all; every attempt is logged.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.db import close_old_connections, connections, transaction

from liveblog.signals import CommittedChange

logger = logging.getLogger(__name__)
_SENDERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="webhooks")


def on_change_committed(sender: object, *, change: CommittedChange, **kwargs: object) -> None:
    """``liveblog.signals.change_committed`` receiver (connected in ``ready()``): create
    the change's deliveries and queue them. Never raises: the change is committed
    whatever happens here, and ``retry_stalled_deliveries`` finds what could not be
    queued."""
    from .webhooks.services import fan_out

    blog_id, seq = change.blog_id, change.seq
    try:
        with transaction.atomic():
            delivery_ids = fan_out(blog_id, seq)
    except Exception:
        logger.exception("Could not create webhook deliveries for blog %s #%s", blog_id, seq)
        return
    for delivery_id in delivery_ids:  # the deliveries are committed: queue them now
        if settings.NEWSROOM_WEBHOOKS_IN_BACKGROUND:
            # No broker (the embedded setup): send from a thread of this process, so the
            # editor's publish never waits for a partner's server.
            _SENDERS.submit(_deliver_here, delivery_id)
            continue
        try:
            deliver_webhook.delay(delivery_id)
        except Retry:
            # Eager tasks (no broker) propagate a retry instead of scheduling it.
            logger.info("Webhook delivery %s failed; the sweeper retries it", delivery_id)
        except Exception:
            logger.exception("Could not queue webhook delivery %s", delivery_id)


def _deliver_here(delivery_id: int) -> None:
    close_old_connections()
    try:
        deliver_webhook.apply(args=(delivery_id,), throw=False)
    except Exception:
        logger.exception("Webhook delivery %s failed; the sweeper retries it", delivery_id)
    finally:
        connections.close_all()  # this thread's: deliveries are rare, connections are not


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=6)
def deliver_webhook(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one delivery (once: a delivered or in-flight one is skipped); retry on failure."""
    from .webhooks.services import attempt_delivery

    outcome = attempt_delivery(delivery_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(ignore_result=True)
def retry_stalled_deliveries() -> int:
    """The sweeper: queue deliveries whose task was lost (broker or worker down)."""
    from .webhooks.services import stalled_deliveries

    ids = stalled_deliveries()
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)
