"""Fake oEmbed providers on 127.0.0.1: every provider Newsroom knows answers here in the
shape its documentation gives (written from each provider's published oEmbed reference
and example answers, not captured: no test reaches the internet), and a thumbnail that
carries EXIF (a GPS position) the image pipeline must strip.

``FakeProviders.point(settings)`` sends every provider's endpoint here; ``modes`` makes a
provider misbehave: "slow" (answers after 30 s), "500", "404", "private" (redirects to
an address inside a private network), "huge" (10 MB), "garbage" (not JSON).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from newsroom.oembed import DEFAULT_PROVIDERS

TEXT = "Thank you, America. The fight for our country is always worth it."


def thumbnail_jpeg() -> bytes:
    """A 320 x 180 JPEG with EXIF: a camera make and a GPS position."""
    picture = Image.new("RGB", (320, 180), (200, 30, 40))
    exif = Image.Exif()
    exif[0x010F] = "FakeCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def answer(slug: str, url: str, base: str) -> dict[str, Any]:
    """The provider's documented answer for ``url``."""
    thumb = f"{base}/thumbs/{slug}.jpg"
    common: dict[str, Any] = {"version": "1.0", "cache_age": 86400}
    answers: dict[str, dict[str, Any]] = {
        "x": {
            "type": "rich",
            "author_name": "Kamala Harris",
            "author_url": "https://twitter.com/KamalaHarris",
            "provider_name": "Twitter",
            "provider_url": "https://twitter.com",
            "width": 550,
            "height": None,
            "html": f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{TEXT}</p>'
            "&mdash; Kamala Harris (@KamalaHarris) "
            f'<a href="{url}?ref_src=twsrc%5Etfw">November 6, 2024</a></blockquote>\n',
        },
        "bluesky": {
            "type": "rich",
            "author_name": "BBC News (@bbcnews.bsky.social)",
            "author_url": "https://bsky.app/profile/did:plc:abc123",
            "provider_name": "Bluesky Social",
            "width": 600,
            "height": None,
            "html": '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:'
            'abc123/app.bsky.feed.post/3lazx7" data-bluesky-cid="bafyrei">'
            f'<p lang="en">{TEXT}</p>&mdash; BBC News</blockquote>'
            '<script async src="https://embed.bsky.app/static/embed.js">'
            "</script>",
        },
        "threads": {
            "type": "rich",
            "provider_name": "Threads",
            "width": 658,
            "html": '<blockquote class="text-post-media" data-text-post-permalink="'
            f'{url}"><a href="{url}">View on Threads</a></blockquote>',
        },
        "mastodon": {
            "type": "rich",
            "title": "New status by Gargron",
            "author_name": "Eugen Rochko",
            "author_url": "https://mastodon.social/@Gargron",
            "provider_name": "mastodon.social",
            "width": 400,
            "height": None,
            "html": f'<blockquote class="mastodon-embed" data-embed-url="{url}/embed">'
            f"<p>{TEXT}</p></blockquote>",
        },
        "instagram": {
            "type": "rich",
            "author_name": "bbcnews",
            "provider_name": "Instagram",
            "thumbnail_url": thumb,
            "thumbnail_width": 320,
            "thumbnail_height": 180,
            "html": '<blockquote class="instagram-media"></blockquote>',
        },
        "facebook": {
            "type": "rich",
            "author_name": "BBC News",
            "author_url": "https://www.facebook.com/bbcnews/",
            "provider_name": "Facebook",
            "width": 552,
            "html": '<div class="fb-post"><blockquote class="fb-xfbml-parse-ignore">'
            f"<p>{TEXT}</p>Posted by BBC News</blockquote></div>",
        },
        "tiktok": {
            "type": "video",
            "title": "Election night in 30 seconds",
            "author_name": "BBC News",
            "author_url": "https://www.tiktok.com/@bbcnews",
            "width": "100%",
            "height": "100%",
            "thumbnail_url": thumb,
            "thumbnail_width": 320,
            "thumbnail_height": 180,
            "provider_name": "TikTok",
            "html": '<blockquote class="tiktok-embed"></blockquote>',
        },
        "youtube": {
            "type": "video",
            "title": "US election 2024: the results explained",
            "author_name": "BBC News",
            "author_url": "https://www.youtube.com/@BBCNews",
            "height": 113,
            "width": 200,
            "provider_name": "YouTube",
            "thumbnail_url": thumb,
            "thumbnail_width": 320,
            "thumbnail_height": 180,
            "html": '<iframe width="200" height="113" src="https://www.youtube.com/'
            'embed/dQw4w9WgXcQ?feature=oembed"></iframe>',
        },
        "vimeo": {
            "type": "video",
            "title": "Polls close",
            "author_name": "Newsroom",
            "author_url": "https://vimeo.com/newsroom",
            "provider_name": "Vimeo",
            "width": 640,
            "height": 360,
            "thumbnail_url": thumb,
            "html": '<iframe src="https://player.vimeo.com/video/76979871?dnt=1&amp;'
            'app_id=122963" width="640" height="360"></iframe>',
        },
        "soundcloud": {
            "type": "rich",
            "title": "Election podcast by BBC",
            "height": 400,
            "width": "100%",
            "author_name": "BBC",
            "provider_name": "SoundCloud",
            "author_url": "https://soundcloud.com/bbc",
            "thumbnail_url": thumb,
            "html": '<iframe width="100%" height="400" scrolling="no" src="https://'
            "w.soundcloud.com/player/?visual=true&amp;url=https%3A%2F%2F"
            'api.soundcloud.com%2Ftracks%2F123"></iframe>',
        },
        "spotify": {
            "type": "rich",
            "title": "Americast",
            "width": 456,
            "height": 152,
            "provider_name": "Spotify",
            "thumbnail_url": thumb,
            "html": '<iframe width="100%" height="152" src="https://open.spotify.com/'
            'embed/episode/4rOoJ6Egrf8K2IrywzwOMk?utm_source=oembed"></iframe>',
        },
        "datawrapper": {
            "type": "rich",
            "title": "Electoral votes by state",
            "provider_name": "Datawrapper",
            "width": 600,
            "height": 417,
            "html": '<iframe title="Electoral votes by state" src="https://'
            'datawrapper.dwcdn.net/AbC12/3/" width="600" height="417">'
            "</iframe>",
        },
        "flourish": {
            "type": "rich",
            "title": "How the map filled in",
            "provider_name": "Flourish",
            "width": "100%",
            "height": "600px",
            "html": '<iframe src="https://flo.uri.sh/visualisation/1234567/embed" '
            'width="100%" height="600"></iframe>',
        },
    }
    return {**common, **answers[slug]}


class FakeProviders:
    """The providers' endpoints at ``base/<slug>/oembed``; ``requests`` lists what came."""

    def __init__(self) -> None:
        self.modes: dict[str, str] = {}
        self.requests: list[str] = []
        fake = self
        self.thumbnail = thumbnail_jpeg()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                parts = urlsplit(self.path)
                segments = parts.path.strip("/").split("/")
                if segments[0] == "thumbs":
                    return self._send(200, fake.thumbnail, "image/jpeg")
                slug = segments[0]
                mode = fake.modes.get(slug, "")
                if mode == "slow":
                    time.sleep(30)
                if mode in {"500", "404"}:
                    return self._send(int(mode), b"{}", "application/json")
                if mode == "private":
                    self.send_response(302)
                    self.send_header("Location", "http://10.20.30.40/latest/meta-data/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if mode == "huge":
                    return self._send(200, b"{" + b" " * (10 * 1024 * 1024) + b"}",
                                      "application/json")  # fmt: skip
                if mode == "garbage":
                    return self._send(200, b"<html>Sign in</html>", "text/html")
                url = parse_qs(parts.query).get("url", [""])[0]
                body = json.dumps(answer(slug, url, fake.base)).encode()
                return self._send(200, body, "application/json")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (a limit): the point
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def providers(self) -> list[dict[str, Any]]:
        """Newsroom's providers with their endpoints here (the links stay the real ones)."""
        return [{**p, "endpoint": f"{self.base}/{p['slug']}/oembed"} for p in DEFAULT_PROVIDERS]

    def point(self, settings: Any) -> None:
        settings.NEWSROOM_EMBED_PROVIDERS = self.providers()
        settings.NEWSROOM_OUTBOUND_TRUSTED_NETWORKS = ["127.0.0.0/8"]
        settings.NEWSROOM_META_OEMBED_TOKEN = "app-id|client-token"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# One link per provider, as a reporter would paste it.
LINKS = {
    "x": "https://x.com/KamalaHarris/status/1854253765439500398",
    "bluesky": "https://bsky.app/profile/bbcnews.bsky.social/post/3lazx7",
    "threads": "https://www.threads.net/@bbcnews/post/DCBv2xyz",
    "mastodon": "https://mastodon.social/@Gargron/113456789012345678",
    "instagram": "https://www.instagram.com/p/DCBv2xyzAB/",
    "facebook": "https://www.facebook.com/bbcnews/posts/pfbid02abc",
    "tiktok": "https://www.tiktok.com/@bbcnews/video/7434567890123456789",
    "youtube": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "vimeo": "https://vimeo.com/76979871",
    "soundcloud": "https://soundcloud.com/bbc/election-podcast",
    "spotify": "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk",
    "datawrapper": "https://datawrapper.dwcdn.net/AbC12/3/",
    "flourish": "https://public.flourish.studio/visualisation/1234567/",
}
