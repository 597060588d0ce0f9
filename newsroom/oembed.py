"""Links to posts elsewhere (X, Bluesky, Mastodon, YouTube, a Datawrapper chart…), read
once through the providers' oEmbed endpoints into a snapshot the page can show without
asking anyone else.

A provider is a line of settings (``NEWSROOM_EMBED_PROVIDERS``, the defaults below;
``NEWSROOM_EMBED_EXTRA_PROVIDERS`` adds a newsroom's own): which links are its own (regular
expressions with named parts), its oEmbed endpoint (``{origin}`` for a provider on many
hosts, such as Mastodon), and how to build its player's address (``frame``: a template
filled from the link's named parts, from ``html_pattern``'s named parts of the oEmbed
answer's ``html``, or ``{src}``, the answer's own iframe), with the origins that player may
come from (``frame_origins``: the page's CSP ``frame-src``; ``{origin}``, the link's own).

``resolve(url)`` never raises for a provider's failure: a snapshot always comes back,
with ``problem`` saying in words why it is only a link (unknown site, provider down or
slow, an answer too big, a redirect inside our network, no app token for Meta). Every
call has its deadline (``NEWSROOM_EMBED_TIMEOUT``) and each provider its breaker.

A toolkit module: it imports no app.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.utils import timezone

from . import outbound
from .breaker import Breaker

MAX_ANSWER_BYTES = 256 * 1024  # an oEmbed answer is a few KB; the largest seen ~20 KB
MAX_TEXT = 1000
MAX_TITLE = 300
MAX_NAME = 200
FRAME_HEIGHT = (120, 1200)  # a player's height is kept within these, in CSS pixels
MAX_ADDRESS = 1000  # a stored address's column (the link, the player, the author's page)

DEFAULT_PROVIDERS: list[dict[str, Any]] = [
    {
        "slug": "x", "name": "X", "kind": "post",
        "links": [r"^https://(?:www\.|mobile\.)?(?:x|twitter)\.com/(?P<user>\w{1,15})/status/(?P<id>\d{1,25})"],
        "endpoint": "https://publish.twitter.com/oembed",
        "frame": "https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
        "frame_origins": ["https://platform.twitter.com"],
    },
    {
        "slug": "bluesky", "name": "Bluesky", "kind": "post",
        "links": [r"^https://bsky\.app/profile/(?P<user>[\w.:-]{1,253})/post/(?P<rkey>[\w]{1,64})"],
        "endpoint": "https://embed.bsky.app/oembed",
        "html_pattern": r'data-bluesky-uri="at://(?P<did>did:[a-z]+:[\w.:-]{1,200})/app\.bsky\.feed\.post/(?P<post>\w{1,64})"',
        "frame": "https://embed.bsky.app/embed/{did}/app.bsky.feed.post/{post}",
        "frame_origins": ["https://embed.bsky.app"],
    },
    {
        "slug": "threads", "name": "Threads", "kind": "post",
        "links": [r"^https://(?:www\.)?threads\.(?:net|com)/@(?P<user>[\w.]{1,64})/post/(?P<code>[\w-]{1,64})"],
        "endpoint": "https://graph.threads.net/v1.0/oembed",
        "frame": "https://www.threads.net/@{user}/post/{code}/embed",
        "frame_origins": ["https://www.threads.net"],
    },
    {
        # Any instance: the link's own host answers its oEmbed and serves its player.
        "slug": "mastodon", "name": "Mastodon", "kind": "post",
        "links": [r"^https://(?P<host>[a-z0-9.-]{1,253})/@(?P<user>\w{1,64})(?:@[a-z0-9.-]+)?/(?P<id>\d{1,25})/?$"],
        "endpoint": "{origin}/api/oembed",
        "frame": "https://{host}/@{user}/{id}/embed",
        "frame_origins": ["{origin}"],
    },
    {
        "slug": "instagram", "name": "Instagram", "kind": "post",
        "links": [r"^https://(?:www\.)?instagram\.com/(?:[\w.]{1,30}/)?(?P<type>p|reel|tv)/(?P<code>[\w-]{1,64})"],
        "endpoint": "https://graph.facebook.com/v22.0/instagram_oembed",
        "token": "NEWSROOM_META_OEMBED_TOKEN",
        "frame": "https://www.instagram.com/{type}/{code}/embed",
        "frame_origins": ["https://www.instagram.com"],
    },
    {
        "slug": "facebook", "name": "Facebook", "kind": "post",
        "links": [r"^https://(?:www\.)?facebook\.com/[\w.]{1,80}/(?:posts|videos)/[\w.]{1,80}"],
        "endpoint": "https://graph.facebook.com/v22.0/oembed_post",
        "token": "NEWSROOM_META_OEMBED_TOKEN",
        "frame": "https://www.facebook.com/plugins/post.php?href={url}",
        "frame_origins": ["https://www.facebook.com"],
    },
    {
        "slug": "tiktok", "name": "TikTok", "kind": "video",
        "links": [r"^https://(?:www\.)?tiktok\.com/@(?P<user>[\w.]{1,64})/video/(?P<id>\d{1,25})"],
        "endpoint": "https://www.tiktok.com/oembed",
        "frame": "https://www.tiktok.com/embed/v2/{id}",
        "frame_origins": ["https://www.tiktok.com"],
        "height": 740,  # an upright video with its caption
    },
    {
        "slug": "youtube", "name": "YouTube", "kind": "video",
        "links": [
            r"^https://(?:www\.|m\.)?youtube\.com/(?:watch\?(?:.*&)?v=|shorts/|live/)(?P<id>[\w-]{6,20})",
            r"^https://youtu\.be/(?P<id>[\w-]{6,20})",
        ],
        "endpoint": "https://www.youtube.com/oembed",
        "frame": "https://www.youtube-nocookie.com/embed/{id}",
        "frame_origins": ["https://www.youtube-nocookie.com"],
    },
    {
        "slug": "vimeo", "name": "Vimeo", "kind": "video",
        "links": [r"^https://(?:www\.)?vimeo\.com/(?P<id>\d{1,20})"],
        "endpoint": "https://vimeo.com/api/oembed.json",
        "frame": "https://player.vimeo.com/video/{id}?dnt=1",
        "frame_origins": ["https://player.vimeo.com"],
    },
    {
        "slug": "soundcloud", "name": "SoundCloud", "kind": "audio",
        "links": [r"^https://(?:www\.)?soundcloud\.com/[\w-]{1,100}/[\w-]{1,200}"],
        "endpoint": "https://soundcloud.com/oembed",
        "html_pattern": r'<iframe[^>]*\ssrc="(?P<src>https://[^"\s]{1,1000})"',
        "frame": "{src}",
        "frame_origins": ["https://w.soundcloud.com"],
    },
    {
        "slug": "spotify", "name": "Spotify", "kind": "audio",
        "links": [r"^https://open\.spotify\.com/(?P<type>track|album|playlist|episode|show)/(?P<id>\w{1,40})"],
        "endpoint": "https://open.spotify.com/oembed",
        "frame": "https://open.spotify.com/embed/{type}/{id}",
        "frame_origins": ["https://open.spotify.com"],
    },
    {
        "slug": "datawrapper", "name": "Datawrapper", "kind": "chart",
        "links": [r"^https://datawrapper\.dwcdn\.net/(?P<id>\w{5,10})(?:/(?P<version>\d{1,4}))?"],
        "endpoint": "https://api.datawrapper.de/v3/oembed",
        "html_pattern": r'<iframe[^>]*\ssrc="(?P<src>https://datawrapper\.dwcdn\.net/[^"\s]{1,200})"',
        "frame": "{src}",
        "frame_origins": ["https://datawrapper.dwcdn.net"],
    },
    {
        "slug": "flourish", "name": "Flourish", "kind": "chart",
        "links": [r"^https://public\.flourish\.studio/(?P<type>visualisation|story)/(?P<id>\d{1,12})"],
        "endpoint": "https://app.flourish.studio/api/v1/oembed",
        "frame": "https://flo.uri.sh/{type}/{id}/embed",
        "frame_origins": ["https://flo.uri.sh"],
    },
]  # fmt: skip


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    kind: str  # "post", "video", "audio" or "chart": how the card reads
    links: tuple[re.Pattern[str], ...]
    endpoint: str
    frame: str = ""
    frame_origins: tuple[str, ...] = ()
    html_pattern: re.Pattern[str] | None = None
    token: str = ""  # the name of the setting holding an app token, when one is needed
    height: int = 0  # the player's height when the answer gives none (0: 16:9 for video)

    @classmethod
    def from_setting(cls, entry: dict[str, Any]) -> Provider:
        pattern = entry.get("html_pattern")
        return cls(
            slug=str(entry["slug"]), name=str(entry["name"]), kind=str(entry.get("kind", "post")),
            links=tuple(re.compile(p) for p in entry["links"]), endpoint=str(entry["endpoint"]),
            frame=str(entry.get("frame", "")), frame_origins=tuple(entry.get("frame_origins", ())),
            html_pattern=re.compile(pattern) if pattern else None,
            token=str(entry.get("token", "")), height=int(entry.get("height", 0)),
        )  # fmt: skip

    def match(self, url: str) -> dict[str, str] | None:
        for pattern in self.links:
            found = pattern.match(url)
            if found:
                return {k: v for k, v in found.groupdict().items() if v is not None}
        return None


@dataclass
class Snapshot:
    """What the page shows of a link: filled in as far as the provider answered."""

    url: str
    provider: str = ""  # the provider's slug; "" for a site Newsroom does not embed
    provider_name: str = ""
    kind: str = "link"
    title: str = ""
    author_name: str = ""
    author_url: str = ""
    text: str = ""
    thumbnail_url: str = ""
    frame_url: str = ""
    frame_height: int = 0
    fetched_at: datetime | None = None
    problem: str = ""  # why this is only a link card, in words for the desk
    answer: dict[str, Any] = field(default_factory=dict, repr=False)


@cache
def _providers(key: str) -> tuple[Provider, ...]:
    return tuple(Provider.from_setting(entry) for entry in json.loads(key))


def providers() -> tuple[Provider, ...]:
    configured = [*getattr(settings, "NEWSROOM_EMBED_PROVIDERS", DEFAULT_PROVIDERS),
                  *getattr(settings, "NEWSROOM_EMBED_EXTRA_PROVIDERS", [])]  # fmt: skip
    return _providers(json.dumps(configured, sort_keys=True))


def provider_for(url: str) -> tuple[Provider, dict[str, str]] | None:
    for provider in providers():
        parts = provider.match(url)
        if parts is not None:
            return provider, parts
    return None


def frame_origins() -> list[str]:
    """Every origin a player may come from, for the page's CSP ``frame-src`` (a provider
    on many hosts adds the link's own origin per page: ``origin_of``)."""
    return sorted({o for p in providers() for o in p.frame_origins if "{" not in o})


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


_BREAKERS: dict[str, Breaker] = {}


def breaker(provider: Provider, endpoint: str) -> Breaker:
    """One per endpoint's origin: one Mastodon instance down leaves the others alone."""
    key = f"{provider.slug} {origin_of(endpoint)}"
    return _BREAKERS.setdefault(key, Breaker(f"oEmbed provider {provider.name} ({key})"))


def breakers() -> list[Breaker]:
    """Every provider endpoint's breaker this process has used (the operations view)."""
    return list(_BREAKERS.values())


def resolve(url: str) -> Snapshot:
    """Read ``url`` through its provider; never raises for the provider's failures."""
    url = url.strip()
    found = provider_for(url)
    if found is None:
        host = urlsplit(url).hostname or "this site"
        return Snapshot(url=url, provider_name=host.removeprefix("www."),
                        problem=f"Newsroom does not embed posts from {host}: it shows as a "
                                "link. An administrator can add the site "
                                "(NEWSROOM_EMBED_EXTRA_PROVIDERS).")  # fmt: skip
    provider, parts = found
    snapshot = Snapshot(url=url, provider=provider.slug, provider_name=provider.name,
                        kind=provider.kind)  # fmt: skip
    origin = origin_of(url)
    token = getattr(settings, provider.token, "") if provider.token else ""
    if provider.token and not token:
        snapshot.problem = (
            f"{provider.name} links show as a card with a player: its oEmbed needs an app "
            f"token ({provider.token}) to show the post's words."
        )
    else:
        _read(provider, snapshot, origin, token)
    snapshot.frame_url, snapshot.frame_height = _frame(provider, parts, snapshot, origin)
    if not snapshot.author_name and parts.get("user"):
        snapshot.author_name = f"@{parts['user']}"  # from the link itself (Threads says none)
    return snapshot


def _read(provider: Provider, snapshot: Snapshot, origin: str, token: str) -> None:
    endpoint = provider.endpoint.replace("{origin}", origin)
    limit = breaker(provider, endpoint)
    if not limit.allows():
        snapshot.problem = (f"{provider.name} is not answering: the link shows as a card. "
                            "Save the post again later to fetch it.")  # fmt: skip
        return
    query = {"url": snapshot.url, "format": "json", "omit_script": "true", "dnt": "true"}
    if token:
        query["access_token"] = token
    try:
        fetched = outbound.get(f"{endpoint}?{urlencode(query)}", max_bytes=MAX_ANSWER_BYTES,
                               timeout=timeout(), accept="application/json")  # fmt: skip
    except outbound.Refused as error:
        snapshot.problem = f"{provider.name} could not be read: {error}"
        return
    except outbound.FetchError as error:
        limit.failed(error)
        snapshot.problem = f"{provider.name} could not be read: {error}"
        return
    if fetched.status >= 500:
        limit.failed(RuntimeError(f"HTTP {fetched.status}"))
        snapshot.problem = f"{provider.name} is having trouble (it answered {fetched.status})."
        return
    limit.succeeded()
    if fetched.status != 200:
        snapshot.problem = (f"{provider.name} would not describe this link (it answered "
                            f"{fetched.status}): is the post public and still there?")  # fmt: skip
        return
    try:
        answer = json.loads(fetched.body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        snapshot.problem = f"{provider.name} answered something that is not oEmbed."
        return
    snapshot.answer = answer
    snapshot.fetched_at = timezone.now()
    snapshot.title = _plain(answer.get("title"), MAX_TITLE)
    snapshot.author_name = _plain(answer.get("author_name"), MAX_NAME)
    snapshot.author_url = _web(answer.get("author_url"))
    snapshot.thumbnail_url = _web(answer.get("thumbnail_url"))
    snapshot.text = _text_of(answer.get("html"))


def timeout() -> float:
    return float(getattr(settings, "NEWSROOM_EMBED_TIMEOUT", 4.0))


def _frame(provider: Provider, parts: dict[str, str], snapshot: Snapshot,
           origin: str) -> tuple[str, int]:  # fmt: skip
    """The player's address (only ever from the provider's own origins) and height."""
    if not provider.frame:
        return "", 0
    values = {**parts, "url": quote(snapshot.url, safe="")}
    raw_html = snapshot.answer.get("html")
    if provider.html_pattern is not None:
        found = provider.html_pattern.search(raw_html) if isinstance(raw_html, str) else None
        if found is None:
            return "", 0
        values.update({k: html.unescape(v) for k, v in found.groupdict().items() if v})
    try:
        frame = provider.frame.format(**values)
    except (KeyError, IndexError, ValueError):
        return "", 0
    allowed = {o.replace("{origin}", origin) for o in provider.frame_origins}
    # Offered only where the page's CSP lets it load (a Mastodon instance not listed in
    # NEWSROOM_MASTODON_INSTANCES stays a card with the post's words and its link).
    framable = set(getattr(settings, "EMBED_FRAME_ORIGINS", ()))
    if origin_of(frame) not in allowed & framable or any(c in frame for c in "\"'<> \\"):
        return "", 0
    if len(frame) > MAX_ADDRESS:  # a player built from a long link: the link stays
        return "", 0
    if provider.kind == "video":  # 16:9 by the page's CSS unless the provider is upright
        height = provider.height
    else:
        height = (
            _pixels(snapshot.answer.get("height"))
            or provider.height
            or ({"audio": 160, "chart": 400}.get(provider.kind, 0))
        )
    return frame, min(max(height, FRAME_HEIGHT[0]), FRAME_HEIGHT[1]) if height else 0


def _pixels(value: object) -> int:
    """A height as oEmbed answers carry it: 400, "400" or "400px" (anything else: 0)."""
    if isinstance(value, str):
        value = value.strip().removesuffix("px")
        return int(value) if value.isdigit() and len(value) < 6 else 0
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _plain(value: object, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", value)).split())[:limit]


def _web(value: object) -> str:
    """An address from the answer (``newsroom.outbound`` decides whether it is called)."""
    if (
        isinstance(value, str)
        and value.startswith(("https://", "http://"))
        and (len(value) <= MAX_ADDRESS)
    ):
        return value
    return ""


_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.IGNORECASE | re.DOTALL)


def _text_of(value: object) -> str:
    """The post's own words: the first paragraph of the provider's HTML (X, Bluesky and
    Threads quote the post in a ``<blockquote><p>``), as plain text."""
    if not isinstance(value, str):
        return ""
    found = _PARAGRAPH.search(value)
    return _plain(found.group(1).replace("<br>", "\n"), MAX_TEXT) if found else ""
