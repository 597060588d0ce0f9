"""What the live desk shares among staff: its own change log, soft locks and presence.

The staff log is the public change log's sibling for everything readers never see:
drafts filed and saved, submissions, posts sent back with a note, schedules, locks. It
has its own sequence per blog (``LiveBlog.desk_seq``, bumped under the blog's row lock
like ``last_seq``), so a desk resumes from "everything after 41" exactly as a reader's
page does, and nothing in it ever reaches the public stream, the poll, the feeds or the
partner API (they read ``Change`` only).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .changes import LogQuerySet


class DeskChange(models.Model):
    class Kind(models.TextChoices):
        FILED = "filed", "Draft filed"
        SAVED = "saved", "Post saved"
        DELETED = "deleted", "Draft deleted"
        LOCK = "lock", "Editing started or ended"
        PUBLIC = "public", "Public change"  # mirrors a ``Change`` (summary, results, …)
        CALL = "call", "Winner call waiting"  # made, proposed, rejected: not shown yet

    blog = models.ForeignKey(
        "liveblog.LiveBlog", on_delete=models.CASCADE, related_name="desk_changes"
    )
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind)
    # A plain number, not a key: a deleted draft's entry must outlive the draft.
    post_id = models.BigIntegerField(null=True, blank=True)
    post_version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LogQuerySet["DeskChange"].as_manager()

    class Meta:
        ordering = ["blog", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["blog", "seq"], name="deskchange_seq_unique_per_blog"),
        ]

    def __str__(self) -> str:
        return f"{self.blog_id}#{self.seq} {self.kind}"

    def as_event(self) -> dict[str, object]:
        """What a desk needs to know of it (the staff channel's JSON)."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "post": self.post_id,
            "version": self.post_version,
            "status": self.status,
            "by": self.by_id,
        }


class EditLockQuerySet(models.QuerySet["EditLock"]):
    def held(self, *, at: datetime | None = None) -> EditLockQuerySet:
        return self.filter(expires_at__gt=at or timezone.now())


class EditLock(models.Model):
    """A soft lock: "Holly Honderich is editing this post". It warns, it does not block:
    saves are still guarded by the post's version (``StaleEdit``). It lapses by itself
    when its holder's desk stops renewing it (a closed tab, a dropped connection)."""

    TTL = timedelta(seconds=45)

    post = models.OneToOneField(
        "liveblog.Post", on_delete=models.CASCADE, primary_key=True, related_name="edit_lock"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    expires_at = models.DateTimeField()

    objects = EditLockQuerySet.as_manager()

    def __str__(self) -> str:
        return f"post {self.post_id} by {self.user_id}"

    @property
    def is_held(self) -> bool:
        return self.expires_at > timezone.now()


class DeskPresenceQuerySet(models.QuerySet["DeskPresence"]):
    def current(self, blog_id: int) -> DeskPresenceQuerySet:
        cutoff = timezone.now() - DeskPresence.STALE
        return self.filter(blog_id=blog_id, last_seen__gte=cutoff)


class DeskPresence(models.Model):
    """One open desk (a browser tab's staff channel): who is on the desk right now."""

    STALE = timedelta(seconds=40)  # renewed every 15 s while the channel is open

    token = models.CharField(max_length=32, primary_key=True)
    blog = models.ForeignKey("liveblog.LiveBlog", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_seen = models.DateTimeField()

    objects = DeskPresenceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["blog", "last_seen"], name="deskpresence_blog_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.blog_id}"
