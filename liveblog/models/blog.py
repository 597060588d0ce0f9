"""The live blog itself: one running story, its coverage window and key points."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from newsroom.origins import origins_in, validate_origins
from newsroom.web.etags import make_etag
from results.selectors import NATIONAL_FIRST

from .post import Post


@dataclass(frozen=True)
class BlogState:
    """Where a blog stands in its change log: what every read of it depends on.

    The stream, the poll endpoint and the API's blog-scoped reads all key on it.
    ``updated_at`` (edits of the blog's own fields) and ``due`` (scheduled posts whose
    time has come but which are not yet announced: visible already) come only with
    ``detailed=True``, for reads that show them.
    """

    pk: int
    slug: str
    status: str
    last_seq: int
    updated_at: datetime | None = None
    due: int = 0
    desk_seq: int = 0  # moves with every post saved, scheduling included (staff log)
    fetched: float = field(default_factory=time.monotonic)

    @property
    def ended(self) -> bool:
        return self.status == LiveBlog.Status.ENDED

    def etag(self, *parts: object) -> str:
        """The validator of a read of this blog (``parts``: which read, its query)."""
        updated = self.updated_at.isoformat() if self.updated_at else ""
        return make_etag("blog", self.pk, self.last_seq, self.status, updated, self.due, *parts)


class LiveBlogQuerySet(models.QuerySet["LiveBlog"]):
    def showing_calls_of(self, race_id: int) -> LiveBlogQuerySet:
        """The blogs whose desks review the race's calls: those showing the race, or the
        national race it counts towards (a state's call moves the national count)."""
        from results.models import Race

        parent = Race.objects.filter(pk=race_id).values("parent_id")
        return self.filter(models.Q(races=race_id) | models.Q(races__in=parent)).distinct()

    def live(self) -> LiveBlogQuerySet:
        return self.filter(status=LiveBlog.Status.LIVE).order_by("-coverage_start", "-pk")

    def upcoming(self) -> LiveBlogQuerySet:
        """Announced coverage, soonest first."""
        return self.filter(status=LiveBlog.Status.SCHEDULED).order_by("coverage_start", "pk")

    def ended(self) -> LiveBlogQuerySet:
        """Finished coverage, most recently started first."""
        return self.filter(status=LiveBlog.Status.ENDED).order_by("-coverage_start", "-pk")

    def state(self, slug: str, *, detailed: bool = False) -> BlogState | None:
        """The blog's position in one query (None if there is no such blog); scheduled
        posts that came due (``due``) only with ``detailed``."""
        rows = self.filter(slug=slug)
        if not detailed:
            row = rows.values_list("pk", "status", "last_seq", "updated_at", "desk_seq").first()
            if row is None:
                return None
            return BlogState(row[0], slug, row[1], row[2], updated_at=row[3], desk_seq=row[4])
        due = (
            Post.objects.filter(blog=OuterRef("pk"))
            .due()
            .order_by()
            .values("blog")
            .annotate(count=Count("pk"))
            .values("count")
        )
        found = (
            rows.annotate(due=Coalesce(Subquery(due), 0))
            .values_list("pk", "status", "last_seq", "updated_at", "due")
            .first()
        )
        return BlogState(found[0], slug, *found[1:]) if found else None


class LiveBlog(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.SCHEDULED)
    coverage_start = models.DateTimeField()
    coverage_end = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(
        default=list,
        blank=True,
        help_text="The editors' key points, in order, shown above the posts.",
    )
    summary_updated_at = models.DateTimeField(null=True, blank=True)
    races = models.ManyToManyField(
        "results.Race", blank=True, related_name="blogs", help_text="Races shown on this blog."
    )
    # The editors' order of the races on the page (race ids); races not placed follow,
    # national first (``shown_race_ids``). Ids of races no longer shown are ignored.
    race_order = models.JSONField(default=list, blank=True, editable=False)
    # A rehearsal's blog (``manage.py rehearse``): marked as such on every page, left out
    # of the partner API and webhooks, wiped with its rehearsal.
    rehearsal = models.ForeignKey("results.Rehearsal", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="blogs",
                                  editable=False)  # fmt: skip
    # Sites that may show the blog in a frame (its embed view, /live/<slug>/embed/): the
    # embed's CSP frame-ancestors. Any other site's page is refused by the browser.
    embed_origins = models.TextField(
        blank=True, validators=[validate_origins], verbose_name="sites that may embed it",
        help_text="One origin per line, e.g. https://www.example.com (scheme and host, and a "
                  "port if not the usual one). Empty: only this site.",
    )  # fmt: skip
    # High-water mark of the change log; bumped under a row lock (see liveblog.changes).
    last_seq = models.BigIntegerField(default=0, editable=False)
    # The staff log's high-water mark (liveblog.models.desk): the same discipline.
    desk_seq = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveBlogQuerySet.as_manager()

    class Meta:
        ordering = ["-coverage_start"]
        permissions = [("edit_summary", "Can edit a live blog's key points summary")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coverage_end__isnull=True)
                | models.Q(coverage_end__gte=models.F("coverage_start")),
                name="liveblog_coverage_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(last_seq__gte=0), name="liveblog_last_seq_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # ``last_seq`` and ``desk_seq`` belong to the change logs (liveblog.changes), which
        # move them under a row lock; a plain save of a copy loaded earlier must never
        # move them back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key
                and f.name not in ("last_seq", "desk_seq")
            ]  # fmt: skip
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("liveblog:blog", kwargs={"slug": self.slug})

    def framing_origins(self) -> list[str]:
        """The origins allowed to frame the embed view, as CSP source expressions."""
        return origins_in(self.embed_origins)

    def shown_race_ids(self) -> list[int]:
        """The races this blog shows, in the order its editors chose; races they have
        not placed follow, national races first, then by name."""
        ids = list(self.races.order_by(NATIONAL_FIRST, "name").values_list("pk", flat=True))
        place = {pk: n for n, pk in enumerate(self.race_order) if isinstance(pk, int)}
        return sorted(ids, key=lambda pk: place.get(pk, len(place)))

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE
