"""The wire on record (issue 29): every document the poller fetched is kept as it came,
compressed, with when it arrived and its ETag; a repeat keeps no second copy; the oldest
go after NEWSROOM_RESULTS_RECORD_DAYS; ``manage.py recordings`` lists and exports them."""

from __future__ import annotations

import gzip
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from results import recording
from results.models import WireDocument
from results.tasks import poll_feed

pytestmark = pytest.mark.django_db


def test_each_fetched_document_is_kept_as_it_came(feed, settings):
    settings.NEWSROOM_RESULTS_FEED_URL += "?apiKey=secret-key&level=state"

    poll_feed()

    [kept] = WireDocument.objects.all()
    assert recording.body_of(kept) == feed.body
    assert kept.size == len(feed.body)
    assert kept.etag == '"v1"'
    assert str(kept.election_date) == "2015-11-03"
    assert "secret-key" not in kept.source
    assert kept.source.endswith("/v2/elections/2015-11-03")
    assert "snapshot" in kept.outcome  # what the import said
    assert len(bytes(kept.body)) < len(feed.body) / 3  # compressed


def test_an_unchanged_feed_answering_304_records_nothing(feed):
    poll_feed()
    poll_feed()  # If-None-Match: 304
    assert WireDocument.objects.count() == 1


def test_a_repeat_keeps_no_second_copy(feed, settings):
    poll_feed()
    feed.etag = '"v2"'  # a feed that changes its ETag but not its body
    poll_feed()

    first, second = WireDocument.objects.all()
    assert second.same_as_id == first.pk
    assert second.body is None
    assert recording.body_of(second) == feed.body


def test_the_oldest_go_after_the_retention_but_not_what_a_kept_one_repeats(settings):
    settings.NEWSROOM_RESULTS_RECORD_DAYS = 2
    now = timezone.now()
    old = recording.record("https://feed.example/v2", b'{"a": 1}', at=now - timedelta(days=5))
    repeated = recording.record("https://feed.example/v2", b'{"b": 2}', at=now - timedelta(days=4))
    again = recording.record("https://feed.example/v2", b'{"b": 2}', at=now)

    assert again is not None
    assert repeated is not None
    assert old is not None
    assert again.same_as_id == repeated.pk
    assert list(WireDocument.objects.values_list("pk", flat=True)) == [repeated.pk, again.pk]
    assert recording.body_of(again) == b'{"b": 2}'


def test_recording_can_be_turned_off(feed, settings):
    settings.NEWSROOM_RESULTS_RECORD_DAYS = 0
    poll_feed()
    assert not WireDocument.objects.exists()


def test_a_recording_that_fails_never_stops_the_import(feed, monkeypatch):
    from results.models import ResultSnapshot

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(recording, "record", broken)
    poll_feed()
    assert ResultSnapshot.objects.exists()


def test_the_command_lists_and_exports_the_record(feed, tmp_path):
    poll_feed()
    out = StringIO()
    call_command("recordings", stdout=out)
    listed = out.getvalue()
    assert "2015-11-03" in listed
    assert "1 document," in listed
    assert "stored" in listed

    call_command("recordings", "--election", "2015-11-03", "--export", str(tmp_path),
                 stdout=StringIO())  # fmt: skip
    [written] = list(tmp_path.iterdir())
    assert written.read_bytes() == feed.body
    assert gzip.decompress(gzip.compress(feed.body)) == feed.body
