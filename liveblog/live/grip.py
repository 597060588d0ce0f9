"""The GRIP transport: readers' connections held by an edge engine (Pushpin, or Fastly
Fanout), the origin answering each stream request at once and publishing each change once.

``NEWSROOM_PUSH_BACKEND = "liveblog.live.grip.GripTransport"`` with ``NEWSROOM_GRIP_URLS``
(each engine's publish endpoint, as a GRIP URL). The protocol is the engines' own
(https://pushpin.org/docs/protocols/grip/), spoken through Fanout's ``gripcontrol``
library; what Newsroom adds is its change-log discipline:

- A reader's stream request answers with the catch-up since its cursor (``?after=``,
  ``Last-Event-ID``, or the engine's ``Grip-Last``) as the first bytes, and a stream hold
  on the blog's channel whose ``prev-id`` is the position that catch-up reached.
- Each committed change is rendered once, in the process that committed it, and
  published once to every engine with its sequence as the item's ``id`` and the previous
  change's as its ``prev-id``. An engine that sees an item not follow what its reader
  last had (one publish lost, two processes' publishes crossing) does not guess: it asks
  the origin again through the hold's ``next`` link, and the origin answers with the
  catch-up from the engine's ``Grip-Last``. The same link is asked every
  ``NEWSROOM_GRIP_RECOVER_SECONDS`` anyway, so even the last change of a quiet blog,
  lost on its way to the engine, reaches its readers.
- The page polls (cacheable) whenever its stream cannot open: the engine down, or this
  origin refusing a request that did not come through an engine (``Grip-Sig``).

Publishing never blocks the request that committed the change: each engine has its own
ordered worker thread (the library's), a timeout on every call and a breaker, so a dead
or hung engine costs nothing but its readers' freshness, which the next link restores.
The staff desk channel stays on the built-in hub for now (``announce_desk``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone
from gripcontrol import (
    Channel,
    GripPubControl,
    HttpStreamFormat,
    create_grip_channel_header,
    parse_grip_uri,
    validate_sig,
)
from pubcontrol import Item, PubControlClient
from requests.adapters import HTTPAdapter

from newsroom.breaker import Breaker
from newsroom.params import sequence

from ..models import Change, LiveBlog
from . import sse
from . import stream as live_stream
from .operations import Renderer, display_zone, op, render_catch_up
from .transports import HubTransport, Transport

logger = logging.getLogger(__name__)
HOLD_HEADERS = {**live_stream.HEADERS, "Grip-Hold": "stream"}
NOT_THROUGH_AN_ENGINE = b"Live updates come through the edge: polling instead."


def channel(blog_id: int) -> str:
    """The engine's channel of a blog's readers."""
    return f"{settings.NEWSROOM_GRIP_PREFIX}live-{blog_id}"


class _Bounded(HTTPAdapter):
    """Every publish call has a time limit (the library sets none) and no retry: the
    breaker and the engine's next link are the retries."""

    def __init__(self, timeout: float) -> None:
        super().__init__(max_retries=0)
        self.timeout = timeout

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


@dataclass
class Engine:
    """One engine's publish endpoint, with its breaker."""

    url: str
    client: PubControlClient
    breaker: Breaker

    def publish(self, name: str, items: list[Item]) -> None:
        """Queue ``items`` for this engine's worker thread, in order; never raises."""
        if not self.breaker.allows():
            return
        for item in items:
            try:
                self.client.publish(name, item, blocking=False, callback=self._done)
            except Exception as error:  # a closed client, a bad item: this engine only
                self.breaker.failed(error)
                return

    def _done(self, ok: bool, message: str) -> None:
        if ok:
            self.breaker.succeeded()
        else:
            self.breaker.failed(ConnectionError(message))


@cache
def _engines(urls: tuple[str, ...], timeout: float) -> list[Engine]:
    engines = []
    for url in urls:
        publisher = GripPubControl(parse_grip_uri(url))
        [client] = publisher.clients
        for scheme in ("http://", "https://"):
            client.requests_session.mount(scheme, _Bounded(timeout))
        control = parse_grip_uri(url)["control_uri"]
        engines.append(Engine(control, client, Breaker(f"GRIP engine {control}")))
    return engines


def engines() -> list[Engine]:
    """Every configured engine (several Pushpin instances each get every publish)."""
    return _engines(tuple(settings.NEWSROOM_GRIP_URLS), settings.NEWSROOM_GRIP_TIMEOUT)


def verify_keys() -> list[tuple[str | bytes, str | None]]:
    """The keys an engine signs its requests with (``Grip-Sig``), and their issuers:
    ``NEWSROOM_GRIP_VERIFY_KEY`` (Pushpin's ``sig_key``) and any ``verify-key`` (Fanout's)
    or ``key`` of the engines' URLs."""
    keys: list[tuple[str | bytes, str | None]] = []
    if settings.NEWSROOM_GRIP_VERIFY_KEY:
        keys.append((settings.NEWSROOM_GRIP_VERIFY_KEY, None))
    for url in settings.NEWSROOM_GRIP_URLS:
        parsed = parse_grip_uri(url)
        key = parsed.get("verify_key", parsed.get("key"))
        if key:
            keys.append((key, parsed.get("verify_iss")))
    return keys


def through_an_engine(headers: Mapping[str, str]) -> bool:
    """Whether the request came through an engine: its ``Grip-Sig`` checks out with one
    of the keys (without any key configured, its presence is taken on trust)."""
    signature = headers.get("grip-sig", "")
    if not signature:
        return False
    keys = verify_keys()
    return not keys or any(validate_sig(signature, key, iss=iss) for key, iss in keys)


def grip_last(headers: Mapping[str, str], name: str) -> int | None:
    """The engine's own cursor for channel ``name`` (``Grip-Last: <name>; last-id=N``),
    sent when it asks the next link: newer than the link's ``after``."""
    for part in headers.get("grip-last", "").split(","):
        channel_name, _, params = part.strip().partition(";")
        if channel_name.strip() != name:
            continue
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "last-id":
                return sequence(value.strip().strip('"'))
    return None


@dataclass(frozen=True)
class CatchUp:
    """The bytes that bring a reader from its cursor to ``at``, and whether the stream
    ends there (the blog ended; too far behind: the page reloads)."""

    body: bytes
    at: int
    final: bool


def catch_up(blog_id: int, after: int) -> CatchUp:
    """From the change log, like the hub's catch-up (sync: call through sync_to_async)."""
    event = render_catch_up(blog_id, after)
    if event is None:
        return CatchUp(b"", after, False)
    reload = event.html == op("reload")
    ended = event.ended
    return CatchUp(event.wire + (live_stream.ENDED if ended else b""), event.seq, ended or reload)


def publication(blog_id: int, seq: int) -> list[Item]:
    """The items that publish change ``seq``: its event, with its sequence as ``id`` and
    the previous change's as ``prev-id`` (and, when it ends the blog, the end and a close).
    None if the change is not in the log (sync)."""
    changes = list(Change.objects.filter(blog_id=blog_id, seq__lte=seq).order_by("-seq")[:2])
    if not changes or changes[0].seq != seq:
        return []
    previous = changes[1].seq if len(changes) > 1 else 0
    with timezone.override(display_zone()):
        [event] = Renderer(LiveBlog.objects.get(pk=blog_id), changes[:1]).events()
    content = event.wire + (live_stream.ENDED if event.ended else b"")
    items = [Item(HttpStreamFormat(content), id=str(seq), prev_id=str(previous))]
    if event.ended:
        items.append(Item(HttpStreamFormat(close=True)))
    return items


class GripTransport(Transport):
    """Readers through GRIP engines (see the module's docstring)."""

    lean = False  # the lean ASGI path hands stream requests to Django's view
    _desks = HubTransport()

    def announce(self, blog_id: int, seq: int) -> None:
        """Render the change once and publish it to every engine. Never raises: a change
        that cannot be published reaches readers through the next link."""
        try:
            items = publication(blog_id, seq)
        except Exception:
            logger.exception("change %s of blog %s not published to the edge", seq, blog_id)
            return
        if items:
            for engine in engines():
                engine.publish(channel(blog_id), items)

    def announce_desk(self, blog_id: int, seq: int) -> None:
        """The staff desk channel stays on the built-in hub."""
        self._desks.announce_desk(blog_id, seq)

    async def open(self, opening: live_stream.Opening) -> live_stream.Answer:
        """The catch-up as the first bytes, then a stream hold for the engine; a request
        that did not come through an engine is refused (the page polls)."""
        if not through_an_engine(opening.headers):
            return live_stream.refused(503, NOT_THROUGH_AN_ENGINE)
        name = channel(opening.blog_id)
        asked_again = "grip-last" in opening.headers
        after = grip_last(opening.headers, name)
        after = opening.after if after is None else after
        caught = await sync_to_async(catch_up)(opening.blog_id, after)
        body = caught.body if asked_again else sse.RETRY + caught.body
        if caught.final:  # the engine passes it on and closes
            return live_stream.Answer(200, body, dict(live_stream.HEADERS))
        link = f"{opening.path}?{urlencode({'after': caught.at})}"
        headers = {
            **HOLD_HEADERS,
            "Grip-Channel": create_grip_channel_header(Channel(name, prev_id=str(caught.at))),
            "Grip-Link": f"<{link}>; rel=next; timeout={settings.NEWSROOM_GRIP_RECOVER_SECONDS}",
            "Grip-Keep-Alive": f"{_cstring(sse.KEEP_ALIVE)}; format=cstring; "
            f"timeout={int(settings.NEWSROOM_LIVE_HEARTBEAT)}",
        }
        return live_stream.Answer(200, body, headers)


def _cstring(data: bytes) -> str:
    """GRIP's cstring encoding of a keep-alive (``\\n`` escaped)."""
    return data.decode().replace("\\", "\\\\").replace("\n", "\\n")
