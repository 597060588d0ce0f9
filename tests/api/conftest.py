"""API fixtures: keys for a partner, for staff tokens, and clients that send them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from newsroom.celery import app as celery_app
from partners.models import PartnerKey, Scope

from .receiver import Receiver

READ = [Scope.LIVEBLOG_READ, Scope.RESULTS_READ]
STAFF = [*READ, Scope.LIVEBLOG_WRITE]
MANAGE = [Scope.LIVEBLOG_READ, Scope.WEBHOOKS_MANAGE]


@pytest.fixture(autouse=True)
def _tasks_in_process(monkeypatch, settings):
    """Queued tasks run in this process, as without Redis, whatever the environment.

    (Throttle counts need no reset: every test makes fresh keys, and counts are per key.)
    """
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", True)
    # Deliveries inline, so each test sees them done; the background mode has its test.
    settings.NEWSROOM_WEBHOOKS_IN_BACKGROUND = False


@pytest.fixture
def make_key(db) -> Callable[..., str]:
    """Make a key and return the secret (what a caller sends)."""

    def make(scopes: list[str] = READ, **fields: Any) -> str:
        fields.setdefault("name", "test key")
        fields.setdefault("partner", "Partner Newsroom")
        _, secret = PartnerKey.objects.create_key(scopes=list(scopes), **fields)
        return secret

    return make


def client_for(secret: str | None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


@pytest.fixture
def partner(make_key) -> APIClient:
    """A partner's read-only key."""
    return client_for(make_key(READ))


@pytest.fixture
def as_editor(make_key, editor) -> APIClient:
    """A staff token: a key bound to an editor."""
    return client_for(make_key(STAFF, user=editor, name="editor token"))


@pytest.fixture
def as_reporter(make_key, reporter) -> APIClient:
    """A staff token: a key bound to a reporter."""
    return client_for(make_key(STAFF, user=reporter, name="reporter token"))


# --- Webhooks ---------------------------------------------------------------------------
@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """A partner's endpoint on 127.0.0.1 (allowed: tests are not production)."""
    settings.NEWSROOM_WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def worker_retries(monkeypatch) -> None:
    """Eager tasks retry in-process, as a worker would (instead of raising Retry)."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


@pytest.fixture
def key(db) -> PartnerKey:
    """A partner key that manages webhooks."""
    key, _ = PartnerKey.objects.create_key(name="hooks", partner="Partner", scopes=MANAGE)
    return key


@pytest.fixture
def hooks(make_key, settings) -> APIClient:
    """A client with a webhooks:manage key."""
    settings.NEWSROOM_WEBHOOK_ALLOW_PRIVATE = True
    return client_for(make_key(MANAGE))


def error_code(response: Any) -> str:
    return response.json()["error"]["code"]
