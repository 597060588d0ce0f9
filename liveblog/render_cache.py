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

import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

from .models.blog import BlogState

logger = logging.getLogger(__name__)

NONCE = "__csp_nonce__"
TIMEOUT = 6 * 3600  # memory only: keys change with every change of the blog
EPOCH_KEY = "render:epoch"


def _fingerprint() -> str:
    """The templates and template filters as deployed (paths, sizes, modification
    times), hashed."""
    digest = hashlib.sha1(usedforsecurity=False)
    base = Path(settings.BASE_DIR)
    files = [*sorted((base / "templates").rglob("*.html")),
             base / "newsroom" / "template_filters.py",
             *sorted((base / "liveblog" / "templatetags").glob("*.py"))]  # fmt: skip
    for path in files:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


FINGERPRINT = _fingerprint()


def drawn_changed(what: str, blog_id: int | None, **kwargs: object) -> None:
    """Receiver of the seam's ``drawn_changed``: new keys for what pages now draw
    differently (a blog's own row is in every key already)."""
    if what != "liveblog.liveblog":
        bump_epoch(blog_id=blog_id)


def bump_epoch(blog_id: int | None = None) -> None:
    """Something pages draw changed outside the change log: new keys for every blog's
    renderings (a label, a reporter, a candidate), or for one blog's (``blog_id``: a
    photo's renditions are ready)."""
    name = EPOCH_KEY if blog_id is None else f"{EPOCH_KEY}:{blog_id}"
    try:
        cache.add(name, 0, None)
        cache.incr(name)
    except Exception as error:
        logger.warning("render cache: could not move the epoch (%s)", error)


def with_due(state: BlogState) -> BlogState:
    """``state`` with its count of scheduled posts whose time has come (visible at their
    second, before any worker announces them): one small indexed count
    (``post_due_idx``), written out once so that a request does not pay the ORM's cost
    of building it."""
    from django.db import connection
    from django.utils import timezone

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(DUE_SQL, [state.pk, now])
        row = cursor.fetchone()
    return replace(state, due=int(row[0]) if row else 0)


DUE_SQL = (
    "SELECT COUNT(*) FROM liveblog_post WHERE blog_id = %s AND status = 'scheduled' "
    "AND published_at <= %s"
)


def key(state: BlogState, *parts: object, epoch: str) -> str:
    """The cache key of one rendering of ``state``'s blog (``parts``: which one;
    ``epoch``: the blog's epochs as ``find`` reads them)."""
    raw = ":".join(
        str(p)
        for p in (FINGERPRINT, epoch, settings.NEWSROOM_DISPLAY_TIME_ZONE, state.pk,
                  state.last_seq, state.due, state.updated_at, state.status, *parts)
    )  # fmt: skip
    return "render:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


@dataclass
class Found:
    """A rendering looked up: the epoch it was keyed with, its key, and its text (None
    when it must be built)."""

    epoch: str
    key: str
    text: str | None


# The epoch each blog had when this process last looked: the usual lookup is then one
# round trip to the cache (the epochs and the rendering they most likely key, together).
_last_epoch: dict[int, str] = {}


def find(state: BlogState, *parts: object) -> Found:
    names = [EPOCH_KEY, f"{EPOCH_KEY}:{state.pk}"]
    assumed = _last_epoch.get(state.pk, "0.0")
    likely = key(state, *parts, epoch=assumed)
    try:
        found = cache.get_many([*names, likely])
    except Exception:  # a cache outage: render afresh, never fail
        return Found("down", key(state, *parts, epoch="down"), None)
    epoch = ".".join(str(found.get(name, 0)) for name in names)
    if len(_last_epoch) > 4096:
        _last_epoch.clear()
    _last_epoch[state.pk] = epoch
    if epoch == assumed:
        return Found(epoch, likely, found.get(likely))
    actual = key(state, *parts, epoch=epoch)
    try:
        return Found(epoch, actual, cache.get(actual))
    except Exception:
        return Found(epoch, actual, None)


def fill(found: Found, build: Callable[[], str], *, nonce: str = "") -> str:
    """The rendering ``found`` names, built (and stored) if it was not in the cache."""
    if found.text is not None:
        text = str(found.text)
        return text.replace(NONCE, nonce) if nonce else text
    html = build()
    if found.epoch != "down":
        stored = html.replace(nonce, NONCE) if nonce else html
        try:
            cache.set(found.key, stored, TIMEOUT)
        except Exception as error:
            logger.warning("render cache: could not store a rendering (%s)", error)
    return html


def once(state: BlogState, *parts: object, build: Callable[[], str], nonce: str = "") -> str:
    """``state``'s rendering named by ``parts``: from the cache, or built once."""
    return fill(find(state, *parts), build, nonce=nonce)


def card(post: Any, *, id_prefix: str = "", heading_level: int = 3, shared: bool = True) -> str:
    """A post's card (``liveblog/_post.html``), rendered once per version of the post
    and shared by the page, older posts and the poll. The key names what the card draws
    from outside the post's version: its label's name, its bylines' names, its photos'
    renditions (all from rows loaded with ``for_display``).

    ``shared=False`` renders it without the cache: the live channel's events, rendered
    once per process in the publish-to-screen path, where a new version is always a miss
    and the round trips cost every reader (p99 at 1,000 readers 47 → 40 ms, the A/B in
    docs/performance.md)."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    context = {"post": post, "id_prefix": id_prefix, "heading_level": heading_level}
    if not shared:
        return render_to_string("liveblog/_post.html", context)

    drawn = (
        post.label.name if post.label_id else "",
        [(c.reporter.display_name, c.byline) for c in post.contributors.all()],
        [(i.pk, len(i.renditions or ())) for i in post.images.all()],
        post.get_absolute_url(),
    )
    raw = repr((FINGERPRINT, str(timezone.get_current_timezone()), post.pk, post.version,
                drawn, id_prefix, heading_level))  # fmt: skip
    cache_key = "card:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    try:
        html = cache.get(cache_key)
    except Exception:
        html = None
    if html is None:
        html = render_to_string("liveblog/_post.html", context)
        with contextlib.suppress(Exception):
            cache.set(cache_key, html, TIMEOUT)
    return str(html)
