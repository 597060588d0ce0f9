"""Posts: what reporters file and editors publish, with their bylines and labels."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .media import PostEmbed, PostImage, PostVideo


class Label(models.Model):
    """A kicker shown above a post's title: "Analysis", "Breaking", "Fact check"."""

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


# The statuses whose posts readers see from their ``published_at`` on: named here once,
# for the queryset, the model, the database constraints and the partial index.
PUBLIC_STATUSES = [PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value]
# Statuses past the reporter's hands: only editors change such a post.
EDITORIAL_STATUSES = [*PUBLIC_STATUSES, PostStatus.RETRACTED.value]


@models.CharField.register_lookup
class LiteralIn(models.Lookup[str]):
    """``field__literal_in=[…]``: an IN list written into the SQL as literals.

    For fixed lists from code (never from a request; each value is checked to be a plain
    word). SQLite uses a partial index only when the query repeats its WHERE clause
    literally, and a parameterised ``IN (%s, %s)`` does not: with this, the reader's
    newest-first page walks ``post_blog_visible_idx`` on SQLite as on PostgreSQL.
    """

    lookup_name = "literal_in"

    def get_prep_lookup(self) -> Any:
        values = list(self.rhs)
        if not values or not all(isinstance(v, str) and v.isidentifier() for v in values):
            raise ValueError("literal_in takes a fixed list of plain words")
        return values

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        literals = ", ".join(f"'{value}'" for value in self.rhs)
        return f"{lhs} IN ({literals})", tuple(params)


class PostQuerySet(models.QuerySet["Post"]):
    """Visibility rules, in one place: the page, the API, feeds and the stream use these."""

    def published(self, *, at: datetime | None = None) -> PostQuerySet:
        """Posts readers may see at ``at`` (now by default).

        A scheduled post is visible from its time on without waiting for a worker;
        drafts, submissions and retracted posts never are.
        """
        at = at or timezone.now()
        # ``literal_in``: a custom lookup (above) the stubs do not know.
        return self.filter(status__literal_in=PUBLIC_STATUSES, published_at__lte=at)  # type: ignore[misc]

    def pinned(self) -> PostQuerySet:
        return self.filter(pinned=True)

    def key_events(self) -> PostQuerySet:
        return self.filter(key_event=True)

    def newest_first(self) -> PostQuerySet:
        return self.order_by("-published_at", "-id")

    def due(self, *, at: datetime | None = None) -> PostQuerySet:
        """Scheduled posts whose time has come (visible, but not yet announced)."""
        return self.filter(status=Post.Status.SCHEDULED, published_at__lte=at or timezone.now())

    def with_media(self, name: str) -> PostQuerySet:
        """The post a stored media file belongs to: a photo, a video or its poster, or
        one of a photo's renditions (``renditions/<photo's name without extension>/…``)."""
        owns = (
            models.Q(images__image=name)
            | models.Q(videos__file=name)
            | models.Q(videos__poster=name)
            | models.Q(embeds__thumbnail=name)
        )
        if name.startswith("renditions/") and name.count("/") >= 2:
            source = name.removeprefix("renditions/").rsplit("/", 1)[0]
            owns |= models.Q(images__image__startswith=f"{source}.")
        return self.filter(owns).distinct()

    def awaiting_approval(self) -> PostQuerySet:
        """The editors' inbox: submissions, oldest first (first come, first read)."""
        return self.filter(status=PostStatus.SUBMITTED).order_by("submitted_at", "id")

    def drafts_of(self, user: User | AnonymousUser) -> PostQuerySet:
        """A filer's own drafts, the most recently touched first."""
        return self.filter(status=PostStatus.DRAFT, author_id=user.pk).order_by("-updated_at")

    def upcoming(self, *, at: datetime | None = None) -> PostQuerySet:
        """Scheduled posts whose time has not come yet, soonest first."""
        return self.filter(
            status=PostStatus.SCHEDULED, published_at__gt=at or timezone.now()
        ).order_by("published_at", "id")

    def visible_to(self, user: User | AnonymousUser) -> PostQuerySet:
        """Readers see published posts; staff see every post in the admin and API."""
        if getattr(user, "is_staff", False) and user.has_perm("liveblog.view_post"):
            return self
        return self.published()

    def for_display(self, *, with_blog: bool = True) -> PostQuerySet:
        """Everything a post card renders, in a constant number of queries.

        ``with_blog=False`` leaves the blog out of the join, for querysets that know it
        already (``blog.posts…`` sets it on every post): SQLite then reads a page of the
        blog's newest posts from ``post_blog_visible_idx`` in order, where the join led
        its planner to sort every post of the blog once it had statistics."""
        related = ("label", "blog") if with_blog else ("label",)
        return self.select_related(*related).prefetch_related(
            models.Prefetch(
                "contributors",
                queryset=PostContributor.objects.select_related("reporter").order_by("order"),
            ),
            "images",
            "videos",
            "embeds",
        )


class Post(models.Model):
    Status = PostStatus

    blog = models.ForeignKey("liveblog.LiveBlog", on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Sanitised HTML: paragraphs, quotes, links.")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts_filed",
        help_text="Who filed the post.",
    )
    # The time an editor asked for (kept after publication, for the record).
    publish_at = models.DateTimeField(null=True, blank=True)
    # The time readers see and posts are ordered by; set when published or scheduled.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pinned = models.BooleanField(default=False)
    key_event = models.BooleanField(default=False)
    correction_note = models.TextField(blank=True)
    corrected_at = models.DateTimeField(
        null=True, blank=True, help_text="Shown to readers as the last update."
    )
    retraction_reason = models.TextField(blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # An editor's note when sending a submission back ("Needs a second source"): the
    # reporter sees it on their desk until they submit again.
    return_note = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # The winner call this post announces, when Newsroom filed it (a plain number: the
    # results app's call, named by its id). One such post per blog and call.
    announces_call = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("submit_post", "Can submit posts for approval"),
            ("publish_post", "Can publish and schedule posts"),
            ("pin_post", "Can pin posts and mark key events"),
            ("correct_post", "Can edit published posts"),
            ("retract_post", "Can retract published posts"),
            ("edit_any_post", "Can edit other people's posts"),
        ]
        indexes = [
            models.Index(
                fields=["blog", "status", "-published_at", "-id"], name="post_blog_stream_idx"
            ),
            models.Index(fields=["status", "published_at"], name="post_due_idx"),
            # The reader's "newest first" within a blog, for exactly the posts
            # ``published()`` may return: PostgreSQL reads a page of it in order instead
            # of sorting every post of the blog (docs/performance.md, "Cost curve").
            models.Index(
                fields=["blog", "-published_at", "-id"],
                condition=models.Q(status__in=PUBLIC_STATUSES),
                name="post_blog_visible_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["blog"], condition=models.Q(pinned=True), name="one_pinned_post_per_blog"
            ),
            models.UniqueConstraint(
                fields=["blog", "announces_call"],
                condition=models.Q(announces_call__isnull=False),
                name="one_post_per_call_per_blog",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=PUBLIC_STATUSES)
                | models.Q(published_at__isnull=False),
                name="post_public_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(pinned=False) | models.Q(status__in=PUBLIC_STATUSES),
                name="post_pinned_only_when_public",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="post_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("liveblog:post", kwargs={"slug": self.blog.slug, "pk": self.pk})

    @property
    def is_public(self) -> bool:
        """Whether readers can see the post right now (mirrors ``PostQuerySet.published``)."""
        return (
            self.status in PUBLIC_STATUSES
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_editorially_locked(self) -> bool:
        """Published, scheduled or retracted: only editors may change it now."""
        return self.status in EDITORIAL_STATUSES

    @property
    def anchor(self) -> str:
        return f"post-{self.pk}"

    @property
    def lead_media(self) -> list[PostImage | PostVideo | PostEmbed]:
        """Photos, videos and embeds above the text, in their one shared order."""
        return self._media("lead")

    @property
    def end_media(self) -> list[PostImage | PostVideo | PostEmbed]:
        """Photos, videos and embeds below the text, in their one shared order."""
        return self._media("end")

    def _media(self, placement: str) -> list[PostImage | PostVideo | PostEmbed]:
        # From the prefetched rows (``for_display``): no query per post.
        items: list[PostImage | PostVideo | PostEmbed] = [
            *self.images.all(),
            *self.videos.all(),
            *self.embeds.all(),
        ]
        return sorted(
            (item for item in items if item.placement == placement),
            key=lambda item: (item.order, item.kind, item.pk),
        )


class PostContributor(models.Model):
    """A name on a post's byline, with the line shown under it for this post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="contributors")
    reporter = models.ForeignKey("staff.Reporter", on_delete=models.PROTECT, related_name="+")
    byline = models.CharField(
        max_length=160,
        blank=True,
        help_text='Role or location for this post, e.g. "Reporting from Howard University".',
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="contributor_once_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.reporter} ({self.byline})" if self.byline else str(self.reporter)
