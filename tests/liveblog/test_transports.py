"""The push transport is a backend chosen by a setting: every committed change is
announced through it once, and every reader that passes the stream's status ladder is
handed to it, by the Django view and the lean ASGI path alike."""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.test import Client

from liveblog import services
from liveblog.live import stream as live_stream
from liveblog.live.transports import HubTransport, Transport, transport
from tests import factories
from tests.liveblog.test_live_asgi import call

pytestmark = pytest.mark.django_db(transaction=True)
BACKEND = "tests.liveblog.test_transports.EdgeStandIn"


class EdgeStandIn(Transport):
    """What an edge engine's transport looks like to the views: it publishes each change
    elsewhere and answers each reader with instructions for the edge."""

    announced: ClassVar[list[tuple[int, int]]] = []
    desk_announced: ClassVar[list[tuple[int, int]]] = []
    opened: ClassVar[list[live_stream.Opening]] = []

    def announce(self, blog_id: int, seq: int) -> None:
        self.announced.append((blog_id, seq))

    def announce_desk(self, blog_id: int, seq: int) -> None:
        self.desk_announced.append((blog_id, seq))

    async def open(self, opening: live_stream.Opening) -> live_stream.Answer:
        self.opened.append(opening)
        return live_stream.Answer(200, b"catch-up", {"Content-Type": "text/event-stream",
                                                     "Grip-Hold": "stream"})  # fmt: skip


@pytest.fixture
def edge(settings):
    settings.NEWSROOM_PUSH_BACKEND = BACKEND
    EdgeStandIn.announced.clear()
    EdgeStandIn.desk_announced.clear()
    EdgeStandIn.opened.clear()
    return EdgeStandIn


def test_the_hub_is_the_default_transport():
    assert isinstance(transport(), HubTransport)
    assert transport().lean


def test_every_committed_change_is_announced_through_the_configured_transport_once(
    edge, blog, reporter, editor
):
    post = factories.PostFactory(blog=blog, author=reporter)
    services.post_publish(post=post, by=editor)

    blog.refresh_from_db()
    assert edge.announced == [(blog.pk, blog.last_seq)]


def test_a_reader_that_passes_the_ladder_is_the_transports_in_the_view(edge, blog):
    answer = Client().get(f"/live/{blog.slug}/stream/?after=0", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert (answer.status_code, answer.content, answer["Grip-Hold"]) == (200, b"catch-up",
                                                                         "stream")  # fmt: skip
    [opening] = edge.opened
    assert (opening.blog_id, opening.after) == (blog.pk, 0)


def test_the_ladder_answers_before_any_transport(edge, blog):
    client = Client()
    assert client.get(f"/live/{blog.slug}/stream/?after=x").status_code == 400
    assert client.get("/live/no-such-blog/stream/").status_code == 404
    assert client.post(f"/live/{blog.slug}/stream/").status_code == 405
    assert edge.opened == []


def test_the_lean_path_hands_a_transport_it_does_not_hold_to_django(edge, blog):
    status, headers, body, readers = call(f"/live/{blog.slug}/stream/", query=b"after=0")

    assert (status, body, readers) == (200, b"catch-up", 0)
    assert headers[b"Grip-Hold"] == b"stream"
    assert len(edge.opened) == 1


def test_every_committed_staff_entry_is_announced_through_the_transport_once(edge, blog, reporter):
    services.post_create(blog=blog, by=reporter, title="A draft")

    blog.refresh_from_db()
    assert edge.desk_announced == [(blog.pk, blog.desk_seq)]
    assert edge.announced == []  # a draft is nobody's news but the desk's
