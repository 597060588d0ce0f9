"""Photos, videos and embeds on a post: checked, cleaned, and announced like any edit.

Whoever may edit the post may add, change or remove its media (``check_edit``). A change
that changes nothing (the same alt text, caption, credit, placement and order) is no
change: no new version, no update for readers.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from newsroom.images import clean_image, uploaders_name

from ..embeds import Reading, apply_reading, check_link, needs_reading, read_link
from ..models import Post, PostEmbed, PostImage, PostVideo
from ..models.media import Placement
from ..renditions import queue_renditions
from ..video import check_video_file, embed_url
from .posts import check_edit, lock, touch_edited

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def _next_order(post: Post) -> int:
    return post.images.count() + post.videos.count() + post.embeds.count()


def _alt_text(value: str) -> str:
    if not (value or "").strip():
        raise ValidationError({"alt_text": "Describe the picture for readers who cannot see it."})
    return value.strip()


def _placement(value: str) -> str:
    if value not in Placement.values:
        raise ValidationError({"placement": "Placement is “lead” or “end”."})
    return value


Media = TypeVar("Media", PostImage, PostVideo, PostEmbed)


def _as_stored(
    item: Media, by: User | AnonymousUser, fields: dict[str, Any], allowed: set[str]
) -> tuple[Post, Media]:
    """Lock the post, check ``by`` may edit it, refuse fields that cannot change, and
    re-read ``item`` as stored (not as a form may have left it in memory)."""
    post = lock(item.post)
    check_edit(by, post)
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    return post, type(item).objects.get(pk=item.pk, post=post)


def _apply(item: PostImage | PostVideo | PostEmbed, fields: dict[str, Any]) -> set[str]:
    """Set the fields that differ from what is stored; return their names."""
    changed = {name for name, value in fields.items() if getattr(item, name) != value}
    for name in changed:
        setattr(item, name, fields[name])
    return changed


def _remove(item: PostImage | PostVideo | PostEmbed, by: User | AnonymousUser) -> None:
    """Take a photo, video or embed off its post (a public post shows the edit)."""
    post = lock(item.post)
    check_edit(by, post)
    type(item).objects.filter(pk=item.pk, post=post).delete()
    touch_edited(post=post, by=by)


def _store_image(image: PostImage, file: IO[bytes]) -> None:
    cleaned = clean_image(file)
    # The storage picks the name (newsroom.media.upload_to); the uploader's is metadata.
    image.image.save(cast(str, cleaned.content.name), cleaned.content, save=False)
    image.original_name = cleaned.original_name


@transaction.atomic
def post_add_image(
    *,
    post: Post,
    by: User | AnonymousUser,
    file: IO[bytes],
    alt_text: str,
    caption: str = "",
    credit: str = "",
    placement: str = Placement.LEAD,
    order: int | None = None,
    expected_version: int | None = None,
) -> PostImage:
    """Attach a photo. It is checked by content and stored re-encoded, without metadata."""
    post = lock(post, expected_version=expected_version)
    check_edit(by, post)
    image = PostImage(
        post=post,
        alt_text=_alt_text(alt_text),
        caption=caption.strip(),
        credit=credit.strip(),
        placement=_placement(placement),
        order=_next_order(post) if order is None else order,
    )
    _store_image(image, file)
    image.save()
    queue_renditions(image)
    touch_edited(post=post, by=by)
    return image


@transaction.atomic
def post_update_image(
    *,
    image: PostImage,
    by: User | AnonymousUser,
    file: IO[bytes] | None = None,
    **fields: Any,
) -> PostImage:
    """Change a photo's words (alt text, caption, credit), place or order, or replace the
    picture itself (``file``, checked like a new upload)."""
    post, image = _as_stored(image, by, fields, {"alt_text", "caption", "credit", "placement",
                                                 "order"})  # fmt: skip
    if "alt_text" in fields:
        fields["alt_text"] = _alt_text(fields["alt_text"])
    if "placement" in fields:
        fields["placement"] = _placement(fields["placement"])
    for name in ("caption", "credit"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if not _apply(image, fields) and file is None:
        return image
    if file is not None:
        _store_image(image, file)
    image.save()
    queue_renditions(image)  # a replaced picture only
    touch_edited(post=post, by=by)
    return image


@transaction.atomic
def post_remove_image(*, image: PostImage, by: User | AnonymousUser) -> None:
    """Take a photo off a post (a public post shows the edit)."""
    _remove(image, by)


def _store_video(video: PostVideo, file: IO[bytes]) -> None:
    extension = check_video_file(file)  # from the container's structure, not the name
    file.seek(0)
    video.file.save(f"upload.{extension}", File(file), save=False)
    video.original_name = uploaders_name(getattr(file, "name", None))


def _store_poster(video: PostVideo, poster: IO[bytes]) -> None:
    cleaned = clean_image(poster)
    video.poster.save(cast(str, cleaned.content.name), cleaned.content, save=False)


@transaction.atomic
def post_add_video(
    *,
    post: Post,
    by: User | AnonymousUser,
    caption: str,
    url: str = "",
    file: IO[bytes] | None = None,
    poster: IO[bytes] | None = None,
    placement: str = Placement.LEAD,
    order: int | None = None,
    expected_version: int | None = None,
) -> PostVideo:
    """Attach a video: an allowed player link or an MP4/WebM upload, with its caption."""
    post = lock(post, expected_version=expected_version)
    check_edit(by, post)
    if not (caption or "").strip():
        raise ValidationError({"caption": "A video needs a media caption."})
    if bool(url) == bool(file):
        raise ValidationError("Give either a video link or a video file.")
    video = PostVideo(
        post=post,
        caption=caption.strip(),
        placement=_placement(placement),
        order=_next_order(post) if order is None else order,
        url=embed_url(url) if url else "",
    )
    if file is not None:
        _store_video(video, file)
    if poster is not None:
        _store_poster(video, poster)
    video.save()
    touch_edited(post=post, by=by)
    return video


@transaction.atomic
def post_update_video(
    *,
    video: PostVideo,
    by: User | AnonymousUser,
    file: IO[bytes] | None = None,
    poster: IO[bytes] | None = None,
    **fields: Any,
) -> PostVideo:
    """Change a video's caption, link, place or order, or replace its file or poster."""
    post, video = _as_stored(video, by, fields, {"caption", "url", "placement", "order"})
    if "caption" in fields:
        if not (fields["caption"] or "").strip():
            raise ValidationError({"caption": "A video needs a media caption."})
        fields["caption"] = fields["caption"].strip()
    if fields.get("url"):
        fields["url"] = embed_url(fields["url"])
    if "placement" in fields:
        fields["placement"] = _placement(fields["placement"])
    if not _apply(video, fields) and poster is None and file is None:
        return video
    if file is not None:
        _store_video(video, file)
    if bool(video.url) == bool(video.file):
        raise ValidationError("Give either a video link or a video file.")
    if poster is not None:
        _store_poster(video, poster)
    video.save()
    touch_edited(post=post, by=by)
    return video


@transaction.atomic
def post_remove_video(*, video: PostVideo, by: User | AnonymousUser) -> None:
    """Take a video off a post (a public post shows the edit)."""
    _remove(video, by)


def post_add_embed(
    *,
    post: Post,
    by: User | AnonymousUser,
    url: str,
    placement: str = Placement.END,
    order: int | None = None,
    expected_version: int | None = None,
    reading: Reading | None = None,
) -> PostEmbed:
    """Attach a post, video or chart from elsewhere by its link. The link is read through
    its provider before the post is locked (a slow provider holds no row), within its
    deadline; whatever the provider answers, the embed is stored (a plain link card with
    ``problem`` set when it could not be read). Only a link that is not one is refused."""
    url = check_link(url)
    check_edit(by, post)  # before calling anyone out there on this person's behalf
    placement = _placement(placement)
    reading = reading or read_link(url)
    with transaction.atomic():
        post = lock(post, expected_version=expected_version)
        check_edit(by, post)
        embed = PostEmbed(post=post, placement=placement,
                          order=_next_order(post) if order is None else order)  # fmt: skip
        apply_reading(embed, reading)
        embed.save()
        touch_edited(post=post, by=by)
    return embed


def post_update_embed(
    *, embed: PostEmbed, by: User | AnonymousUser, reading: Reading | None = None, **fields: Any
) -> PostEmbed:
    """Change an embed's place or order, or its link (read again, like a new one; the
    same link is read again only if its provider failed last time)."""
    url = check_link(fields["url"]) if "url" in fields else embed.url
    if "url" in fields:
        fields["url"] = url
        check_edit(by, embed.post)
    if "placement" in fields:
        fields["placement"] = _placement(fields["placement"])
    if reading is None and needs_reading(embed, url):
        reading = read_link(url)
    with transaction.atomic():
        post, embed = _as_stored(embed, by, fields, {"url", "placement", "order"})
        changed = _apply(embed, fields)
        if reading is not None:
            apply_reading(embed, reading)
            changed.add("snapshot")
        if not changed:
            return embed
        embed.save()
        touch_edited(post=post, by=by)
    return embed


@transaction.atomic
def post_remove_embed(*, embed: PostEmbed, by: User | AnonymousUser) -> None:
    """Take an embed off a post (a public post shows the edit)."""
    _remove(embed, by)
