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
import io
import os
import re
import signal
import threading
import warnings
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from django.core.asgi import get_asgi_application
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from newsroom import beat as embedded_beat
from newsroom.proxies import client_address

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Each request's sync code runs in a thread of its own here: no persistent connections
# (they would never be reused, and never closed). NEWSROOM_DB_CONN_MAX_AGE in settings.
os.environ.setdefault("NEWSROOM_DB_CONN_MAX_AGE", "0")
# Static files (WhiteNoise, demo only: nginx serves them in production) are sync
# iterators; Django warns on each one under ASGI, which is expected here.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
# An entry point: Django is set up before the app's modules (which define models) load.
django_application = get_asgi_application()

from . import stream as live_stream  # noqa: E402
from .hub import hub  # noqa: E402
from .transports import transport  # noqa: E402

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


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def end_streams_on_stop() -> dict[int, Any]:
    """Before the server's own handlers of SIGTERM and SIGINT: end every open stream at
    once (``hub.close_streams``), so the server's graceful shutdown has no never-ending
    response to wait for and exits in a moment; the pages reconnect and catch up.
    Returns the handlers it wrapped, to put back at shutdown."""
    if threading.current_thread() is not threading.main_thread():
        return {}  # signals are the main thread's (a server run in a thread: tests)
    loop = asyncio.get_running_loop()
    wrapped: dict[int, Any] = {}
    for sig in STOP_SIGNALS:
        previous = signal.getsignal(sig)
        wrapped[sig] = previous

        def stop(signum: int, frame: Any, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(hub.close_streams)
            if callable(previous):
                previous(signum, frame)
            else:  # the default action, as if we had not been here
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        signal.signal(sig, stop)
    return wrapped


async def lifespan(receive: Receive, send: Send) -> None:
    """Start-up: tune the collector; end open streams on SIGTERM; without a broker, run
    the beat schedule here (``newsroom.beat``: the sweeper that announces scheduled posts,
    among others)."""
    beat = None
    wrapped: dict[int, Any] = {}
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            tune_collector()
            wrapped = end_streams_on_stop()
            beat = embedded_beat.start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            hub.close_streams()
            for sig, handler in wrapped.items():
                signal.signal(sig, handler)
            await embedded_beat.stop(beat)
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    match = STREAM_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
    if match is None or not transport().lean:  # an edge engine's origin: Django's view
        await django_application(scope, receive, send)
    else:
        await serve_stream(scope, receive, send, match["slug"])


def _never(request: HttpRequest) -> HttpResponse:  # the middlewares' "get_response"
    raise AssertionError("the lean path calls the middlewares' hooks, not the chain")


def _with_security(
    request: HttpRequest, response: HttpResponse, *, reached_view: bool = True
) -> list[tuple[bytes, bytes]]:
    """``response``'s headers after Django's own SecurityMiddleware and, for a response
    from the view, XFrameOptionsMiddleware (built now: they read the settings when made).
    As in Django's chain (``MIDDLEWARE``), a redirect from SecurityMiddleware or a bad
    host found by CommonMiddleware never passes the inner XFrameOptionsMiddleware."""
    if reached_view:
        response = XFrameOptionsMiddleware(_never).process_response(request, response)
    response = SecurityMiddleware(_never).process_response(request, response)
    return [
        (k.lower().encode("latin-1"), v.encode("latin-1"))
        for k, v in response.items()
        if k.lower() != "content-type"  # the lean path says what it sends itself
    ]


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]],
                  body: bytes = b"") -> None:  # fmt: skip
    if body and not any(name == b"content-type" for name, _ in headers):
        headers = [*headers, (b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def serve_stream(scope: Scope, receive: Receive, send: Send, slug: str) -> None:
    """``liveblog.views.stream`` without the middleware stack; same statuses and events."""
    headers = {k.lower(): v for k, v in scope.get("headers", [])}
    # Host checks, the HTTPS redirect and the security headers are Django's own code
    # (tests/liveblog/test_live_asgi.py compares both paths for every setting).
    request = ASGIRequest(scope, io.BytesIO())
    try:
        request.get_host()
        redirect = SecurityMiddleware(_never).process_request(request)
    except DisallowedHost:
        bad = _with_security(request, HttpResponse(status=400), reached_view=False)
        await _answer(send, 400, bad, b"Bad Request")
        return
    if redirect is not None:
        moved = _with_security(request, redirect, reached_view=False)
        await _answer(send, redirect.status_code, moved)
        return
    base = _with_security(request, HttpResponse())
    # Not kept for the stream's life: a request (its META, ~2 KB) per open stream is memory
    # and objects the collector walks at every event (the A/B in docs/performance.md).
    del request
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    peer = (scope.get("client") or ("", 0))[0]
    step = await live_stream.ladder(
        method=scope.get("method", ""), slug=slug, after=query.get("after", [""])[-1],
        last_event_id=headers.get(b"last-event-id", b"").decode("latin-1"),
        client=client_address(peer, headers.get(b"x-forwarded-for", b"").decode("latin-1")),
        path=scope.get("path", ""),
        headers={k.decode("latin-1"): v.decode("latin-1") for k, v in headers.items()},
    )  # fmt: skip
    outcome = await transport().open(step) if isinstance(step, live_stream.Opening) else step
    if isinstance(outcome, live_stream.Answer):
        own = [(k.lower().encode(), v.encode()) for k, v in outcome.headers.items()]
        await _answer(send, outcome.status, [*own, *base], outcome.body)
        return
    events = outcome
    stream = events.__aiter__()
    start = [(k.lower().encode(), v.encode()) for k, v in live_stream.HEADERS.items()]

    async def pump() -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [*start, *base]})
        async for chunk in stream:
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
        await stream.aclose()  # leaves the hub: the reader no longer counts
        events.close()
