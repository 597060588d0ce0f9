"""Shared fixtures: people in their newsroom roles, a live blog, a private media folder."""

from __future__ import annotations

import io
import threading
import uuid
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from tests import factories


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _own_redis_namespace(settings):
    # A shared Redis must not mix this run's live channel with another's.
    settings.NEWSROOM_REDIS_PREFIX = f"newsroom-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    # Ids repeat across rolled-back tests: a key cached by one must not leak into the
    # next. A fresh prefix isolates them without flushing a shared Redis.
    default = dict(settings.CACHES["default"], KEY_PREFIX=f"test-{uuid.uuid4().hex[:12]}")
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture(autouse=True)
def _redis_breaker_closed():
    # One test's Redis outage must not leave the next test skipping Redis.
    from newsroom import breaker

    breaker.redis.reset()
    yield
    breaker.redis.reset()


@pytest.fixture(autouse=True)
def _no_remembered_positions():
    """Each process remembers blogs' positions for a moment, by slug; a test's blog is
    new (its rows are rolled back after it), so nothing of an earlier one is kept."""
    from liveblog.live import positions

    positions.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): …`` runs a write as if its transaction committed: what waits
    for the commit (the seam's receivers: the position memory, the render cache, the
    live channel, webhooks) runs at the block's end, as in production, where each
    request's transaction commits. (Each test runs in one transaction that is rolled
    back, so nothing after-commit runs unless asked.)"""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def editor(db):
    return factories.editor(username="ed")


@pytest.fixture
def second_editor(db):
    return factories.editor(username="ed2")


@pytest.fixture
def reporter(db):
    return factories.reporter(username="rep")


@pytest.fixture
def other_reporter(db):
    return factories.reporter(username="rep2")


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def blog(db):
    return factories.LiveBlogFactory(slug="election", title="Election night")


@pytest.fixture
def draft(blog, reporter):
    return factories.PostFactory(blog=blog, author=reporter, title="Polls close in Georgia")


@pytest.fixture
def published(blog, reporter):
    return factories.PostFactory(blog=blog, author=reporter, published=True, title="Trump wins")


def jpeg_bytes(size: tuple[int, int] = (64, 48), colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def jpeg():
    return jpeg_bytes


@pytest.fixture
def providers(settings):
    """Every oEmbed provider Newsroom knows, faked on 127.0.0.1 (tests/oembed_fake.py),
    with fresh breakers."""
    from newsroom import oembed
    from tests.oembed_fake import FakeProviders

    fake = FakeProviders()
    fake.point(settings)
    settings.NEWSROOM_EMBED_TIMEOUT = 1.5
    oembed._BREAKERS.clear()
    yield fake
    oembed._BREAKERS.clear()
    fake.close()


SAMPLE = Path(__file__).parent / "results" / "data" / "ap-20151103.json"


class Feed:
    """What the fake AP server serves, and the headers of every request it saw."""

    def __init__(self) -> None:
        self.body = SAMPLE.read_bytes()
        self.etag = '"v1"'
        self.status = 200
        self.requests: list[dict[str, str]] = []


@pytest.fixture
def feed(settings):
    state = Feed()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append({k.lower(): v for k, v in self.headers.items()})
            if state.status != 200:
                self.send_response(state.status)
                self.end_headers()
            elif self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", state.etag)
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NEWSROOM_RESULTS_FEED_URL = (
        f"http://127.0.0.1:{server.server_address[1]}/v2/elections/2015-11-03"
    )
    settings.NEWSROOM_RESULTS_FEED_API_KEY = ""
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)
