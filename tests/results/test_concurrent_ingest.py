"""Two imports at the same moment meet the results' unique constraints (simulated: the
other import's row appears between our check and our insert): each is a clean answer,
never an exception out of the importer."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import IntegrityError

from results.ingest import import_document, store
from results.models import Race, ResultSnapshot

SAMPLE = Path(__file__).parent / "data" / "ap-20151103.json"

pytestmark = pytest.mark.django_db


def test_a_race_created_by_another_import_meanwhile_is_refused_for_this_run(monkeypatch):
    real = store._race

    def raced(plan, part):
        if plan.source_id == "MS-25002":
            raise IntegrityError('duplicate key value violates unique constraint "race_source_id"')
        return real(plan, part)

    monkeypatch.setattr(store, "_race", raced)
    report = import_document(SAMPLE.read_bytes())
    assert report.errors == [
        "races[1] (MS-25002): changed by another import at the same moment; try again"
    ]
    assert list(Race.objects.values_list("source_id", flat=True)) == ["KY-18525"]
    monkeypatch.setattr(store, "_race", real)
    again = import_document(SAMPLE.read_bytes())  # the next poll imports it
    assert again.errors == []
    assert Race.objects.count() == 2


def test_a_snapshot_stored_by_another_import_meanwhile_counts_as_already_stored(monkeypatch):
    import_document(SAMPLE.read_bytes())
    stored = {s.pk for s in ResultSnapshot.objects.all()}
    # The other import got there first: our existence check saw nothing, our insert fails.
    real_first = ResultSnapshot.objects.none().__class__.first
    monkeypatch.setattr(type(ResultSnapshot.objects.all()), "first", lambda self: None)
    again = import_document(SAMPLE.read_bytes())
    monkeypatch.setattr(type(ResultSnapshot.objects.all()), "first", real_first)
    assert again.errors == []
    assert again.duplicates_skipped == 2
    assert {s.pk for s in ResultSnapshot.objects.all()} == stored
