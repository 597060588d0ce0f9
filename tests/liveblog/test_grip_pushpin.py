"""Readers through a real edge engine (Debian's Pushpin, started on free loopback ports in
front of the test's origin): every change reaches them through GRIP, once and in order,
across a reader's absence, a lost publish, an engine restart and a change made while the
engine was down."""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.test import Client

from liveblog import services
from liveblog.edge import grip
from liveblog.models import LiveBlog
from tests import factories
from tests.edge import SIG_KEY, Pushpin, available

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not available(), reason="Pushpin is not installed (apt-get install pushpin)"
    ),
]
GRIP = "liveblog.edge.grip.GripTransport"


@dataclass(frozen=True)
class Event:
    id: int | None
    name: str
    data: str


class StreamReader:
    """One reader's EventSource, in a thread: every event it is sent, in order."""

    def __init__(self, url: str, *, last_event_id: int | None = None,
                 cookies: str = "") -> None:  # fmt: skip
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Accept": "text/event-stream"}
        if cookies:
            headers["Cookie"] = cookies
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", f"{parts.path}?{parts.query}", headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if "event" in fields or "data" in fields:
                        ident = fields.get("id")
                        self.events.put(Event(int(ident) if ident else None,
                                              fields.get("event", "message"),
                                              fields.get("data", "")))  # fmt: skip
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    fields[name] = (
                        f"{fields[name]}\n{value}" if name == "data" and name in fields else value
                    )
        except Exception:  # closed under it by close(): the stream ended either way
            pass
        self.events.put(None)  # the stream ended

    def next(self, timeout: float = 10) -> Event | None:
        return self.events.get(timeout=timeout)

    def until(self, seq: int, timeout: float = 10) -> list[Event]:
        """Every event up to the one that brings the reader to ``seq``."""
        seen: list[Event] = []
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            assert event is not None, f"the stream ended after {seen}"
            seen.append(event)
            if event.id is not None and event.id >= seq:
                return seen

    def quiet(self, seconds: float) -> list[Event]:
        """What arrives within ``seconds`` (nothing, if all is well)."""
        seen: list[Event] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event is not None:
                seen.append(event)
        return seen

    def close(self) -> None:
        """Hang up (the socket first: the reading thread holds the response's lock)."""
        try:
            if self.connection.sock is not None:
                self.connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(5)
        self.connection.close()


@pytest.fixture
def pushpin(live_server, tmp_path, settings):
    engine = Pushpin(tmp_path / "pushpin", live_server.url)
    engine.start()
    settings.NEWSROOM_PUSH_BACKEND = GRIP
    settings.NEWSROOM_GRIP_URLS = [engine.grip_url]
    settings.NEWSROOM_GRIP_VERIFY_KEY = SIG_KEY
    settings.NEWSROOM_GRIP_RECOVER_SECONDS = 3
    yield engine
    engine.stop()
    print(engine.log()[-4000:])  # shown when a test fails


@pytest.fixture
def readers():
    opened: list[StreamReader] = []

    def open_(url: str, **kwargs) -> StreamReader:
        reader = StreamReader(url, **kwargs)
        opened.append(reader)
        return reader

    yield open_
    for reader in opened:
        reader.close()


def position(blog: LiveBlog) -> int:
    blog.refresh_from_db()
    return blog.last_seq


def stream_url(engine: Pushpin, blog: LiveBlog, after: int) -> str:
    return f"{engine.url}/live/{blog.slug}/stream/?after={after}"


def subscribed(engine: Pushpin, reader: StreamReader) -> None:
    """The reader's hold is in place: its first bytes came through the engine."""
    assert reader.status == 200, reader.status
    time.sleep(0.3)  # the engine subscribes the channel right after the first bytes


def test_publish_edit_pin_and_retract_reach_a_reader_through_the_engine_once_and_in_order(
    pushpin, readers, blog, reporter, editor
):
    reader = readers(stream_url(pushpin, blog, position(blog)))
    subscribed(pushpin, reader)
    post = factories.PostFactory(blog=blog, author=reporter, title="Polls close in Georgia")

    post = services.post_publish(post=post, by=editor)
    published = position(blog)
    post = services.post_update(post=post, by=editor, expected_version=post.version,
                                data={"title": "Polls close in Georgia at 7"})  # fmt: skip
    post = services.post_set_pinned(post=post, by=editor, pinned=True)
    services.post_retract(post=post, by=editor, reason="Wrong state.")
    last = position(blog)

    events = reader.until(last)
    assert [e.id for e in events] == list(range(published, last + 1))
    assert "Polls close in Georgia" in events[0].data
    assert 'data-op="upsert"' in events[0].data
    assert "at 7" in events[1].data
    assert 'data-target="pinned"' in events[2].data
    assert 'data-op="remove"' in events[3].data
    assert reader.quiet(1) == []  # nothing doubled


def test_a_reader_away_for_5_seconds_catches_up_once_and_in_order(
    pushpin, readers, blog, reporter, editor
):
    start = position(blog)
    first = readers(stream_url(pushpin, blog, start))
    subscribed(pushpin, first)
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)
    seen = position(blog)
    assert [e.id for e in first.until(seen)] == [seen]
    first.close()

    missed = [factories.PostFactory(blog=blog, author=reporter, title=f"While away {n}")
              for n in range(3)]  # fmt: skip
    for post in missed:
        services.post_publish(post=post, by=editor)
    time.sleep(5)
    back = readers(stream_url(pushpin, blog, 0), last_event_id=seen)

    [catch_up] = back.until(position(blog))
    assert catch_up.id == position(blog)
    assert all(f"While away {n}" in catch_up.data for n in range(3))
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)
    assert [e.id for e in back.until(position(blog))] == [position(blog)]


def test_a_lost_publish_is_recovered_from_the_origin_never_skipped(
    pushpin, readers, blog, reporter, editor, monkeypatch
):
    reader = readers(stream_url(pushpin, blog, position(blog)))
    subscribed(pushpin, reader)
    lost = factories.PostFactory(blog=blog, author=reporter, title="Lost on the way")
    with monkeypatch.context() as patched:  # this one change never reaches the engine
        patched.setattr(grip.Engine, "publish", lambda self, name, items: None)
        services.post_publish(post=lost, by=editor)
    lost_seq = position(blog)
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)

    events = reader.until(position(blog))
    assert "Lost on the way" in "".join(e.data for e in events)  # the gap was filled
    assert events[-1].id == position(blog)
    assert events[0].id >= lost_seq


def test_the_last_change_lost_on_its_way_still_arrives_by_the_next_link(
    pushpin, readers, blog, reporter, editor, monkeypatch
):
    reader = readers(stream_url(pushpin, blog, position(blog)))
    subscribed(pushpin, reader)
    monkeypatch.setattr(grip.Engine, "publish", lambda self, name, items: None)
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter,
                                                     title="Last word"),
                          by=editor)  # fmt: skip

    [event] = reader.until(position(blog), timeout=10)  # the engine asks again (3 s here)
    assert "Last word" in event.data


def test_a_change_made_while_the_engine_was_down_reaches_readers_when_it_is_back(
    pushpin, readers, blog, reporter, editor
):
    reader = readers(stream_url(pushpin, blog, position(blog)))
    subscribed(pushpin, reader)
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)
    had = position(blog)
    assert [e.id for e in reader.until(had)] == [had]

    pushpin.stop()
    assert reader.next(timeout=5) is None  # the engine's connections are gone
    started = time.monotonic()
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter,
                                                     title="Published in the dark"),
                          by=editor)  # fmt: skip
    assert time.monotonic() - started < 3  # a dead engine does not hold the desk up
    pushpin.start()
    back = readers(stream_url(pushpin, blog, 0), last_event_id=had)  # the browser's retry

    [event] = back.until(position(blog))
    assert "Published in the dark" in event.data
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)
    assert [e.id for e in back.until(position(blog), timeout=15)] == [position(blog)]


def test_a_request_that_did_not_come_through_the_engine_is_not_held(pushpin, live_server, blog):
    direct = StreamReader(f"{live_server.url}/live/{blog.slug}/stream/?after=0")
    try:
        assert direct.status == 503
        assert direct.response.getheader("Retry-After")
    finally:
        direct.close()


def test_an_ended_blog_closes_the_engines_streams(pushpin, readers, blog, editor):
    reader = readers(stream_url(pushpin, blog, position(blog)))
    subscribed(pushpin, reader)

    services.blog_set_status(blog=blog, by=editor, status=LiveBlog.Status.ENDED)

    events = reader.until(position(blog))
    assert reader.next(timeout=5) == Event(None, "ended", "ended")
    assert reader.next(timeout=5) is None  # the engine closed the stream
    assert 'data-op="end"' in events[-1].data


# --- Desks through the engine ----------------------------------------------------------
def session_of(user) -> str:
    browser = Client()
    browser.force_login(user)
    return f"sessionid={browser.cookies['sessionid'].value}"


def desk_url(engine: Pushpin, blog: LiveBlog) -> str:
    blog.refresh_from_db()
    return f"{engine.url}/admin/desk/{blog.slug}/stream/?after={blog.desk_seq}"


def test_a_desk_through_the_engine_sees_a_colleague_s_draft_and_submission_arrive(
    pushpin, readers, blog, reporter, editor
):
    desk = readers(desk_url(pushpin, blog), cookies=session_of(editor))
    assert desk.status == 200
    assert desk.next().name == "presence"  # who is on the desk, first
    subscribed(pushpin, desk)

    post = services.post_create(blog=blog, by=reporter, title="Filed", body="<p>Words</p>")
    services.post_submit(post=post, by=reporter)
    blog.refresh_from_db()

    events = desk.until(blog.desk_seq)
    statuses = [c["status"] for e in events if e.name == "desk"
                for c in json.loads(e.data)["changes"]]  # fmt: skip
    assert statuses == ["draft", "submitted"]


def test_a_reader_who_is_not_staff_cannot_hold_the_desk_channel_through_the_engine(
    pushpin, readers, blog
):
    outsider = factories.UserFactory(username="outsider", is_staff=False)

    for cookies in ("", session_of(outsider)):
        desk = readers(desk_url(pushpin, blog), cookies=cookies)
        assert desk.status == 403
        assert desk.next() is None  # refused, nothing held


def test_a_turned_off_account_s_desk_through_the_engine_is_closed_at_the_next_check(
    pushpin, readers, blog, reporter, settings
):
    settings.NEWSROOM_GRIP_DESK_RECHECK_SECONDS = 2
    desk = readers(desk_url(pushpin, blog), cookies=session_of(reporter))
    assert desk.status == 200
    subscribed(pushpin, desk)

    reporter.is_active = False
    reporter.save()

    seen = []
    while (event := desk.next(timeout=10)) is not None:
        seen.append(event.name)
    assert seen[-1] == "closed", seen  # and then the engine ended the stream
