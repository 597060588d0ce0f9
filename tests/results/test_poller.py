"""The results feed poller against a real HTTP server on 127.0.0.1: ETags, changes, retries."""

from __future__ import annotations

import json
import socket
from urllib.error import URLError

import pytest
from celery.exceptions import Retry

from newsroom.celery import app
from results.models import ResultSnapshot
from results.tasks import poll_results_feed


def poll():
    return poll_results_feed.apply(throw=True).get()


@pytest.mark.django_db
def test_no_url_means_no_polling(settings):
    settings.NEWSROOM_RESULTS_FEED_URL = ""

    assert poll() == "disabled"


@pytest.mark.django_db
def test_second_poll_sends_the_etag_and_records_nothing(feed):
    first = poll()
    second = poll()

    assert first.startswith("AP Elections API v2: 2 races seen, 2 snapshots recorded")
    assert second == "not modified"
    assert "if-none-match" not in feed.requests[0]
    assert feed.requests[1]["if-none-match"] == '"v1"'
    assert ResultSnapshot.objects.count() == 2


@pytest.mark.django_db
def test_a_changed_feed_records_a_new_snapshot_once(feed):
    poll()
    doc = json.loads(feed.body)
    doc["races"][0]["reportingUnits"][0]["lastUpdated"] = "2015-11-05T09:00:00Z"
    feed.body, feed.etag = json.dumps(doc).encode(), '"v2"'

    changed = poll()
    unchanged = poll()

    assert "1 snapshot recorded, 1 already stored" in changed
    assert unchanged == "not modified"
    assert feed.requests[1]["if-none-match"] == '"v1"'
    assert feed.requests[2]["if-none-match"] == '"v2"'
    assert ResultSnapshot.objects.count() == 3
    assert ResultSnapshot.objects.filter(source_seq="2015-11-05T09:00:00Z").count() == 1


@pytest.mark.django_db
def test_the_api_key_is_sent_when_set(feed, settings):
    settings.NEWSROOM_RESULTS_FEED_API_KEY = "secret-key"

    poll()

    assert feed.requests[0]["x-api-key"] == "secret-key"


@pytest.mark.django_db
def test_a_client_error_is_not_retried(feed):
    feed.status = 401

    assert poll() == "refused: HTTP 401"
    assert len(feed.requests) == 1


@pytest.mark.django_db
def test_a_server_error_is_retried(feed):
    feed.status = 503

    with pytest.raises(Retry) as retry:
        poll_results_feed.apply(throw=True)

    assert "HTTPError 503" in retry.value.excs  # HTTPError does not pickle: kept as text
    assert not ResultSnapshot.objects.exists()


@pytest.fixture
def closed_port(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.NEWSROOM_RESULTS_FEED_URL = f"http://127.0.0.1:{port}/feed.json"
    return port


def test_network_errors_are_retried_automatically():
    assert "results.tasks.poll_results_feed" in app.tasks
    assert set(poll_results_feed.autoretry_for) >= {URLError, TimeoutError, ConnectionError}
    assert poll_results_feed.max_retries == 5
    assert poll_results_feed.retry_backoff_max == 60


@pytest.mark.django_db
@pytest.mark.parametrize(("retries", "countdown"), [(0, 1), (1, 2), (2, 4), (3, 8), (4, 16)])
def test_a_refused_connection_retries_with_exponential_backoff(closed_port, retries, countdown):
    with pytest.raises(Retry) as retry:
        poll_results_feed.apply(retries=retries, throw=True)

    assert isinstance(retry.value.exc, URLError)
    assert isinstance(retry.value.exc.reason, ConnectionRefusedError)
    assert retry.value.when == countdown
    assert not ResultSnapshot.objects.exists()


@pytest.mark.django_db
def test_after_five_retries_the_error_is_raised(closed_port):
    with pytest.raises(URLError):
        poll_results_feed.apply(retries=5, throw=True)
