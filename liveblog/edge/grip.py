"""The GRIP transport: readers' connections held by an edge engine (Pushpin, or Fastly
Fanout), the origin answering each stream request at once and publishing each change once.

``NEWSROOM_PUSH_BACKEND = "liveblog.edge.grip.GripTransport"`` with ``NEWSROOM_GRIP_URLS``
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
import uuid
from collections.abc import Callable, Mapping
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

from ..desk import channel as desk_channel
from ..live import sse
from ..live import stream as live_stream
from ..live.operations import Renderer, display_zone, op, render_catch_up
from ..live.transports import HubTransport, Transport
from ..models import Change, DeskChange, LiveBlog

logger = logging.getLogger(__name__)
HOLD_HEADERS = {**live_stream.HEADERS, "Grip-Hold": "stream"}


def keep_alive() -> str:
    """The engine sends the stream's keep-alive comment itself, as often as the hub
    would (GRIP's cstring encoding: newlines escaped)."""
    comment = sse.KEEP_ALIVE.decode().replace("\n", "\\n")
    return f"{comment}; format=cstring; timeout={int(settings.NEWSROOM_LIVE_HEARTBEAT)}"


NOT_THROUGH_AN_ENGINE = b"Live updates come through the edge: polling instead."


def channel(blog_id: int) -> str:
    """The engine's channel of a blog's readers."""
    return f"{settings.NEWSROOM_GRIP_PREFIX}live-{blog_id}"


def desk_channels(blog_id: int) -> tuple[str, str]:
    """The engine's channels of a blog's desks: the staff log (a chain of ids, like the
    readers') and who is on the desk (no chain: an item without ids would break one)."""
    prefix = settings.NEWSROOM_GRIP_PREFIX
    return f"{prefix}desk-{blog_id}", f"{prefix}desk-presence-{blog_id}"


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
    or ``key`` of the engines' URLs (parsed once per configuration)."""
    return _verify_keys(settings.NEWSROOM_GRIP_VERIFY_KEY, tuple(settings.NEWSROOM_GRIP_URLS))


@cache
def _verify_keys(own: str, urls: tuple[str, ...]) -> list[tuple[str | bytes, str | None]]:
    keys: list[tuple[str | bytes, str | None]] = []
    if own:
        keys.append((own, None))
    for url in urls:
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
    if event.ended:  # in the chain too: an item without prev-id would look like a gap
        items.append(Item(HttpStreamFormat(close=True), id=f"{seq}.end", prev_id=str(seq)))
    return items


def desk_publication(blog_id: int, seq: int) -> list[Item]:
    """The item that publishes entry ``seq`` of the staff log to the blog's desks, in
    its chain (sync)."""
    entries = list(DeskChange.objects.filter(blog_id=blog_id, seq__lte=seq)
                   .order_by("-seq").values_list("seq", flat=True)[:2])  # fmt: skip
    if not entries or entries[0] != seq:
        return []
    previous = entries[1] if len(entries) > 1 else 0
    events, at = desk_channel.staff_events(blog_id, previous, upto=seq)
    wire = desk_channel.event("desk", {"seq": at, "changes": events}, seq=at)
    return [Item(HttpStreamFormat(wire), id=str(seq), prev_id=str(previous))]


@dataclass(frozen=True)
class DeskCatchUp:
    """A desk's first bytes (or an engine's answer when it asks again), where they bring
    it, and who is on the desk if that changed when it arrived."""

    body: bytes
    at: int
    presence: dict[str, object] | None


def desk_catch_up(opening: live_stream.DeskOpening, after: int, token: str,
                  first: bool) -> DeskCatchUp:  # fmt: skip
    """The staff log after ``after``; this desk renewed on the desk (sync)."""
    before = desk_channel.on_desk(opening.blog_id)
    desk_channel.arrive(token, opening.blog_id, opening.user_id)
    now = desk_channel.on_desk(opening.blog_id)
    events, at = desk_channel.staff_events(opening.blog_id, after)
    body = b""
    if at != after:  # as the hub's desks: only when there is something new
        body += desk_channel.event("desk", {"seq": at, "changes": events}, seq=at)
    if first:
        body += desk_channel.event("presence", now)
    return DeskCatchUp(body, at, now if now != before else None)


def _publish(name: str, render: Callable[[int, int], list[Item]], blog_id: int, seq: int,
             what: str) -> None:  # fmt: skip
    """Render entry ``seq`` once and publish it to every engine; never raises (what is not
    published reaches the engines' readers through the next link)."""
    try:
        items = render(blog_id, seq)
    except Exception:
        logger.exception("%s %s of blog %s not published to the edge", what, seq, blog_id)
        return
    for engine in engines() if items else []:
        engine.publish(name, items)


class GripTransport(Transport):
    """Readers through GRIP engines (see the module's docstring)."""

    lean = True  # the stream processes' lean ASGI path answers for the engines too
    _desks = HubTransport()

    def announce(self, blog_id: int, seq: int) -> None:
        """Render the change once and publish it to every engine. Never raises: a change
        that cannot be published reaches readers through the next link."""
        _publish(channel(blog_id), publication, blog_id, seq, "change")

    def announce_desk(self, blog_id: int, seq: int) -> None:
        """Publish the staff log's entry to the desks the engines hold, and wake the ones
        the stream processes hold (desks may reach either, as the deployment routes)."""
        self._desks.announce_desk(blog_id, seq)
        _publish(desk_channels(blog_id)[0], desk_publication, blog_id, seq, "staff entry")

    async def hold_desk(self, opening: live_stream.DeskOpening) -> live_stream.Answer | None:
        """A desk through an engine: its catch-up, and a hold on the blog's desk channels
        whose next link carries a signed grant (an engine's request has no cookies), so
        the origin checks the account again every ``NEWSROOM_GRIP_DESK_RECHECK_SECONDS``.
        A desk that did not come through an engine is this process's (None)."""
        if not through_an_engine(opening.headers):
            return None
        log, presence = desk_channels(opening.blog_id)
        again = "grip-last" in opening.headers
        after = grip_last(opening.headers, log)
        after = opening.after if after is None else after
        token = opening.token or uuid.uuid4().hex
        caught = await sync_to_async(desk_catch_up)(opening, after, token, not again)
        if caught.presence is not None:
            self._publish_presence(opening.blog_id, presence, caught.presence)
        grant = desk_channel.Grant(opening.user_id, opening.blog_id, token).signed()
        link = f"{opening.path}?{urlencode({'after': caught.at, 'grant': grant})}"
        channels = [Channel(log, prev_id=str(caught.at)), Channel(presence)]
        headers = {
            **HOLD_HEADERS,
            "Cache-Control": "no-store",
            "Grip-Channel": create_grip_channel_header(channels),
            "Grip-Link": f"<{link}>; rel=next; "
            f"timeout={settings.NEWSROOM_GRIP_DESK_RECHECK_SECONDS}",
            "Grip-Keep-Alive": keep_alive(),
        }
        body = caught.body if again else sse.RETRY + caught.body
        return live_stream.Answer(200, body, headers)

    def _publish_presence(self, blog_id: int, name: str, shown: dict[str, object]) -> None:
        for engine in engines():
            engine.publish(name, [Item(HttpStreamFormat(desk_channel.event("presence", shown)))])

    async def open(self, opening: live_stream.Opening) -> live_stream.Answer:
        """The catch-up as the first bytes, then a stream hold for the engine; a request
        that did not come through an engine is refused (the page polls)."""
        if not through_an_engine(opening.headers):
            return live_stream.refused(503, NOT_THROUGH_AN_ENGINE)
        name = channel(opening.blog_id)
        asked_again = "grip-last" in opening.headers
        after = grip_last(opening.headers, name)
        after = opening.after if after is None else after
        if 0 <= opening.last_seq <= after:  # current: no catch-up to read (the common case)
            caught = CatchUp(b"", after, False)
        else:
            caught = await sync_to_async(catch_up)(opening.blog_id, after)
        body = caught.body if asked_again else sse.RETRY + caught.body
        if caught.final:  # the engine passes it on and closes
            return live_stream.Answer(200, body, dict(live_stream.HEADERS))
        link = f"{opening.path}?{urlencode({'after': caught.at})}"
        headers = {
            **HOLD_HEADERS,
            "Grip-Channel": create_grip_channel_header(Channel(name, prev_id=str(caught.at))),
            "Grip-Link": f"<{link}>; rel=next; timeout={settings.NEWSROOM_GRIP_RECOVER_SECONDS}",
            "Grip-Keep-Alive": keep_alive(),
        }
        return live_stream.Answer(200, body, headers)
