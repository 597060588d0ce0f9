"""Results over time: accessible server-rendered SVG, on the page and at its own URL."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liveblog.demo.loader import load_demo
from results.charts import history
from results.models import Race
from results.services import CandidateCount, UnitCount, snapshot_record
from tests import factories

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def demo_race():
    load_demo()
    return Race.objects.get(slug="us-president-2024")


def test_demo_history_has_two_points_per_candidate(demo_race):
    data = history(demo_race)
    assert [len(s.points) for s in data.series] == [2, 2]
    harris = data.series[0]
    assert [str(p.share) for p in harris.points] == ["47.5", "48.3"]
    assert [p.votes for p in harris.points] == [67_951_111, 74_332_538]


def test_charts_are_accessible_svg(demo_race):
    data = history(demo_race)
    for chart in (data.votes, data.share):
        root = ET.fromstring(chart.svg)
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby").split()
        assert root.find(f"{SVG}title").get("id") == title_id
        assert root.find(f"{SVG}desc").get("id") == desc_id
        assert len(root.findall(f"{SVG}polyline")) == 2
        assert "Kamala Harris from" in root.find(f"{SVG}desc").text
    assert "47.5% to 48.3%" in data.share.description


def test_race_page_shows_charts_table_and_header(client, demo_race):
    html = client.get("/results/us-president-2024/").content.decode()
    # Each chart once, in the history section (the header's copy had the same ids), and
    # the states' tile map (the demo's race is made of its 51 state contests).
    assert html.count("<svg") == 3
    assert html.count('class="tile-map"') == 1
    assert html.count('id="us-president-2024-votes-title"') == 1
    assert "67,951,111 (47.5%)" in html
    assert "74,332,538 (48.3%)" in html
    assert "TRUMP WINS" in html


def test_race_page_names_the_race_once_and_links_away_not_to_itself(client, demo_race):
    html = client.get("/results/us-president-2024/").content.decode()
    assert html.count(">US presidential election 2024</h") == 1
    assert '<h1 id="results-heading">' in html
    assert 'href="/results/us-president-2024/"' not in html  # no "Full results" to itself
    assert '<a href="/live/us-election-2024/">Follow live: ' in html


def test_charts_have_a_legend_and_time_labels_along_the_axis(client, demo_race):
    html = client.get("/results/us-president-2024/").content.decode()
    legends = re.findall(r'<ul class="chart-legend"[^>]*>(.*?)</ul>', html, re.S)
    assert len(legends) == 2
    for legend in legends:
        names = re.findall(r"</span>([^<]+)</li>", legend)
        assert names == ["Kamala Harris", "Donald Trump"]
        assert "--party: #1a5bb8" in legend
    root = ET.fromstring(history(demo_race).votes.svg)
    ticks = [t.text for t in root.findall(f"{SVG}text")]
    times = [t for t in ticks if re.match(r"\d\d:\d\d", t)]
    assert len(times) == 5
    assert len(times[0].split()) == 4  # "20:00 GMT 6 Nov": the zone once, on the first
    assert all(len(t.split()) in (1, 3) for t in times[1:])
    assert len([t for t in ticks if t not in times]) == 5  # values up the side


def test_live_page_header_links_to_the_history(client, demo_race):
    html = client.get("/live/us-election-2024/").content.decode()
    header = html[html.index('id="results"') : html.index('id="summary"')]
    assert "Results over time" in header
    assert 'href="/results/us-president-2024/"' in header
    assert header.count("<svg") == 3  # the two charts and the states' map


def test_county_breakdown_table(client):
    race = factories.RaceFactory(slug="ky-gov")
    factories.CandidateFactory(race=race, name="Matt Bevin", source_id="1")
    factories.CandidateFactory(race=race, name="Jack Conway", source_id="2")
    snapshot_record(
        race=race,
        as_of=datetime(2015, 11, 3, 23, tzinfo=UTC),
        source="AP",
        source_seq="1",
        counts=[CandidateCount("1", 511_771), CandidateCount("2", 426_944)],
        units=[
            UnitCount(
                "21001", "Adair", {"1": 4_279, "2": 1_475}, units_reporting=15, units_total=15
            )
        ],
    )
    html = client.get("/results/ky-gov/").content.decode()
    assert re.search(
        r"<th scope=\"row\">Adair</th><td>15/15</td><td>4,279</td><td>1,475</td>", html
    )


def test_history_costs_the_same_for_many_snapshots(demo_race):
    def add(count: int, start: int) -> None:
        for i in range(count):
            snapshot_record(
                race=demo_race,
                as_of=datetime(2024, 11, 7, 1, tzinfo=UTC) + timedelta(minutes=start + i),
                source="test",
                source_seq=str(start + i),
                counts=[
                    CandidateCount("Kamala Harris", 75_000_000 + i),
                    CandidateCount("Donald Trump", 77_000_000 + i),
                ],
            )

    with CaptureQueriesContext(connection) as few:
        history(demo_race)
    add(30, 0)
    with CaptureQueriesContext(connection) as many:
        data = history(demo_race)
    assert len(few) == len(many)
    assert len(data.series[0].points) == 32


def test_unknown_race_is_not_found(client, db):
    assert client.get("/results/nope/").status_code == 404


def test_ap_races_count_precincts_to_go(client, blog):
    from pathlib import Path

    from results.ingest import import_document

    sample = Path(__file__).parent / "data" / "ap-20151103.json"
    report = import_document(sample.read_bytes(), filename=sample.name)
    assert report.ok, report.errors
    mississippi = Race.objects.get(source_id__startswith="MS-")
    assert mississippi.unit_label == "precinct"
    html = client.get(f"/results/{mississippi.slug}/").content.decode()
    assert "14 precincts to go" in html
