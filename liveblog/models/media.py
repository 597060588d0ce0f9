"""Images and videos attached to a post, each with the words a newsroom puts beside it."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import models

from newsroom.media import upload_to


class Placement(models.TextChoices):
    LEAD = "lead", "Before the text"
    END = "end", "After the text"


class PostImage(models.Model):
    """A photo, stored only after ``newsroom.images.clean_image`` re-encoded it."""

    post = models.ForeignKey("liveblog.Post", on_delete=models.CASCADE, related_name="images")
    # Stored as posts/<128 random bits>.<detected type> (newsroom.media): unguessable,
    # so an embargoed photo cannot be found before the post is public.
    image = models.ImageField(
        upload_to=upload_to("posts"), width_field="width", height_field="height", max_length=200
    )
    original_name = models.CharField(
        max_length=200, blank=True, editable=False, help_text="The uploader's file name."
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=300, help_text="What the picture shows, for readers who cannot see it."
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(
        max_length=120, blank=True, help_text='Shown as "Image source, …", e.g. "Getty Images".'
    )
    placement = models.CharField(max_length=4, choices=Placement, default=Placement.LEAD)
    order = models.PositiveSmallIntegerField(default=0)
    # Responsive sizes made by a task after upload ([{format, width, name}]), and the
    # upload they were made from: a replaced image is recognised and gets new ones.
    renditions = models.JSONField(default=list, blank=True, editable=False)
    renditions_of = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.alt_text

    @property
    def kind(self) -> str:
        """How a post card tells its media apart: "image" here, "video" for a video."""
        return "image"

    @property
    def srcset_webp(self) -> str:
        return self.srcset("webp")

    @property
    def srcset_jpeg(self) -> str:
        return self.srcset("jpeg")

    def srcset(self, extension: str) -> str:
        """``srcset`` for one format, or "" while the renditions are not made yet
        (``liveblog.renditions`` makes them and records them here)."""
        if self.renditions_of != self.image.name:
            return ""
        return ", ".join(
            f"{default_storage.url(r['name'])} {r['width']}w"
            for r in self.renditions
            if r["format"] == extension
        )


class PostVideo(models.Model):
    """A video: an embed from an allowed player, or an uploaded file, with a media caption."""

    post = models.ForeignKey("liveblog.Post", on_delete=models.CASCADE, related_name="videos")
    url = models.URLField(
        blank=True, help_text="A link to the video on a site whose player may be embedded."
    )
    file = models.FileField(upload_to=upload_to("videos"), blank=True, max_length=200)
    poster = models.ImageField(upload_to=upload_to("videos"), blank=True, max_length=200)
    original_name = models.CharField(
        max_length=200, blank=True, editable=False, help_text="The uploader's file name."
    )
    caption = models.CharField(max_length=500, help_text='Shown as "Media caption, …".')
    placement = models.CharField(max_length=4, choices=Placement, default=Placement.LEAD)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(file=""), name="video_has_source"
            )
        ]

    def __str__(self) -> str:
        return self.caption

    @property
    def kind(self) -> str:
        """How a post card tells its media apart: "video" here, "image" for a photo."""
        return "video"
