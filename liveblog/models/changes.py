"""The per-blog change log: what readers and partners must see, in order.

Every visible change (a post published, edited, retracted, pinned; the summary or the
results updated) gets the next ``seq`` of its blog. Live pages and the API use ``seq``
as their cursor: "give me everything after 41". See ``liveblog.changes`` for how the
sequence stays strictly increasing under concurrent writers.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models

E = TypeVar("E", bound=models.Model)
# Past this many entries a catch-up costs more than a fresh look: a page reloads, a desk
# redraws its regions.
CATCH_UP_LIMIT = 200


class LogQuerySet(models.QuerySet[E]):
    """A blog's log (the public ``Change`` log, the staff ``DeskChange`` log), read the
    one way every consumer resumes from a cursor."""

    def after(self, blog_id: int, seq: int, *, upto: int | None = None) -> LogQuerySet[E]:
        """The blog's entries after ``seq`` (up to ``upto``), oldest first: the stream,
        the desk, the poll, the change feed and tests all resume this way."""
        entries = self.filter(blog_id=blog_id, seq__gt=seq)
        if upto is not None:
            entries = entries.filter(seq__lte=upto)
        return entries.order_by("seq")

    def catch_up(self, blog_id: int, seq: int, *, upto: int | None = None,
                 limit: int = CATCH_UP_LIMIT) -> tuple[list[E], bool]:  # fmt: skip
        """What a channel sends a reader coming back from ``seq``: the entries after it
        (at most ``limit``, one query) and whether there were more, when the reader is
        better off starting afresh (the live channel and the desk's follow this rule)."""
        entries = list(self.after(blog_id, seq, upto=upto)[: limit + 1])
        return entries[:limit], len(entries) > limit


class Change(models.Model):
    class Kind(models.TextChoices):
        PUBLISHED = "published", "Post published"
        EDITED = "edited", "Post edited"
        RETRACTED = "retracted", "Post retracted"
        PINNED = "pinned", "Post pinned"
        UNPINNED = "unpinned", "Post unpinned"
        SUMMARY = "summary", "Summary changed"
        RESULTS = "results", "Results changed"
        BLOG = "blog", "Blog status changed"

    blog = models.ForeignKey("liveblog.LiveBlog", on_delete=models.CASCADE, related_name="changes")
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind)
    post = models.ForeignKey(
        "liveblog.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    # The post's version when the change was made, so consumers can drop stale copies.
    post_version = models.PositiveIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LogQuerySet["Change"].as_manager()

    class Meta:
        ordering = ["blog", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["blog", "seq"], name="change_seq_unique_per_blog"),
            models.CheckConstraint(condition=models.Q(seq__gt=0), name="change_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.blog_id}#{self.seq} {self.kind}"
