"""Embeds in posts: a pasted link read once, when the post is saved, into what the page
shows (``PostEmbed``): the provider's words through ``newsroom.oembed``, its thumbnail
fetched and stored through the image pipeline like a photo.

Reading a link never fails the save: a provider that is down, slow, huge or points
inside our network leaves a plain link card and a message for the desk.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from newsroom import oembed, outbound
from newsroom.images import clean_image

from .models import PostEmbed

logger = logging.getLogger(__name__)

MAX_URL = PostEmbed._meta.get_field("url").max_length or 1000
MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024


@dataclass
class Reading:
    """A link as read: the snapshot, and its thumbnail cleaned (None without one)."""

    snapshot: oembed.Snapshot
    thumbnail: ContentFile[bytes] | None = None


def check_link(url: str) -> str:
    """The link as it will be read, or a clear error (the only refusal: a link that is
    not one; everything after this is a card, however the provider answers)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL:
        raise ValidationError(f"That link is longer than {MAX_URL} characters.", code="long")
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(
            "Paste the https link of the post, video or chart (from its Share or Copy "
            "link button).", code="embed_url",
        )  # fmt: skip
    return url


def read_link(url: str) -> Reading:
    """Read ``url`` (already ``check_link``-ed) through its provider, then its thumbnail."""
    snapshot = oembed.resolve(url)
    reading = Reading(snapshot=snapshot)
    if snapshot.thumbnail_url:
        try:
            fetched = outbound.get(snapshot.thumbnail_url, max_bytes=MAX_THUMBNAIL_BYTES,
                                   timeout=oembed.timeout(), accept="image/*")  # fmt: skip
            if fetched.status != 200:
                raise outbound.FetchError(f"the thumbnail answered {fetched.status}")
            reading.thumbnail = clean_image(io.BytesIO(fetched.body), name="thumbnail").content
        except (outbound.FetchError, ValidationError) as error:
            # The words stand without a picture; the desk is told.
            logger.info("thumbnail of %s not stored: %s", url, error)
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            snapshot.problem = snapshot.problem or f"Shown without its picture: {message}"
    return reading


def apply_reading(embed: PostEmbed, reading: Reading) -> None:
    """Copy what was read onto ``embed`` (not saved)."""
    snap = reading.snapshot
    embed.url = snap.url
    embed.provider, embed.provider_name = snap.provider, snap.provider_name[:120]
    embed.embed_kind = snap.kind
    embed.title, embed.author_name = snap.title, snap.author_name
    embed.author_url, embed.text = snap.author_url, snap.text
    embed.frame_url, embed.frame_height = snap.frame_url, snap.frame_height
    embed.fetched_at, embed.problem = snap.fetched_at, snap.problem[:500]
    if reading.thumbnail is not None:
        embed.thumbnail.save(str(reading.thumbnail.name), reading.thumbnail, save=False)
    else:
        embed.thumbnail = ""


def needs_reading(embed: PostEmbed | None, url: str) -> bool:
    """A link is read once: again only when it changed, or when its provider failed last
    time (a save after a provider's outage fetches it)."""
    if embed is None or embed.url != url:
        return True
    return bool(embed.problem) and embed.fetched_at is None and bool(embed.provider)
