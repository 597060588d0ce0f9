"""The per-blog change log: what readers and partners must see, in order.

Every visible change (a post published, edited, retracted, pinned; the summary or the
results updated) gets the next ``seq`` of its blog. Live pages and the API use ``seq``
as their cursor: "give me everything after 41". See ``liveblog.changes`` for how the
sequence stays strictly increasing under concurrent writers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChangeQuerySet(models.QuerySet["Change"]):
    def after(self, blog_id: int, seq: int, *, upto: int | None = None) -> ChangeQuerySet:
        """The blog's changes after ``seq`` (up to ``upto``), oldest first: the one way
        every consumer (stream, poll, change feed, tests) resumes from a cursor."""
        changes = self.filter(blog_id=blog_id, seq__gt=seq)
        if upto is not None:
            changes = changes.filter(seq__lte=upto)
        return changes.order_by("seq")


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

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["blog", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["blog", "seq"], name="change_seq_unique_per_blog"),
            models.CheckConstraint(condition=models.Q(seq__gt=0), name="change_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.blog_id}#{self.seq} {self.kind}"
