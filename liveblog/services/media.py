"""Photos and videos on a post: checked, cleaned, and announced like any edit."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from .. import permissions as perms
from ..images import clean_image
from ..models import Post, PostImage, PostVideo
from ..models.media import Placement
from ..renditions import queue_renditions
from ..video import check_video_file, embed_url
from .posts import _refusal, lock, touch_edited

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def _next_order(post: Post) -> int:
    return post.images.count() + post.videos.count()


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
) -> PostImage:
    """Attach a photo. It is checked by content and stored re-encoded, without metadata."""
    post = lock(post)
    perms.require(perms.can_edit(by, post), _refusal(by, post))
    if not (alt_text or "").strip():
        raise ValidationError({"alt_text": "Describe the picture for readers who cannot see it."})
    if placement not in Placement.values:
        raise ValidationError({"placement": "Placement is “lead” or “end”."})
    cleaned = clean_image(file)
    image = PostImage(
        post=post,
        alt_text=alt_text.strip(),
        caption=caption.strip(),
        credit=credit.strip(),
        placement=placement,
        order=_next_order(post),
    )
    # clean_image always names the re-encoded file.
    image.image.save(cast(str, cleaned.content.name), cleaned.content, save=False)
    image.save()
    queue_renditions(image)
    touch_edited(post=post, by=by)
    return image


@transaction.atomic
def post_remove_image(*, image: PostImage, by: User | AnonymousUser) -> None:
    """Take a photo off a post (a public post shows the edit)."""
    post = lock(image.post)
    perms.require(perms.can_edit(by, post), _refusal(by, post))
    image.delete()
    touch_edited(post=post, by=by)


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
) -> PostVideo:
    """Attach a video: an allowed player link or an MP4/WebM upload, with its caption."""
    post = lock(post)
    perms.require(perms.can_edit(by, post), _refusal(by, post))
    if not (caption or "").strip():
        raise ValidationError({"caption": "A video needs a media caption."})
    if bool(url) == bool(file):
        raise ValidationError("Give either a video link or a video file.")
    video = PostVideo(
        post=post,
        caption=caption.strip(),
        placement=placement,
        order=_next_order(post),
        url=embed_url(url) if url else "",
    )
    if file is not None:
        extension = check_video_file(file)
        video.file.save(f"video.{extension}", ContentFile(file.read()), save=False)
    if poster is not None:
        cleaned = clean_image(poster)
        # clean_image always names the re-encoded file.
        video.poster.save(cast(str, cleaned.content.name), cleaned.content, save=False)
    video.save()
    touch_edited(post=post, by=by)
    return video
