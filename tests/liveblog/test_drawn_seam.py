"""What pages draw from outside the change log (labels, reporters, candidates, races, a
photo's renditions, a blog's own row) reaches the render cache and the position memory
through the seam (``liveblog.signals.drawn_changed``): after commit, never before, and
once per transaction however many rows it saved."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from liveblog import render_cache, services, signals
from liveblog.live import positions
from liveblog.models import Label
from liveblog.signals import drawn_changed
from newsroom.staff.models import Reporter
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Every ``drawn_changed`` sent, as (what, blog_id). (What earlier tests left pending
    is dropped: their transactions never commit, they are rolled back.)"""
    signals._pending.__dict__.clear()
    sent: list[tuple[str, int | None]] = []

    def receiver(what: str, blog_id: int | None, **kwargs: object) -> None:
        sent.append((what, blog_id))

    drawn_changed.connect(receiver, dispatch_uid="test.heard")
    yield sent
    drawn_changed.disconnect(dispatch_uid="test.heard")


def epoch() -> int | None:
    return cache.get(render_cache.EPOCH_KEY)


def test_an_import_saving_many_candidates_moves_the_epoch_once_after_commit(
    heard, django_capture_on_commit_callbacks
):
    race = factories.RaceFactory()
    before = epoch()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            factories.CandidateFactory(race=race, name=f"Candidate {n}")
        race.name = "Renamed"
        race.save()
        assert epoch() == before  # not before commit: a render now would read the old rows
    assert sorted(heard) == [("results.candidate", None), ("results.race", None)]  # once each
    assert epoch() == (before or 0) + 2


def test_a_rolled_back_save_is_sent_with_the_next_commit_never_lost(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                Label.objects.create(name="Georgia", slug="georgia")
                raise RuntimeError("the admin's next step failed")
        except RuntimeError:
            pass
    with django_capture_on_commit_callbacks(execute=True):
        factories.ReporterFactory(user=factories.UserFactory())
    assert sorted(heard) == [  # the label late by one commit: harmless, never missed
        ("liveblog.label", None), (Reporter._meta.label_lower, None),
    ]  # fmt: skip


def test_a_blog_saved_or_deleted_is_forgotten_by_the_position_memory_at_commit(
    blog, heard, django_capture_on_commit_callbacks
):
    positions.clear()
    positions.fetch(blog.slug)
    with django_capture_on_commit_callbacks(execute=True):
        blog.title = "Election night, the count"
        blog.save()
        assert positions.cached(blog.slug) is not None  # not before commit
    assert positions.cached(blog.slug) is None
    assert heard == [("liveblog.liveblog", blog.pk)]


def test_a_change_committed_is_forgotten_at_commit(
    blog, editor, django_capture_on_commit_callbacks
):
    positions.clear()
    positions.fetch(blog.slug)
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_update(blog=blog, by=editor, points=["One"])
        assert positions.cached(blog.slug) is not None
    assert positions.cached(blog.slug) is None
