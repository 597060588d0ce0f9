"""Images and videos attached to a post, each with the words a newsroom puts beside it."""

from __future__ import annotations

from urllib.parse import urlsplit

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

    @property
    def player_name(self) -> str:
        """Whose player a linked video loads (when the reader asks): "YouTube", "Vimeo"."""
        host = urlsplit(self.url).hostname or ""
        if "youtube" in host:
            return "YouTube"
        return "Vimeo" if "vimeo" in host else host.removeprefix("www.")


class PostEmbed(models.Model):
    """A post, video or chart from elsewhere (X, Bluesky, YouTube, Datawrapper…), pasted as
    a link and read once through its provider (``newsroom.oembed``) into a snapshot the
    page shows as a card; the provider's own player is loaded only when a reader asks."""

    post = models.ForeignKey("liveblog.Post", on_delete=models.CASCADE, related_name="embeds")
    url = models.URLField(max_length=1000, help_text="The link as pasted.")
    provider = models.SlugField(max_length=40, blank=True, help_text="Empty: a plain link.")
    provider_name = models.CharField(max_length=120, blank=True)
    embed_kind = models.CharField(max_length=8, default="link")  # post, video, audio, chart
    title = models.CharField(max_length=300, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_url = models.URLField(max_length=1000, blank=True)
    text = models.TextField(blank=True, help_text="The post's own words, as plain text.")
    # Fetched once through the image pipeline (re-encoded, metadata stripped), served
    # from our own media like a photo: the page asks no third party for it.
    thumbnail = models.ImageField(upload_to=upload_to("embeds"), blank=True, max_length=200)
    frame_url = models.URLField(
        max_length=1000, blank=True, help_text="The provider's player, loaded on a reader's click."
    )
    frame_height = models.PositiveSmallIntegerField(default=0)
    fetched_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(
        max_length=500, blank=True, help_text="Why this shows only as a link, for the desk."
    )
    placement = models.CharField(max_length=4, choices=Placement, default=Placement.END)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def kind(self) -> str:
        """How a post card tells its media apart: "embed" here."""
        return "embed"

    @property
    def view_label(self) -> str:
        """The link's words: "View on X", "View on mastodon.social"."""
        return f"View on {self.provider_name or 'the original site'}"
