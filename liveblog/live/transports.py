"""Push transports: how committed changes reach open pages, chosen by a setting.

``NEWSROOM_PUSH_BACKEND`` names the class (as Django's ``EMAIL_BACKEND`` does); the
built-in hub is the default. A transport does two things, and the views know nothing
else of it:

- ``announce(blog_id, seq)``: called once a change has committed (``notify``, a
  receiver of ``change_committed``). Never raises, never waits long.
- ``announce_desk(blog_id, seq)``: the same for an entry of the staff log
  (``desk_changed``), which the open desks follow.
- ``open(opening)``: a reader passed the stream's status ladder (``stream.ladder``); serve
  it. The answer is an ``Answer`` (a refusal, or an edge engine's instructions with the
  catch-up as its body) or the stream's own bytes (``Admitted``), which the Django view
  and the lean ASGI path send as they come.
- ``hold_desk(opening)``: a desk whose user may follow it (the desk's view checked);
  an ``Answer`` if the transport holds it elsewhere, or None: this process serves it
  (``liveblog.desk.channel``, on the hub).

``lean`` says whether the stream servers' lean ASGI path may serve the transport's
streams itself (the hub's, held in this process); otherwise it hands the request to
Django like any other.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from . import redis as live_redis
from . import stream as live_stream
from .hub import hub


class Transport:
    """The interface (see the module's docstring)."""

    lean: ClassVar[bool] = False

    def announce(self, blog_id: int, seq: int) -> None:
        raise NotImplementedError

    def announce_desk(self, blog_id: int, seq: int) -> None:
        raise NotImplementedError

    async def open(self, opening: live_stream.Opening) -> live_stream.Answer | live_stream.Admitted:
        raise NotImplementedError

    async def hold_desk(self, opening: live_stream.DeskOpening) -> live_stream.Answer | None:
        return None  # this process serves the desk


class HubTransport(Transport):
    """The built-in hub: each stream process holds its readers and fans each change out
    to them (``hub``); processes tell each other through Redis, and fall back to polling
    the database when Redis is away."""

    lean = True

    def announce(self, blog_id: int, seq: int) -> None:
        """Wake this process's readers at once, and every other process through Redis.

        If Redis is down, the other processes' database poll delivers the change within a
        second or two."""
        hub.notify(blog_id)
        _publish("live", blog_id, seq)

    def announce_desk(self, blog_id: int, seq: int) -> None:
        """Wake this process's open desks of the blog at once, and every other process's
        through the hub's subscription (their desks' poll, if Redis is down)."""
        hub.tell("desk", blog_id, seq)
        _publish("desk", blog_id, seq)

    async def open(self, opening: live_stream.Opening) -> live_stream.Answer | live_stream.Admitted:
        """The reader's own stream from this process, within its limits."""
        if refused := live_stream.admission.refusal(opening.client):
            return live_stream.refused(*refused)
        chunks = live_stream.events(opening.blog_id, opening.after)
        return live_stream.admitted((opening.client,), chunks)


def _publish(channel: str, blog_id: int, seq: int) -> None:
    client = live_redis.client()
    if client is None:
        return
    try:
        client.publish(live_redis.key(channel), f"{blog_id}:{seq}")
    except Exception as error:
        live_redis.failed(error)
    else:
        live_redis.succeeded()


def transport() -> Transport:
    """The configured transport (``NEWSROOM_PUSH_BACKEND``), made once per process (asked
    at every connect and every change)."""
    return _made(settings.NEWSROOM_PUSH_BACKEND)


@cache
def _made(path: str) -> Transport:
    cls: type[Transport] = import_string(path)
    return cls()
