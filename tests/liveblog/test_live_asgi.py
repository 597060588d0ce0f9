"""The stream servers' ASGI application (liveblog/live/asgi.py): the SSE stream on a lean
path with the view's statuses, headers and events; everything else through Django."""

from __future__ import annotations

import asyncio
import gc

import pytest
from django.db import connections

from liveblog import services
from liveblog.live.asgi import application
from liveblog.live.hub import hub
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str, *, query: bytes = b"", method: str = "GET",
         headers: tuple[tuple[bytes, bytes], ...] = ((b"host", b"testserver"),),
         events: int = 0) -> tuple[int, dict[bytes, bytes], bytes, int]:  # fmt: skip
    """Run one request; hang up after ``events`` server-sent events (if it streams).

    Returns the status, headers, body and how many readers the hub still had after."""
    messages: list[dict] = []

    async def scenario() -> int:
        gone = asyncio.Event()
        asked = False

        async def receive() -> dict:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            messages.append(message)
            body = b"".join(m.get("body", b"") for m in messages)
            if events and body.count(b"\nid: ") + body.startswith(b"id: ") >= events:
                gone.set()

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": query, "root_path": "", "headers": list(headers),
                 "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}  # fmt: skip
        await asyncio.wait_for(application(scope, receive, send), 5)
        await asyncio.sleep(0)
        readers = sum(hub.readers().values())
        await asyncio.get_running_loop().run_in_executor(None, connections.close_all)
        return readers

    readers = asyncio.run(scenario())
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], dict(start["headers"]), body, readers


def test_stream_path_sends_the_catch_up_with_the_view_s_headers(blog, editor):
    post = factories.PostFactory(blog=blog, title="Polls close")
    services.post_publish(post=post, by=editor)
    status, headers, body, readers_after = call(f"/live/{blog.slug}/stream/", query=b"after=0",
                                                events=1)  # fmt: skip
    assert status == 200
    assert headers[b"content-type"] == b"text/event-stream"
    assert headers[b"x-accel-buffering"] == b"no"
    assert headers[b"cache-control"] == b"no-cache, no-transform"
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert body.startswith(b"retry: 2000\n\n")
    assert b"id: 1\nevent: change\n" in body
    assert b"Polls close" in body
    assert readers_after == 0  # hanging up leaves the hub


def test_last_event_id_is_honoured(blog, editor):
    for _ in range(2):
        services.post_publish(post=factories.PostFactory(blog=blog), by=editor)
    _, _, body, _ = call(f"/live/{blog.slug}/stream/", headers=(
        (b"host", b"testserver"), (b"last-event-id", b"1")), events=1)  # fmt: skip
    assert b"id: 2\n" in body
    assert b"id: 1\n" not in body


def test_ended_blog_is_204_unknown_404_bad_cursor_400_post_405(blog, editor):
    assert call("/live/nope/stream/")[0] == 404
    assert call(f"/live/{blog.slug}/stream/", query=b"after=x")[0] == 400
    assert call(f"/live/{blog.slug}/stream/", method="POST")[0] == 405
    services.blog_set_status(blog=blog, by=editor, status="ended")
    assert call(f"/live/{blog.slug}/stream/")[0] == 204


def test_a_host_not_allowed_is_refused(blog):
    assert call(f"/live/{blog.slug}/stream/", headers=((b"host", b"evil.example"),))[0] == 400


def test_every_other_path_goes_to_django(db):
    status, _headers, body, _ = call("/healthz")
    assert status == 200
    assert body == b'{"status": "ok"}'


def test_server_start_up_freezes_what_is_loaded_and_spaces_out_full_collections():
    import gc

    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    before = gc.get_threshold()
    try:
        asyncio.run(application({"type": "lifespan"}, receive, send))
        assert [m["type"] for m in sent] == [
            "lifespan.startup.complete",
            "lifespan.shutdown.complete",
        ]
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[2] == 100
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_lifespan_starts_and_stops_and_tunes_the_collector_once() -> None:
    """uvicorn's lifespan protocol: start-up freezes what is loaded and makes full
    collections rarer (docs/performance.md); shutdown completes; nothing else happens."""
    threshold = gc.get_threshold()
    sent: list[dict] = []

    async def scenario() -> None:
        inbox: asyncio.Queue[dict] = asyncio.Queue()
        for kind in ("lifespan.startup", "lifespan.shutdown"):
            inbox.put_nowait({"type": kind})

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        await asyncio.wait_for(application(scope, inbox.get, send), 5)

    gc.unfreeze()
    try:
        asyncio.run(scenario())
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (700, 10, 100)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


@pytest.mark.parametrize("eager", [True, False])
def test_lifespan_runs_the_embedded_beat_only_without_a_broker(settings, eager) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    running: list[bool] = []

    async def scenario() -> None:
        inbox: asyncio.Queue[dict] = asyncio.Queue()

        async def send(message: dict) -> None:
            if message["type"] == "lifespan.startup.complete":
                names = [t.get_coro().__qualname__ for t in asyncio.all_tasks()]
                running.append("EmbeddedBeat.forever" in names)
                inbox.put_nowait({"type": "lifespan.shutdown"})

        inbox.put_nowait({"type": "lifespan.startup"})
        await asyncio.wait_for(application({"type": "lifespan"}, inbox.get, send), 5)
        assert not [t for t in asyncio.all_tasks() if "EmbeddedBeat" in repr(t.get_coro())]

    threshold = gc.get_threshold()
    try:
        asyncio.run(scenario())
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert running == [eager]


# --- The lean path's security is Django's: compared setting by setting ------------------

SECURITY_HEADERS = (
    b"strict-transport-security", b"x-content-type-options", b"referrer-policy",
    b"cross-origin-opener-policy", b"x-frame-options", b"location",
)  # fmt: skip


def _both(path: str, headers: tuple[tuple[bytes, bytes], ...], scheme: str = "http"):
    """The same request through the lean stream path and through Django's own handler
    (built now, so its middleware reads the settings of this test)."""
    from django.core.handlers.asgi import ASGIHandler

    answers = []
    for app in (application, ASGIHandler()):

        async def scenario(app=app) -> tuple[int, dict[bytes, bytes]]:
            sent: list[dict] = []
            asked = asyncio.Event()

            async def receive() -> dict:
                if not asked.is_set():
                    asked.set()
                    return {"type": "http.request", "body": b"", "more_body": False}
                await asyncio.Event().wait()  # the reader never hangs up first
                return {}

            async def send(message: dict) -> None:
                sent.append(message)

            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                     "method": "GET", "scheme": scheme, "path": path,
                     "raw_path": path.encode(), "query_string": b"", "root_path": "",
                     "headers": list(headers), "client": ("127.0.0.1", 50000),
                     "server": ("testserver", 80)}  # fmt: skip
            await asyncio.wait_for(app(scope, receive, send), 5)
            await asyncio.get_running_loop().run_in_executor(None, connections.close_all)
            start = sent[0]
            kept = {k.lower(): v for k, v in start["headers"] if k.lower() in SECURITY_HEADERS}
            return start["status"], kept

        answers.append(asyncio.run(scenario()))
    return answers


SETTINGS_CASES = {
    "defaults": {},
    "host not allowed": {"ALLOWED_HOSTS": ["news.example"]},
    "https redirect": {"SECURE_SSL_REDIRECT": True},
    "https redirect to another host": {"SECURE_SSL_REDIRECT": True, "SECURE_SSL_HOST": "x.test"},
    "https redirect exempt": {"SECURE_SSL_REDIRECT": True, "SECURE_REDIRECT_EXEMPT": ["^live/"]},
    "hsts": {"SECURE_HSTS_SECONDS": 3600},
    "hsts with options": {"SECURE_HSTS_SECONDS": 60, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                          "SECURE_HSTS_PRELOAD": True},
    "no nosniff": {"SECURE_CONTENT_TYPE_NOSNIFF": False},
    "referrer policy": {"SECURE_REFERRER_POLICY": "no-referrer, strict-origin"},
    "referrer policy list": {"SECURE_REFERRER_POLICY": ["origin", "same-origin"]},
    "no referrer policy": {"SECURE_REFERRER_POLICY": None},
    "coop": {"SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin-allow-popups"},
    "no coop": {"SECURE_CROSS_ORIGIN_OPENER_POLICY": None},
    "frames": {"X_FRAME_OPTIONS": "SAMEORIGIN"},
}  # fmt: skip


@pytest.mark.parametrize("case", list(SETTINGS_CASES))
@pytest.mark.parametrize("secure", [False, True], ids=["http", "https via proxy"])
def test_stream_security_matches_django_for_every_setting(settings, case, secure):
    factories.LiveBlogFactory(slug="over", status="ended")  # 204 from both: no stream
    settings.ALLOWED_HOSTS = ["testserver", "news.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for name, value in SETTINGS_CASES[case].items():
        setattr(settings, name, value)
    headers = [(b"host", b"testserver")]
    if secure:
        headers.append((b"x-forwarded-proto", b"https"))

    lean, django = _both("/live/over/stream/", tuple(headers))

    assert lean == django


# --- Limits for the crowd ---------------------------------------------------------------


@pytest.fixture
def one_stream_each(settings):
    from liveblog.live import stream as live_stream

    settings.NEWSROOM_STREAM_MAX_PER_CLIENT = 1
    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]  # readers arrive through nginx
    live_stream.admission.enter("203.0.113.9")  # the flooder already holds its one stream
    yield live_stream.admission
    live_stream.admission.leave("203.0.113.9")


def test_a_stream_flood_is_refused_cleanly_while_other_readers_keep_working(
    blog, editor, one_stream_each
):
    services.post_publish(post=factories.PostFactory(blog=blog), by=editor)
    flooder = ((b"host", b"testserver"), (b"x-forwarded-for", b"203.0.113.9"))
    reader = ((b"host", b"testserver"), (b"x-forwarded-for", b"198.51.100.7"))

    status, headers, body, _ = call(f"/live/{blog.slug}/stream/", headers=flooder)
    assert (status, headers[b"retry-after"]) == (429, b"5")
    assert b"Too many live streams" in body

    status, _, body, readers = call(f"/live/{blog.slug}/stream/", headers=reader, events=1)
    assert status == 200
    assert b"id: 1\n" in body
    assert readers == 0
    assert one_stream_each.by_client == {"203.0.113.9": 1}  # the reader left on hang-up


def test_a_full_stream_process_answers_503_before_it_runs_out_of_descriptors(
    blog, settings, one_stream_each
):
    settings.NEWSROOM_STREAM_MAX_READERS = one_stream_each.total

    status, headers, _, _ = call(f"/live/{blog.slug}/stream/")

    assert (status, headers[b"retry-after"]) == (503, b"5")


def test_a_cursor_beyond_the_blog_reloads_the_page_instead_of_skipping_changes(blog, editor):
    services.post_publish(post=factories.PostFactory(blog=blog), by=editor)

    status, headers, body, _ = call(f"/live/{blog.slug}/stream/", query=b"after=40")

    assert status == 200
    assert headers[b"content-type"] == b"text/event-stream"
    assert body.startswith(b"id: 1\nevent: change\n")
    assert b'data-op="reload"' in body
