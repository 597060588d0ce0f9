"""What the API sends for blogs, posts and change-feed entries (read side).

One representation of a post everywhere: the post endpoints, the change feed and
webhook deliveries all use ``PostSerializer``, so a partner never reconciles two shapes.
Absolute URLs are built from the ``base_url`` in the serializer context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Change, Label, LiveBlog, Post, PostContributor, PostEmbed, PostImage, PostVideo
from ..models.media import Placement

# Which text is which: a partner escapes plain text and may insert the HTML as it is.
PLAIN = "Plain text: escape it where you show it."
HTML = (
    "Sanitised HTML (paragraphs, headings, quotes, lists, links; no scripts, styles or "
    "event attributes): safe to insert as it is."
)


def absolute(context: Mapping[str, Any], url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{context.get('base_url', '')}{url}"


class LabelSerializer(serializers.Serializer[Label]):
    slug = serializers.CharField()
    name = serializers.CharField()


class ContributorSerializer(serializers.Serializer[PostContributor]):
    name = serializers.CharField(source="reporter.display_name", help_text=PLAIN)
    role_title = serializers.CharField(source="reporter.role_title", help_text=PLAIN)
    byline = serializers.CharField(help_text="The line under the name for this post. " + PLAIN)

    class Meta:
        model = PostContributor


class ImageSerializer(serializers.Serializer[PostImage]):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt_text = serializers.CharField(help_text=PLAIN)
    caption = serializers.CharField(help_text=PLAIN)
    credit = serializers.CharField(help_text=PLAIN)
    placement = serializers.ChoiceField(choices=Placement.choices)

    def get_url(self, image: PostImage) -> str:
        return absolute(self.context, image.image.url)


class VideoSerializer(serializers.Serializer[PostVideo]):
    embed_url = serializers.CharField(source="url", help_text="Player URL, or empty.")
    file_url = serializers.SerializerMethodField(help_text="Uploaded MP4/WebM, or empty.")
    poster_url = serializers.SerializerMethodField()
    caption = serializers.CharField(help_text=PLAIN)
    placement = serializers.ChoiceField(choices=Placement.choices)

    def get_file_url(self, video: PostVideo) -> str:
        return absolute(self.context, video.file.url) if video.file else ""

    def get_poster_url(self, video: PostVideo) -> str:
        return absolute(self.context, video.poster.url) if video.poster else ""


class EmbedSerializer(serializers.Serializer[PostEmbed]):
    """A post, video or chart from elsewhere, as read when the post was saved."""

    url = serializers.URLField(help_text="The link as pasted: what to show or link to.")
    provider = serializers.CharField(help_text='"x", "bluesky", "youtube"…; empty: a plain link.')
    provider_name = serializers.CharField(help_text=PLAIN)
    kind = serializers.CharField(source="embed_kind",
                                 help_text="post, video, audio, chart or link.")  # fmt: skip
    title = serializers.CharField(help_text=PLAIN)
    author_name = serializers.CharField(help_text=PLAIN)
    author_url = serializers.CharField()
    text = serializers.CharField(help_text="The post's own words. " + PLAIN)
    thumbnail_url = serializers.SerializerMethodField(help_text="Our stored copy, or empty.")
    player_url = serializers.CharField(source="frame_url",
                                       help_text="The provider's player, or empty.")  # fmt: skip
    fetched_at = serializers.DateTimeField(allow_null=True)
    placement = serializers.ChoiceField(choices=Placement.choices)

    def get_thumbnail_url(self, embed: PostEmbed) -> str:
        return absolute(self.context, embed.thumbnail.url) if embed.thumbnail else ""


class PostSerializer(serializers.Serializer[Post]):
    """A post as readers see it (staff also read drafts and submissions by id)."""

    id = serializers.IntegerField()
    blog = serializers.CharField(source="blog.slug")
    url = serializers.SerializerMethodField(help_text="The post on the reader's page.")
    version = serializers.IntegerField(help_text='Also the ETag ("v3") for If-Match.')
    status = serializers.ChoiceField(choices=Post.Status.choices)
    title = serializers.CharField(help_text=PLAIN)
    body = serializers.CharField(help_text=HTML)
    # A declared field: the serializer metaclass moves it into _declared_fields, so it never
    # shadows Field.label (the display label), which is all the stubs can see.
    label = LabelSerializer(allow_null=True)  # type: ignore[assignment]
    published_at = serializers.DateTimeField(allow_null=True)
    pinned = serializers.BooleanField()
    key_event = serializers.BooleanField()
    corrected_at = serializers.DateTimeField(
        allow_null=True, help_text="Shown to readers as the last update."
    )
    correction_note = serializers.CharField(help_text=PLAIN)
    contributors = ContributorSerializer(many=True)
    images = ImageSerializer(many=True)
    videos = VideoSerializer(many=True)
    embeds = EmbedSerializer(many=True)

    def get_url(self, post: Post) -> str:
        return absolute(self.context, post.get_absolute_url())


class SummarySerializer(serializers.Serializer[LiveBlog]):
    points = serializers.ListField(
        child=serializers.CharField(), source="summary", help_text="Each point: " + PLAIN
    )
    updated_at = serializers.DateTimeField(source="summary_updated_at", allow_null=True)


class BlogSerializer(serializers.Serializer[LiveBlog]):
    slug = serializers.CharField()
    title = serializers.CharField(help_text=PLAIN)
    description = serializers.CharField(help_text=PLAIN)
    status = serializers.ChoiceField(choices=LiveBlog.Status.choices)
    coverage_start = serializers.DateTimeField()
    coverage_end = serializers.DateTimeField(allow_null=True)
    last_seq = serializers.IntegerField(
        help_text="The newest change's sequence number: follow the feed from here."
    )
    rehearsal = serializers.SerializerMethodField(
        help_text="True for a rehearsal's blog (manage.py rehearse): not real coverage."
    )
    url = serializers.SerializerMethodField(help_text="The reader's page.")

    def get_url(self, blog: LiveBlog) -> str:
        return absolute(self.context, blog.get_absolute_url())

    def get_rehearsal(self, blog: LiveBlog) -> bool:
        return blog.rehearsal_id is not None


class BlogDetailSerializer(BlogSerializer):
    summary = SummarySerializer(source="*")
    pinned_post_id = serializers.SerializerMethodField()
    races = serializers.SerializerMethodField(help_text="Slugs of the races the blog shows.")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_pinned_post_id(self, blog: LiveBlog) -> int | None:
        return getattr(blog, "pinned_post_id", None)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_races(self, blog: LiveBlog) -> list[str]:
        return [race.slug for race in blog.races.all()]


class BlogListSerializer(serializers.Serializer[dict[str, Any]]):
    results = BlogSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for more.")
    has_more = serializers.BooleanField()


class PostListSerializer(serializers.Serializer[dict[str, Any]]):
    results = PostSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for older posts.")
    has_more = serializers.BooleanField()


class ChangeEntrySerializer(serializers.Serializer[dict[str, Any]]):
    """One change, with the *current* state of what it is about."""

    seq = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Change.Kind.choices)
    created_at = serializers.DateTimeField()
    post_id = serializers.IntegerField(allow_null=True)
    post_version = serializers.IntegerField(
        allow_null=True, help_text="The post's version when the change was made."
    )
    post = PostSerializer(
        allow_null=True,
        help_text="The post as it is NOW, if readers can see it; null for other kinds "
        "and for tombstones.",
    )
    tombstone = serializers.BooleanField(
        help_text="True when the post is no longer visible (retracted): delete post_id."
    )
    points = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Summary entries: the key points, in order.",
    )
    status = serializers.ChoiceField(
        choices=LiveBlog.Status.choices, allow_null=True, help_text="Blog entries: the status."
    )
    race_id = serializers.IntegerField(allow_null=True, help_text="Results entries: the race.")


class ChangeFeedSerializer(serializers.Serializer[dict[str, Any]]):
    blog = serializers.CharField()
    last_seq = serializers.IntegerField(help_text="The blog's newest sequence number.")
    entries = ChangeEntrySerializer(many=True)
    next = serializers.IntegerField(help_text="Ask again with ?after= this.")
    has_more = serializers.BooleanField(help_text="True: ask again at once for the rest.")
