"""A national race's states on the results page and, collapsed, under the live page's
header: a table (state, electoral votes, leader and margin, reporting, the call) and an
equal-tile SVG map, both drawn on the server and redrawn through the change log."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from benchmarks.synthetic import presidential_document
from liveblog.live.operations import render_new
from liveblog.models import Change
from results import services
from results.ingest import import_document
from results.models import Race
from results.selectors import state_rows
from results.tilemap import describe, tile_map

pytestmark = pytest.mark.django_db
T = datetime(2024, 11, 6, 3, 12, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def national(blog):
    doc = presidential_document(["PA", "GA", "MI", "ME"], at=T, reporting=0.9, counties=3,
                                calls={"PA": 1, "GA": 1})  # fmt: skip
    report = import_document(json.dumps(doc).encode())
    assert report.ok, report.errors
    race = Race.objects.get(level="national")
    blog.races.add(race)
    return race


def confirm(postal, by):
    call = Race.objects.get(state_postal=postal).calls.get(withdrawn_at=None)
    return services.winner_confirm(call=call, by=by)


def test_rows_say_leader_margin_reporting_and_call(national, second_editor):
    confirm("PA", second_editor)
    rows = {row.postal: row for row in state_rows(national)}
    assert list(rows) == ["GA", "ME", "MI", "PA"]
    pa = rows["PA"]
    assert (pa.name, pa.electoral_votes, pa.called) == ("Pennsylvania", 19, True)
    assert pa.call.candidate.name == "Donald Trump"
    assert pa.leader is not None
    assert pa.margin is not None
    assert pa.reporting is not None
    assert 80 < pa.reporting < 100
    assert not rows["GA"].called  # AP's call waits for an editor
    assert describe(pa) == "Pennsylvania, 19 electoral votes: called for Donald Trump"
    assert describe(rows["MI"]).startswith("Michigan, 15 electoral votes: not yet called, ")


def test_the_tile_map_is_accessible_svg_coloured_by_call(national, second_editor):
    confirm("PA", second_editor)
    root = ET.fromstring(tile_map(state_rows(national)))
    assert (root.get("role"), root.get("aria-label")) == ("group", "Map of the states")
    tiles = {g.get("data-state"): g for g in root.iter(f"{SVG}g")}
    assert set(tiles) == {"PA", "GA", "MI", "ME"}
    for tile in tiles.values():
        assert tile.get("role") == "img"
        assert tile.get("aria-label") == tile.find(f"{SVG}title").text  # its own words
    trump = national.candidates.get(name="Donald Trump").colour
    assert tiles["PA"].find(f"{SVG}rect").get("fill") == trump  # called: the party's colour
    assert "is-leading" in tiles["GA"].get("class")  # a lead: a lighter tint
    assert tiles["GA"].find(f"{SVG}rect").get("fill") not in (trump, "#d9d9d9")
    widths = {t.find(f"{SVG}rect").get("width") for t in tiles.values()}
    assert widths == {"44"}  # equal tiles


def test_a_hostile_state_name_is_escaped_in_the_map(national):
    race = Race.objects.get(state_postal="MI")
    race.state_postal = '<b x="1">'
    race.name = "<script>alert(1)</script>"
    race.save()
    rows = state_rows(national)
    svg = tile_map(rows)
    ET.fromstring(svg)  # still well-formed
    assert "<script>" not in svg


def test_results_page_shows_the_states_open_and_the_live_page_collapsed(client, national, blog):
    page = client.get(f"/results/{national.slug}/").content.decode()
    assert '<details class="results-states" data-states open>' in page
    assert page.count("<tr data-state=") == 4
    assert "Not yet called" in page
    assert "51 states to call" in page  # of all the presidency's contests
    assert 'src="/static/results/states.js"' in page
    live = client.get(blog.get_absolute_url()).content.decode()
    header = live[live.index('id="results"') : live.index('id="summary"')]
    assert '<details class="results-states" data-states>' in header  # collapsed
    assert "States: 0 called, 51 to call" in header
    rows = re.findall(r'<tr data-state="(\w+)"', header)
    assert rows == ["GA", "ME", "MI", "PA"]


def test_a_confirmed_state_call_reaches_open_pages_through_the_change_log(
    national, blog, second_editor
):
    before = Change.objects.filter(blog=blog).count()
    seq = Change.objects.filter(blog=blog).order_by("-seq").values_list("seq", flat=True).first()
    confirm("PA", second_editor)
    assert Change.objects.filter(blog=blog).count() == before + 1  # the roll-up's one change
    [event] = render_new(blog.pk, seq or 0)
    assert 'data-op="replace" data-target="results"' in event.html
    assert "Called for Donald Trump by AP at " in event.html
    assert "States: 1 called, 50 to call" in event.html
