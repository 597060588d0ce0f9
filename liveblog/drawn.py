"""The rows pages draw from outside the change log, turned into the seam's
``drawn_changed`` (``liveblog.signals``): a label, a reporter (byline, headshot), a
candidate, a race, a blog's own row. The only module that listens to their saves; the
render cache and the position memory subscribe to the seam, after commit, once per
transaction however many rows an import or an admin page saved."""

from __future__ import annotations

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from newsroom.staff.models import Reporter
from results.models import Candidate, Race

from .models import Label, LiveBlog
from .signals import announce_drawn

DRAWN_ON_EVERY_PAGE: tuple[type[Model], ...] = (Label, Reporter, Candidate, Race)


def _on_every_page(sender: type[Model], instance: Model, **kwargs: object) -> None:
    announce_drawn(sender._meta.label_lower)


def _blog(sender: type[LiveBlog], instance: LiveBlog, **kwargs: object) -> None:
    announce_drawn(sender._meta.label_lower, instance.pk)


def connect() -> None:
    """Connected once, by ``LiveblogConfig.ready``."""
    for model in DRAWN_ON_EVERY_PAGE:
        post_save.connect(_on_every_page, sender=model, dispatch_uid="liveblog.drawn")
        post_delete.connect(_on_every_page, sender=model, dispatch_uid="liveblog.drawn")
    post_save.connect(_blog, sender=LiveBlog, dispatch_uid="liveblog.drawn")
    post_delete.connect(_blog, sender=LiveBlog, dispatch_uid="liveblog.drawn")
