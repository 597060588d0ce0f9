"""The GRIP transport at the origin, without an engine: what a stream request is answered
(catch-up, hold, channel position, next link), which requests are held, and what each
committed change publishes (once, with its sequence and the previous one), to an engine
that answers, is dead, or hangs."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.test import Client

from liveblog import services
from liveblog.live import grip
from liveblog.models import LiveBlog
from tests import factories
from tests.edge import free_port

pytestmark = pytest.mark.django_db(transaction=True)
KEY = "origin-test-signing-key-of-32-bytes-or-more"


class FakeEngine(ThreadingHTTPServer):
    """An engine's publish endpoint on loopback: records each ``POST /publish/``."""

    daemon_threads = True

    def __init__(self, *, hang: float = 0) -> None:
        self.items: list[dict] = []
        self.hang = hang
        self.arrived = threading.Event()
        engine = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(engine.hang)
                engine.items.extend(json.loads(body)["items"])
                engine.arrived.set()
                self.send_response(200)
                self.send_header("Content-Length", "10")
                self.end_headers()
                self.wfile.write(b"Published\n")

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def wait(self, count: int, timeout: float = 5) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.items) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.items


@pytest.fixture
def grip_settings(settings):
    settings.NEWSROOM_PUSH_BACKEND = "liveblog.live.grip.GripTransport"
    settings.NEWSROOM_GRIP_VERIFY_KEY = KEY
    settings.NEWSROOM_GRIP_URLS = []
    settings.NEWSROOM_GRIP_TIMEOUT = 0.5
    settings.NEWSROOM_BREAKER_PAUSE = 30
    return settings


@pytest.fixture
def engine(grip_settings):
    server = FakeEngine()
    grip_settings.NEWSROOM_GRIP_URLS = [server.url]
    yield server
    server.shutdown()
    server.server_close()


def signed(**claims: object) -> str:
    return jwt.encode({"iss": "pushpin", "exp": int(time.time()) + 3600, **claims}, KEY)


def hold(blog: LiveBlog, query: str = "after=0", **headers: str):
    return Client().get(f"/live/{blog.slug}/stream/?{query}", HTTP_GRIP_SIG=signed(),
                        **{f"HTTP_{k.upper()}": v for k, v in headers.items()})  # fmt: skip


def publish(blog, reporter, editor, title="Polls close"):
    post = factories.PostFactory(blog=blog, author=reporter, title=title)
    services.post_publish(post=post, by=editor)
    blog.refresh_from_db()
    return blog.last_seq


def test_a_stream_request_through_the_engine_is_answered_with_the_catch_up_and_a_hold(
    engine, blog, reporter, editor
):
    first = publish(blog, reporter, editor, "Polls open")
    second = publish(blog, reporter, editor, "Polls close")

    answer = hold(blog, f"after={first - 1}")

    assert answer.status_code == 200
    assert answer["Grip-Hold"] == "stream"
    assert answer["Grip-Channel"] == f"live-{blog.pk}; prev-id={second}"
    assert answer["Grip-Link"] == (f"</live/{blog.slug}/stream/?after={second}>; rel=next; "
                                   "timeout=60")  # fmt: skip
    assert answer["Grip-Keep-Alive"] == ": keep-alive\\n\\n; format=cstring; timeout=15"
    body = answer.content.decode()
    assert body.startswith("retry: 2000\n\n")
    assert f"id: {second}\n" in body
    assert "Polls open" in body
    assert "Polls close" in body


def test_the_engines_own_cursor_wins_when_it_asks_the_next_link_again(
    engine, blog, reporter, editor
):
    first = publish(blog, reporter, editor, "Polls open")
    second = publish(blog, reporter, editor, "Polls close")

    again = hold(blog, "after=0", grip_last=f"live-{blog.pk}; last-id={first}")

    body = again.content.decode()
    assert "Polls close" in body
    assert "Polls open" not in body  # only what it lacks
    assert not body.startswith("retry:")  # mid-stream: no second retry hint
    assert again["Grip-Channel"] == f"live-{blog.pk}; prev-id={second}"

    current = hold(blog, "after=0", grip_last=f"live-{blog.pk}; last-id={second}")
    assert current.content == b""
    assert current["Grip-Channel"].endswith(f"prev-id={second}")


@pytest.mark.parametrize("signature", [None, "not-a-token", "wrong-key"])
def test_a_request_not_signed_by_an_engine_is_not_held_and_the_page_polls(engine, blog, signature):
    headers = {}
    if signature == "wrong-key":
        headers["HTTP_GRIP_SIG"] = jwt.encode({"iss": "pushpin", "exp": int(time.time()) + 60},
                                              "another-key-of-32-bytes-or-more-xx")  # fmt: skip
    elif signature:
        headers["HTTP_GRIP_SIG"] = signature
    answer = Client().get(f"/live/{blog.slug}/stream/?after=0", **headers)

    assert answer.status_code == 503
    assert answer["Retry-After"]
    assert "Grip-Hold" not in answer
    assert Client().get(f"/live/{blog.slug}/changes/?since=0").status_code == 200


def test_each_committed_change_is_published_once_with_its_sequence_and_the_previous_one(
    engine, blog, reporter, editor
):
    before = blog.last_seq
    first = publish(blog, reporter, editor, "Polls open")
    second = publish(blog, reporter, editor, "Polls close")

    items = engine.wait(2)

    assert [(i["channel"], i["id"], i["prev-id"]) for i in items] == [
        (f"live-{blog.pk}", str(first), str(before)),
        (f"live-{blog.pk}", str(second), str(first)),
    ]
    content = items[1]["http-stream"]["content"]
    assert content.startswith(f"id: {second}\nevent: change\n")
    assert "Polls close" in content
    time.sleep(0.3)
    assert len(engine.items) == 2  # once


def test_every_engine_gets_every_change(grip_settings, blog, reporter, editor):
    engines = [FakeEngine(), FakeEngine()]
    grip_settings.NEWSROOM_GRIP_URLS = [e.url for e in engines]

    seq = publish(blog, reporter, editor)

    assert [[i["id"] for i in e.wait(1)] for e in engines] == [[str(seq)], [str(seq)]]


def test_the_change_that_ends_the_blog_ends_and_closes_every_stream(engine, blog, editor):
    services.blog_set_status(blog=blog, by=editor, status=LiveBlog.Status.ENDED)

    [event, close] = engine.wait(2)
    assert event["http-stream"]["content"].endswith("event: ended\ndata: ended\n\n")
    assert close["http-stream"] == {"action": "close"}


def test_a_dead_engine_costs_the_editor_nothing_and_is_left_alone(
    grip_settings, blog, reporter, editor
):
    grip_settings.NEWSROOM_GRIP_URLS = [f"http://127.0.0.1:{free_port()}/"]  # nobody there
    [dead] = grip.engines()

    started = time.monotonic()
    publish(blog, reporter, editor)
    assert time.monotonic() - started < 1
    deadline = time.monotonic() + 5
    while dead.breaker.state == "closed" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert dead.breaker.state == "open"
    assert "failed to publish" in dead.breaker.last_error


def test_a_hung_engine_times_out_behind_the_request_and_opens_its_breaker(
    grip_settings, blog, reporter, editor
):
    with socket.socket() as silent:  # accepts, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        grip_settings.NEWSROOM_GRIP_URLS = [f"http://127.0.0.1:{silent.getsockname()[1]}/"]
        [hung] = grip.engines()

        started = time.monotonic()
        publish(blog, reporter, editor)
        assert time.monotonic() - started < 1  # the request did not wait for it
        deadline = time.monotonic() + 5
        while hung.breaker.state == "closed" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert hung.breaker.state == "open"  # after the 0.5 s limit, not a hang
        assert time.monotonic() - started < 3


def test_the_hub_still_serves_the_desks_with_the_engine_serving_readers(engine, blog, editor):
    """The staff channel stays on the built-in hub for now: its announcements go there."""
    from liveblog.live.hub import hub

    told = []
    original = hub.tell
    hub.tell = lambda *args: told.append(args)  # type: ignore[method-assign]
    try:
        services.summary_update(blog=blog, by=editor, points=["Polls close at 7"])
    finally:
        hub.tell = original  # type: ignore[method-assign]
    assert told
    assert told[0][0] == "desk"
