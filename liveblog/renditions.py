"""Responsive sizes of post images: WebP and JPEG at a few widths, for ``srcset``.

Made by a task after upload (``liveblog.tasks.make_image_renditions``); until they
exist, pages show the original. Rendition names derive from the original's, so making
them twice overwrites the same files, and ``renditions_of`` records which upload they
belong to: a replaced image gets new ones, a redelivered task does nothing.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath
from typing import cast

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from newsroom.queueing import enqueue

from .models import PostImage
from .signals import announce_drawn

WIDTHS = (320, 640, 960, 1280, 1600)
FORMATS = {"webp": ("WEBP", {"quality": 80, "method": 4}),
           "jpeg": ("JPEG", {"quality": 82, "progressive": True, "optimize": True})}  # fmt: skip


def queue_renditions(image: PostImage) -> None:
    """Make the renditions after the upload commits (a worker, or in-process eagerly)."""
    if needs_renditions(image):
        enqueue("liveblog.tasks.make_image_renditions", image.pk, image.image.name)


def needs_renditions(image: PostImage) -> bool:
    return bool(image.image) and image.renditions_of != image.image.name


def make_renditions(image: PostImage) -> list[dict[str, object]]:
    """Write the renditions of ``image`` (idempotent) and record them on the row."""
    if not needs_renditions(image):
        return cast("list[dict[str, object]]", image.renditions)  # a JSONField: Any
    source = image.image.name
    assert source is not None  # needs_renditions: the image is set, so it has a name
    stem = PurePosixPath(source)
    folder = f"renditions/{stem.parent}/{stem.stem}"
    made: list[dict[str, object]] = []
    with image.image.open("rb") as handle, Image.open(handle) as opened:
        original = ImageOps.exif_transpose(opened)
        widths = [w for w in WIDTHS if w < original.width] + [original.width]
        for width in sorted(set(widths)):
            height = round(original.height * width / original.width)
            resized = original.resize((width, height), Image.Resampling.LANCZOS)
            for extension, (pil_format, options) in FORMATS.items():
                frame = resized.convert("RGB") if pil_format == "JPEG" else resized
                buffer = io.BytesIO()
                frame.save(buffer, pil_format, **options)
                name = f"{folder}/{width}.{extension}"
                if default_storage.exists(name):
                    default_storage.delete(name)
                saved = default_storage.save(name, ContentFile(buffer.getvalue()))
                made.append({"format": extension, "width": width, "name": saved})
    # Only if the image was not replaced meanwhile (a newer task will do that one).
    stored = PostImage.objects.filter(pk=image.pk, image=source).update(
        renditions=made, renditions_of=source
    )
    image.renditions, image.renditions_of = made, source
    if stored:  # pages draw the new sizes from now on
        announce_drawn(PostImage._meta.label_lower, image.post.blog_id)
    return made
