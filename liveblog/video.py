"""Video in posts: embeds only from allowed players, uploads only real MP4/WebM files."""

from __future__ import annotations

import re
from typing import IO
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

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
    """Check an uploaded video by its container's structure; return "mp4" or "webm".

    Not a magic-byte slice: a script with "ftyp" at bytes 4-8 is no MP4. An MP4 must be a
    well-formed run of ISO boxes (sizes adding up to the file) opening with ``ftyp`` and
    holding ``moov`` and ``mdat``; a WebM must open with an EBML header whose DocType is
    "webm", followed by a Segment. Raises ``ValidationError`` with a clear message.
    """
    size = _size_of(upload)
    limit = settings.NEWSROOM_VIDEO_MAX_BYTES
    if size > limit:
        raise ValidationError(
            f"The video is larger than {limit // (1024 * 1024)} MB.", code="too_large"
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    try:
        if head == _EBML:
            _check_webm(upload, size)
            return "webm"
        _check_mp4(upload, size)
        return "mp4"
    except _NotVideo:
        raise ValidationError(
            "Unsupported video: upload an MP4 or WebM file.", code="video_format"
        ) from None
    finally:
        upload.seek(0)


class _NotVideo(Exception):
    pass


_EBML = b"\x1a\x45\xdf\xa3"
_SEGMENT = 0x18538067
_DOCTYPE = 0x4282
_BOX_TYPE = re.compile(rb"[a-zA-Z0-9 \xa9]{4}")
MAX_BOXES = 10_000


def _size_of(upload: IO[bytes]) -> int:
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    return size


def _read_exact(upload: IO[bytes], n: int) -> bytes:
    data = upload.read(n)
    if len(data) != n:
        raise _NotVideo
    return data


def _check_mp4(upload: IO[bytes], size: int) -> None:
    seen: set[bytes] = set()
    position = 0
    for index in range(MAX_BOXES):
        if position == size:
            break
        upload.seek(position)
        header = _read_exact(upload, 8)
        box_size, box_type = int.from_bytes(header[:4], "big"), header[4:]
        if not _BOX_TYPE.fullmatch(box_type) or (index == 0 and box_type != b"ftyp"):
            raise _NotVideo
        if box_size == 1:  # a 64-bit size follows
            box_size = int.from_bytes(_read_exact(upload, 8), "big")
        elif box_size == 0:  # to the end of the file
            box_size = size - position
        if box_size < 8 or position + box_size > size:
            raise _NotVideo
        if box_type == b"ftyp" and not (16 <= box_size <= 4096):
            raise _NotVideo
        seen.add(box_type)
        position += box_size
    else:
        raise _NotVideo
    if not {b"moov", b"mdat"} <= seen:
        raise _NotVideo


def _vint(upload: IO[bytes], *, keep_marker: bool) -> int:
    first = _read_exact(upload, 1)[0]
    length = 8 - first.bit_length() + 1
    if first == 0 or length > 8:
        raise _NotVideo
    rest = _read_exact(upload, length - 1)
    value = first if keep_marker else first & ((1 << (8 - length)) - 1)
    for byte in rest:
        value = (value << 8) | byte
    return value


def _check_webm(upload: IO[bytes], size: int) -> None:
    upload.seek(0)
    if _vint(upload, keep_marker=True) != int.from_bytes(_EBML, "big"):
        raise _NotVideo
    header_size = _vint(upload, keep_marker=False)
    header_end = upload.tell() + header_size
    if header_end > size or header_size > 4096:
        raise _NotVideo
    doctype = b""
    while upload.tell() < header_end:
        element = _vint(upload, keep_marker=True)
        length = _vint(upload, keep_marker=False)
        if upload.tell() + length > header_end:
            raise _NotVideo
        value = _read_exact(upload, length)
        if element == _DOCTYPE:
            doctype = value
    if doctype.rstrip(b"\x00") != b"webm":
        raise _NotVideo
    upload.seek(header_end)
    if _vint(upload, keep_marker=True) != _SEGMENT:
        raise _NotVideo


def video_link_help() -> str:
    """The help under a video link field: the sites whose players may be embedded."""
    sites = sorted({host.removeprefix("www.").removeprefix("player.")
                    for host in settings.NEWSROOM_VIDEO_EMBED_HOSTS})  # fmt: skip
    return (
        f"A link to the video on {', '.join(sites)} (https)."
        if sites
        else ("Video links are turned off here: upload the file instead.")
    )
