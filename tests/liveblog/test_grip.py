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
from liveblog.edge import grip
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
    settings.NEWSROOM_PUSH_BACKEND = "liveblog.edge.grip.GripTransport"
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


def test_the_stream_processes_lean_path_answers_the_engine_as_the_view_does(
    engine, blog, reporter, editor
):
    from tests.liveblog.test_live_asgi import call

    first = publish(blog, reporter, editor, "Polls open")
    second = publish(blog, reporter, editor, "Polls close")
    view = hold(blog, f"after={first - 1}")

    through_the_engine = ((b"host", b"testserver"), (b"grip-sig", signed().encode()))
    status, headers, body, _ = call(f"/live/{blog.slug}/stream/",
                                    query=f"after={first - 1}".encode(),
                                    headers=through_the_engine)  # fmt: skip

    assert status == 200
    for name in ("Grip-Hold", "Grip-Channel", "Grip-Link", "Grip-Keep-Alive"):
        assert headers[name.lower().encode()].decode() == view[name], name
    assert body == view.content
    assert f"prev-id={second}" in view["Grip-Channel"]


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

    items = [i for i in engine.wait(6) if i["channel"] == f"live-{blog.pk}"]

    assert [(i["channel"], i["id"], i["prev-id"]) for i in items] == [
        (f"live-{blog.pk}", str(first), str(before)),
        (f"live-{blog.pk}", str(second), str(first)),
    ]
    content = items[1]["http-stream"]["content"]
    assert content.startswith(f"id: {second}\nevent: change\n")
    assert "Polls close" in content
    time.sleep(0.3)
    assert len([i for i in engine.items if i["channel"] == f"live-{blog.pk}"]) == 2  # once


def test_every_engine_gets_every_change(grip_settings, blog, reporter, editor):
    engines = [FakeEngine(), FakeEngine()]
    grip_settings.NEWSROOM_GRIP_URLS = [e.url for e in engines]

    seq = publish(blog, reporter, editor)

    got = [[i["id"] for i in e.wait(2) if i["channel"] == f"live-{blog.pk}"] for e in engines]
    assert got == [[str(seq)], [str(seq)]]


def test_the_change_that_ends_the_blog_ends_and_closes_every_stream(engine, blog, editor):
    services.blog_set_status(blog=blog, by=editor, status=LiveBlog.Status.ENDED)

    [event, close] = [i for i in engine.wait(3) if i["channel"] == f"live-{blog.pk}"]
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


# --- Desks through the engine ----------------------------------------------------------
def desk_hold(user, blog, query: str = "after=0", **headers: str):
    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser.get(f"/admin/desk/{blog.slug}/stream/?{query}", HTTP_GRIP_SIG=signed(),
                       **{f"HTTP_{k.upper()}": v for k, v in headers.items()})  # fmt: skip


def next_link(answer) -> str:
    """The path and query of a hold's next link (what the engine asks with)."""
    link = answer["Grip-Link"]
    return link[link.index("<") + 1 : link.index(">")]


def events_of(body: bytes) -> list[tuple[str | None, str, dict]]:
    out = []
    for block in body.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append((fields.get("id"), fields["event"], json.loads(fields["data"])))
    return out


def test_a_desk_through_the_engine_is_held_on_its_channels_with_a_signed_next_link(
    engine, blog, reporter, editor
):
    factories.PostFactory(blog=blog, author=reporter, title="Draft")
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)
    blog.refresh_from_db()

    answer = desk_hold(editor, blog)

    assert answer.status_code == 200
    assert answer["Grip-Hold"] == "stream"
    assert answer["Grip-Channel"] == (f"desk-{blog.pk}; prev-id={blog.desk_seq}, "
                                      f"desk-presence-{blog.pk}")  # fmt: skip
    assert "grant=" in next_link(answer)
    assert answer["Grip-Link"].endswith("; rel=next; timeout=15")
    [(ident, name, data), (_, presence, shown)] = events_of(answer.content)
    assert (ident, name, data["seq"]) == (str(blog.desk_seq), "desk", blog.desk_seq)
    assert presence == "presence"
    assert shown["staff"]  # the editor is on the desk now


def test_the_engine_asking_again_with_the_grant_gets_only_what_the_desk_lacks(
    engine, blog, reporter, editor
):
    first = desk_hold(editor, blog)
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)
    blog.refresh_from_db()
    path = next_link(first)
    last = first["Grip-Channel"].split("prev-id=")[1].split(",")[0]

    again = Client().get(path, HTTP_GRIP_SIG=signed(),
                         HTTP_GRIP_LAST=f"desk-{blog.pk}; last-id={last}")  # fmt: skip

    assert again.status_code == 200
    assert again["Grip-Hold"] == "stream"
    [(ident, name, data)] = events_of(again.content)  # no second presence, no retry hint
    assert (ident, name) == (str(blog.desk_seq), "desk")
    assert {c["kind"] for c in data["changes"]} >= {"public"}


def test_nobody_but_staff_holds_the_desk_channel_through_the_engine(engine, blog):
    reader = factories.UserFactory(username="a-reader", is_staff=False)

    for who in (None, reader):
        answer = desk_hold(who, blog)
        assert answer.status_code == 403, who
        assert "Grip-Hold" not in answer


def test_a_turned_off_account_s_desk_is_ended_when_the_engine_asks_again(engine, blog, reporter):
    answer = desk_hold(reporter, blog)
    reporter.is_active = False
    reporter.save()

    again = Client().get(next_link(answer), HTTP_GRIP_SIG=signed())

    assert again.status_code == 200
    assert "Grip-Hold" not in again  # the engine sends this and ends the stream
    [(_, name, data)] = events_of(again.content)
    assert name == "closed"
    assert "sign in again" in data["reason"]


def test_a_grant_is_good_only_as_signed_and_only_through_the_engine(engine, blog, editor):
    path = next_link(desk_hold(editor, blog))

    forged = path.replace("grant=", "grant=x")
    assert Client().get(forged, HTTP_GRIP_SIG=signed()).status_code == 403
    assert Client().get(path).status_code == 403  # the grant, but not through the engine
    other = factories.LiveBlogFactory()
    elsewhere = Client().get(path.replace(blog.slug, other.slug), HTTP_GRIP_SIG=signed())
    assert "Grip-Hold" not in elsewhere  # a grant holds its own blog's desk only
    assert events_of(elsewhere.content)[0][1] == "closed"


def test_each_staff_entry_is_published_to_the_desks_once_in_its_chain(
    engine, blog, reporter, editor
):
    before = blog.desk_seq
    post = services.post_create(blog=blog, by=reporter, title="Filed", body="<p>Words</p>")
    services.post_submit(post=post, by=reporter)
    blog.refresh_from_db()

    items = [i for i in engine.wait(2) if i["channel"] == f"desk-{blog.pk}"]
    ids = [(i["id"], i["prev-id"]) for i in items]
    assert ids[-1][0] == str(blog.desk_seq)
    assert [int(i) for i, _ in ids] == sorted(int(i) for i, _ in ids)
    assert all(int(prev) < int(i) for i, prev in ids)
    assert int(ids[0][1]) >= before
    entries = [events_of(i["http-stream"]["content"].encode())[0][2]["changes"][0]
               for i in items]  # fmt: skip
    assert [(e["kind"], e["status"]) for e in entries] == [("filed", "draft"),
                                                           ("saved", "submitted")]  # fmt: skip
