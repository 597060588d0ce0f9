"""Setting a blog's results up from the wire: ticked or typed, in one step, editors only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.synthetic import presidential_document
from liveblog.models import Change
from results.ingest import import_document
from results.models import Race

pytestmark = pytest.mark.django_db
T = datetime(2024, 11, 6, 3, 12, tzinfo=UTC)


@pytest.fixture
def wire():
    doc = presidential_document(["PA", "GA", "MI"], at=T, counties=2)
    assert import_document(json.dumps(doc).encode()).ok
    return Race.objects.get(level="national")


def url(blog):
    return f"/admin/desk/{blog.slug}/races/"


def test_the_wire_lists_the_national_race_first_with_its_states(editor_client, blog, wire):
    page = editor_client.get(url(blog)).content.decode()
    assert f"<strong>{wire.name}</strong> (national: 3 state contests so far of 51)" in page
    assert "Pennsylvania President" not in page  # its states come with it, not listed apart


def test_one_step_shows_a_national_race_and_its_states(editor_client, blog, wire):
    before = Change.objects.filter(blog=blog).count()
    answer = editor_client.post(url(blog), {"races": [wire.pk]})
    assert answer.status_code == 302
    assert answer["Location"] == f"/admin/desk/{blog.slug}/"
    assert list(blog.races.all()) == [wire]
    assert Change.objects.filter(blog=blog, kind=Change.Kind.RESULTS).count() == 1
    page = editor_client.get(blog.get_absolute_url()).content.decode()
    assert page.count("<tr data-state=") == 3
    # Again: nothing new, nothing announced.
    editor_client.post(url(blog), {"races": [wire.pk]})
    assert Change.objects.filter(blog=blog).count() == before + 1


def test_typed_ap_race_ids_are_found_and_unknown_ones_said(editor_client, blog, wire):
    pa = Race.objects.get(state_postal="PA", level="state")
    refused = editor_client.post(url(blog), {"ids": f"{pa.source_id}, XX-999"})
    assert refused.status_code == 400
    assert "Not in any imported document yet: XX-999" in refused.content.decode()
    assert not blog.races.exists()  # nothing half done
    answer = editor_client.post(url(blog), {"ids": pa.source_id.lower()})
    assert answer.status_code == 302
    assert list(blog.races.all()) == [pa]


def test_too_many_typed_ids_are_refused_whole_in_one_query(editor_client, blog, wire):
    refused = editor_client.post(url(blog), {"ids": " ".join(f"PA-{n}" for n in range(61))})
    assert refused.status_code == 400
    assert "Type at most 60 race ids at a time (61 typed)." in refused.content.decode()
    assert not blog.races.exists()
    ids = list(Race.objects.filter(level="state").values_list("source_id", flat=True))
    costs = []
    for typed in (ids[:1], ids):  # one id, then three: the same number of queries
        blog.races.clear()
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.post(url(blog), {"ids": " ".join(typed)}).status_code == 302
        costs.append(len(queries))
    assert costs[0] == costs[1]
    assert blog.races.count() == 3


def test_an_empty_choice_says_what_is_missing(editor_client, blog, wire):
    answer = editor_client.post(url(blog), {})
    assert answer.status_code == 400
    assert "Tick a race, or type its AP race id." in answer.content.decode()


def test_reporters_cannot_choose_the_races(reporter_client, blog, wire):
    assert reporter_client.get(url(blog)).status_code == 403
    assert reporter_client.post(url(blog), {"races": [wire.pk]}).status_code == 403
    assert not blog.races.exists()


def test_the_desk_lists_waiting_calls_and_only_the_latest_shown(editor_client):
    """The demo's national race and its 51 states: 52 calls readers see. The desk lists
    the latest 5 and links to the rest, so the timeline stays a few Tabs away."""
    from liveblog.demo.loader import load_demo

    blog = load_demo().blog
    page = editor_client.get(f"/admin/desk/{blog.slug}/").content.decode()
    assert page.count('class="desk-call"') == 5
    assert "47 earlier calls shown on the pages: all winner calls" in page
