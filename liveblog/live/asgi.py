"""The ASGI application the stream servers run: the SSE stream on a lean path, the rest
through Django.

``uvicorn liveblog.live.asgi:application`` (docs/deployment.md). Under Django's ASGI
handler every request gets a thread of its own for the synchronous parts of the
middleware stack, and for a stream that thread lives as long as the reader does: it
costs memory per reader, and a thread start and a thread join per connect, which is what
limits how fast a crowd can reconnect (docs/performance.md). A stream needs none of the
middleware's work (no session, user, CSRF or template), so ``/live/<slug>/stream/`` is
answered here, with the same code as ``liveblog.views.stream`` (``liveblog.live.stream``)
and the headers the middleware would have added; every other request goes to Django.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.http.request import split_domain_port, validate_host

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Static files (WhiteNoise, demo only: nginx serves them in production) are sync
# iterators; Django warns on each one under ASGI, which is expected here.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
# An entry point: Django is set up before the app's modules (which define models) load.
django_application = get_asgi_application()

from . import stream as live_stream  # noqa: E402
from .hub import hub  # noqa: E402

# As Django's ASGIHandler takes them (it is handed every request but the stream).
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

STREAM_PATH = re.compile(r"^/live/(?P<slug>[-a-zA-Z0-9_]+)/stream/$")  # Django's <slug:>


def tune_collector() -> None:
    """At server start-up: a stream server holds a hundred or so long-lived objects per
    reader, and each of the collector's full passes walks all of them (100-400 ms with
    5,000 readers a process, during which no reader gets anything; docs/performance.md).
    What is loaded by now lives as long as the process (freeze: never walked again), and
    full passes come ten times less often; reference counting frees almost all the rest
    at once."""
    gc.freeze()
    gc.set_threshold(700, 10, 100)


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            tune_collector()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    match = STREAM_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
    if match is None:
        await django_application(scope, receive, send)
    else:
        await serve_stream(scope, receive, send, match["slug"])


def _security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    """What SecurityMiddleware and XFrameOptionsMiddleware add to every response."""
    headers = {"X-Frame-Options": settings.X_FRAME_OPTIONS}
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers["X-Content-Type-Options"] = "nosniff"
    if settings.SECURE_REFERRER_POLICY:
        headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers["Strict-Transport-Security"] = value
    return [(k.lower().encode(), v.encode()) for k, v in headers.items()]


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]],
                  body: bytes = b"") -> None:  # fmt: skip
    if body:
        headers = [*headers, (b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _is_secure(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    proxy: tuple[str, str] | None = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name = proxy[0].removeprefix("HTTP_").lower().replace("_", "-").encode()
        return headers.get(name, b"").decode("latin-1").split(",")[0].strip() == proxy[1]
    return scope.get("scheme") == "https"


async def serve_stream(scope: Scope, receive: Receive, send: Send, slug: str) -> None:
    """``liveblog.views.stream`` without the middleware stack; same statuses and events."""
    headers = {k.lower(): v for k, v in scope.get("headers", [])}
    host = headers.get(b"host", b"").decode("latin-1")
    domain, _ = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"]
                                         if settings.DEBUG else [])  # fmt: skip
    if not domain or not validate_host(domain, allowed):
        await _answer(send, 400, [], b"Bad Request")
        return
    secure = _is_secure(scope, headers)
    base = _security_headers(secure)
    if settings.SECURE_SSL_REDIRECT and not secure:
        query = scope.get("query_string", b"").decode("latin-1")
        location = f"https://{host}{scope['path']}" + (f"?{query}" if query else "")
        await _answer(send, 301, [*base, (b"location", location.encode())])
        return
    if scope.get("method") != "GET":
        await _answer(send, 405, base)
        return
    blog = await hub.blog_state(slug)
    if blog is None:
        await _answer(send, 404, base, b"No such live blog.")
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    last_event_id = headers.get(b"last-event-id", b"").decode("latin-1")
    after = live_stream.cursor(query.get("after", [""])[-1], last_event_id)
    if after is None:
        await _answer(send, 400, base, b"after must be a change sequence number")
        return
    if blog.ended:
        await _answer(send, 204, base)
        return
    start = [(k.lower().encode(), v.encode()) for k, v in live_stream.HEADERS.items()]
    await send({"type": "http.response.start", "status": 200, "headers": [*start, *base]})
    events = live_stream.events(blog.pk, after)

    async def pump() -> None:
        async for chunk in events:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(disconnected())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        await events.aclose()  # leaves the hub: the reader no longer counts
