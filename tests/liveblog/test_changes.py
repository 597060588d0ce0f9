"""The per-blog change log: strictly increasing, per blog, under concurrent writers."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, transaction

from liveblog.changes import record_change
from liveblog.models import Change, LiveBlog
from tests import factories


@pytest.mark.django_db
def test_sequence_is_per_blog(blog):
    other = factories.LiveBlogFactory()
    with transaction.atomic():
        a1 = record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
        b1 = record_change(blog_id=other.pk, kind=Change.Kind.SUMMARY)
        a2 = record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
    assert (a1.seq, a2.seq, b1.seq) == (1, 2, 1)
    assert LiveBlog.objects.get(pk=blog.pk).last_seq == 2


@pytest.mark.django_db(transaction=True)
def test_record_change_refuses_to_run_outside_a_transaction(blog):
    with pytest.raises(RuntimeError, match="inside a transaction"):
        record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)


@pytest.mark.django_db
def test_rolled_back_change_leaves_no_trace(blog):
    def record_then_fail() -> None:
        with transaction.atomic():
            record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        record_then_fail()
    with transaction.atomic():
        change = record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
    assert change.seq == 1


@pytest.mark.django_db
def test_changes_after_resumes_from_a_cursor(blog):
    with transaction.atomic():
        for _ in range(5):
            record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
    assert [c.seq for c in Change.objects.after(blog.pk, 2)] == [3, 4, 5]
    assert [c.seq for c in Change.objects.after(blog.pk, 0)[:2]] == [1, 2]
    assert [c.seq for c in Change.objects.after(blog.pk, 1, upto=3)] == [2, 3]
    assert not Change.objects.after(blog.pk, 5).exists()


@pytest.mark.django_db
def test_database_refuses_a_duplicate_sequence(blog):
    from django.db import IntegrityError

    Change.objects.create(blog=blog, seq=1, kind=Change.Kind.SUMMARY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Change.objects.create(blog=blog, seq=1, kind=Change.Kind.SUMMARY)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_let_a_reader_miss_a_change():
    """Eight writers append at once while a reader follows with ``Change.objects.after``.

    Each writer holds its transaction open a little after taking its number, so with a
    sequence that did not commit in order (a global id, say) the reader would see 12
    before 11 commits, move its cursor past 11 and never see it.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    blog = factories.LiveBlogFactory()
    writers, per_writer = 8, 15
    errors: list[BaseException] = []
    done = threading.Event()
    seen: list[int] = []

    def write() -> None:
        try:
            for _ in range(per_writer):
                with transaction.atomic():
                    record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
                    time.sleep(random.uniform(0, 0.004))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def read() -> None:
        cursor = 0
        try:
            while True:
                finished = done.is_set()
                for change in Change.objects.after(blog.pk, cursor):
                    seen.append(change.seq)
                    cursor = change.seq
                if finished:
                    return
                time.sleep(0.001)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()

    total = writers * per_writer
    assert errors == []
    stored = list(Change.objects.filter(blog=blog).order_by("seq").values_list("seq", flat=True))
    assert stored == list(range(1, total + 1))
    assert seen == stored  # the follower saw every change, once, in order
    assert LiveBlog.objects.get(pk=blog.pk).last_seq == total


@pytest.mark.django_db
def test_saving_a_stale_copy_of_a_blog_never_moves_its_sequence_back(blog):
    stale = LiveBlog.objects.get(pk=blog.pk)
    with transaction.atomic():
        record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
    stale.title = "Renamed"
    stale.save()
    fresh = LiveBlog.objects.get(pk=blog.pk)
    assert (fresh.title, fresh.last_seq) == ("Renamed", 1)
    with transaction.atomic():
        assert record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY).seq == 2
