"""Video in posts: embeds only from allowed players, uploads only real MP4/WebM files."""

from __future__ import annotations

import re
from typing import IO
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_VIDEO_BYTES = 500 * 1024 * 1024
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def embed_url(url: str) -> str:
    """The privacy-friendly player URL for a video link, or a clear error.

    Only hosts in ``NEWSROOM_VIDEO_EMBED_HOSTS`` are accepted, over https.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host not in settings.NEWSROOM_VIDEO_EMBED_HOSTS:
        raise ValidationError(
            "Video links must be https links to an allowed player (YouTube or Vimeo).",
            code="video_host",
        )
    video_id = ""
    if host in {"www.youtube.com", "youtube.com", "www.youtube-nocookie.com"}:
        if parts.path == "/watch":
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/embed/", "/shorts/", "/live/")):
            video_id = parts.path.split("/")[2]
        if _YOUTUBE_ID.match(video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host == "youtu.be":
        video_id = parts.path.lstrip("/")
        if _YOUTUBE_ID.match(video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host in {"vimeo.com", "player.vimeo.com"}:
        video_id = parts.path.rstrip("/").split("/")[-1]
        if video_id.isdigit():
            return f"https://player.vimeo.com/video/{video_id}"
    raise ValidationError("That link does not point to a single video.", code="video_url")


def check_video_file(upload: IO[bytes]) -> str:
    """Check an uploaded video by content; return its extension ("mp4" or "webm")."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_VIDEO_BYTES:
        raise ValidationError("The video is larger than 500 MB.", code="too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    raise ValidationError("Unsupported video: upload an MP4 or WebM file.", code="video_format")
