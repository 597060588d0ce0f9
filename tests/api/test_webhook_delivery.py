"""Webhook deliveries: signed, delivered once, retried with backoff, logged."""

from __future__ import annotations

import json
import time

import pytest

from liveblog import services
from partners import tasks
from partners.models import (
    DeliveryAttempt,
    PartnerKey,
    WebhookDelivery,
)
from partners.webhooks import signing, transport
from partners.webhooks.services import fan_out, webhook_create


# --- Delivery ----------------------------------------------------------------------------
def test_a_published_post_is_delivered_signed(
    receiver, key, blog, editor, draft, django_capture_on_commit_callbacks
):
    webhook, secret = webhook_create(key=key, url=receiver.url, events=["published"], blog=blog)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor)

    [(headers, body)] = receiver.requests
    assert signing.verify(secret, headers["X-Newsroom-Signature"], body)
    assert not signing.verify("whsec_wrong", headers["X-Newsroom-Signature"], body)
    assert not signing.verify(secret, headers["X-Newsroom-Signature"], body + b" ")
    assert headers["X-Newsroom-Signature"].startswith("t=")
    assert headers["X-Newsroom-Event"] == "published"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert (payload["event"], payload["blog"], payload["seq"]) == ("published", "election", 1)
    assert payload["entry"]["post"]["title"] == "Polls close in Georgia"
    assert payload["entry"]["tombstone"] is False
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert headers["X-Newsroom-Delivery"] == str(delivery.pk)
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.webhook, attempt.seq, attempt.attempt, attempt.status_code) == (
        webhook,
        1,
        1,
        200,
    )


def test_a_signature_too_old_does_not_verify(key):
    header = signing.signature("whsec_x", int(time.time()) - 3600, b"{}")

    assert not signing.verify("whsec_x", header, b"{}")
    assert signing.verify("whsec_x", header, b"{}", tolerance=4000)


def test_only_wanted_events_and_blogs_are_delivered(
    receiver, key, blog, editor, draft, django_capture_on_commit_callbacks
):
    webhook_create(key=key, url=receiver.url, events=["retracted"], blog=blog)
    other_blog = type(blog).objects.create(
        slug="other", title="Other", coverage_start=blog.coverage_start
    )
    webhook_create(key=key, url=receiver.url, events=["published"], blog=other_blog)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_revoked_keys_get_no_deliveries(
    receiver, key, blog, editor, draft, django_capture_on_commit_callbacks
):
    webhook_create(key=key, url=receiver.url, events=["published"])
    PartnerKey.objects.filter(pk=key.pk).update(revoked=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor)

    assert receiver.requests == []


def test_a_failing_endpoint_is_retried_with_backoff_and_logged(
    worker_retries,
    receiver,
    key,
    blog,
    editor,
    draft,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    receiver.statuses = [500] * 10
    webhook_create(key=key, url=receiver.url, events=["published"])
    countdowns: list[int] = []
    retry = tasks.deliver_webhook.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(tasks.deliver_webhook, "retry", spy)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor)

    assert countdowns == [30, 60, 120, 240, 480]  # eager retries run at once, in order
    assert len(receiver.requests) == 6
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 6, 500)
    log = list(DeliveryAttempt.objects.order_by("attempt").values_list("attempt", "status_code"))
    assert log == [(n, 500) for n in range(1, 7)]
    assert DeliveryAttempt.objects.first().error == "HTTP 500"


def test_a_recovering_endpoint_gets_it_once(
    worker_retries, receiver, key, blog, editor, draft, django_capture_on_commit_callbacks
):
    receiver.statuses = [503, 502]
    webhook_create(key=key, url=receiver.url, events=["published"])

    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor)

    assert len(receiver.requests) == 3
    assert WebhookDelivery.objects.get().status == "delivered"


def test_running_the_delivery_task_twice_delivers_once(
    receiver, key, blog, editor, draft, settings
):
    webhook_create(key=key, url=receiver.url, events=["published"])
    services.post_publish(post=draft, by=editor)  # no on_commit here: fan out by hand
    [delivery_id] = fan_out(blog.pk, 1)

    assert tasks.deliver_webhook.apply(args=[delivery_id]).get() == "delivered"
    assert tasks.deliver_webhook.apply(args=[delivery_id]).get() == "skipped"
    assert fan_out(blog.pk, 1) == []  # and the change is never queued again
    assert len(receiver.requests) == 1


def test_redirects_are_not_followed(
    worker_retries, receiver, key, blog, editor, draft, django_capture_on_commit_callbacks, settings
):
    settings.NEWSROOM_WEBHOOK_RETRY_BASE = 1
    receiver.statuses = [302] * 6
    receiver.headers = {"Location": "http://127.0.0.1:1/elsewhere"}
    webhook_create(key=key, url=receiver.url, events=["published"])

    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor)

    assert len(receiver.requests) == 6  # six attempts at the URL, none at the redirect
    assert DeliveryAttempt.objects.first().error == "redirects are not followed"


def test_410_gone_disables_the_webhook(
    receiver, key, blog, editor, draft, django_capture_on_commit_callbacks
):
    receiver.statuses = [410]
    webhook, _ = webhook_create(key=key, url=receiver.url, events=["published"])

    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor)

    assert len(receiver.requests) == 1
    webhook.refresh_from_db()
    assert not webhook.active


def test_a_slow_endpoint_times_out(receiver, key, settings):
    settings.NEWSROOM_WEBHOOK_TIMEOUT = 0.2
    receiver.delay = 1

    answer = transport.post(receiver.url, b"{}", {}, timeout=0.2)

    assert answer.status is None
    assert "timed out" in answer.error.lower() or "Timeout" in answer.error


def test_a_retracted_post_is_delivered_as_a_tombstone(
    receiver, key, blog, editor, published, django_capture_on_commit_callbacks
):
    webhook_create(key=key, url=receiver.url, events=["retracted"])

    with django_capture_on_commit_callbacks(execute=True):
        services.post_retract(post=published, by=editor, reason="Wrong")

    entry = json.loads(receiver.requests[0][1])["entry"]
    assert (entry["tombstone"], entry["post"], entry["post_id"]) == (True, None, published.pk)


def test_stalled_deliveries_are_swept(key, blog, editor, draft, receiver):
    webhook_create(key=key, url=receiver.url, events=["published"])
    services.post_publish(post=draft, by=editor)
    fan_out(blog.pk, 1)
    WebhookDelivery.objects.update(
        created_at=WebhookDelivery.objects.get().created_at.replace(year=2020)
    )

    assert tasks.retry_stalled_deliveries.apply().get() == 1
    assert WebhookDelivery.objects.get().status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_publish_never_waits_for_a_partners_server(
    receiver, key, blog, editor, draft, settings
):
    import time

    settings.NEWSROOM_WEBHOOKS_IN_BACKGROUND = True  # the embedded setup's default
    webhook_create(key=key, url=receiver.url, events=["published"], blog=blog)
    receiver.delay = 1.5  # a slow partner

    started = time.monotonic()
    services.post_publish(post=draft, by=editor)
    assert time.monotonic() - started < 1.0

    deadline = time.monotonic() + 10
    while not receiver.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(receiver.requests) == 1
    while WebhookDelivery.objects.get().status != "delivered" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert WebhookDelivery.objects.get().status == "delivered"
