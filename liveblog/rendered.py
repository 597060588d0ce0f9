"""Render once per change: what readers fetch, from the cache until the blog moves on.

Everything a reader can fetch (the page, key events, older pages, the poll's answer,
the feeds) is a function of the blog's position in its change log, of scheduled posts
that came due since (``BlogState.due``), of the blog's own fields (``updated_at``), of
the display zone and of the code that renders it. The key names all of them, so a
rendering can never be served for another position: nothing depends on expiry times
for correctness (entries expire only to free memory). The key also carries an epoch
that moves when something drawn on every page changes outside the change log (a
label, a reporter's name or headshot, a candidate), and a fingerprint of the
templates, so a deploy never serves yesterday's markup.

A CSP nonce differs per request: renderings are stored with a placeholder in its place.
If the cache is down, pages are rendered as if nothing were cached.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from .models.blog import BlogState

logger = logging.getLogger(__name__)

NONCE = "__csp_nonce__"
TIMEOUT = 6 * 3600  # memory only: keys change with every change of the blog
EPOCH_KEY = "render:epoch"


def _fingerprint() -> str:
    """The templates as deployed (paths, sizes, modification times), hashed."""
    digest = hashlib.sha1(usedforsecurity=False)
    roots = [Path(settings.BASE_DIR) / "templates"]
    for root in roots:
        for path in sorted(root.rglob("*.html")):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


FINGERPRINT = _fingerprint()


def epoch(blog_id: int) -> str:
    """The epochs a blog's renderings depend on: everyone's and the blog's own (one
    cache round trip)."""
    names = [EPOCH_KEY, f"{EPOCH_KEY}:{blog_id}"]
    try:
        found = cache.get_many(names)
    except Exception:  # a cache outage: render afresh, never fail
        return "down"
    return ".".join(str(found.get(name, 0)) for name in names)


def bump_epoch(*args: object, blog_id: int | None = None, **kwargs: object) -> None:
    """Something pages draw changed outside the change log: new keys for every blog's
    renderings (a label, a reporter, a candidate), or for one blog's (``blog_id``: a
    photo's renditions are ready)."""
    name = EPOCH_KEY if blog_id is None else f"{EPOCH_KEY}:{blog_id}"
    try:
        cache.add(name, 0, None)
        cache.incr(name)
    except Exception as error:
        logger.warning("render cache: could not move the epoch (%s)", error)


def key(state: BlogState, *parts: object, epoch: str) -> str:
    """The cache key of one rendering of ``state``'s blog (``parts``: which one;
    ``epoch``: read once per request with ``epoch(blog_id)``)."""
    raw = ":".join(
        str(p)
        for p in (FINGERPRINT, epoch, settings.NEWSROOM_DISPLAY_TIME_ZONE, state.pk,
                  state.last_seq, state.due, state.updated_at, state.status, *parts)
    )  # fmt: skip
    return "render:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def once(cache_key: str, build: Callable[[], str], *, nonce: str = "") -> str:
    """The rendering stored under ``cache_key``, built (and stored) if there is none."""
    try:
        html = cache.get(cache_key)
    except Exception:
        html = None
    if html is None:
        html = build()
        stored = html.replace(nonce, NONCE) if nonce else html
        try:
            cache.set(cache_key, stored, TIMEOUT)
        except Exception as error:
            logger.warning("render cache: could not store a rendering (%s)", error)
        return html
    text = str(html)
    return text.replace(NONCE, nonce) if nonce else text
