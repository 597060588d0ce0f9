"""AP Elections API v3, read beside v2 and told apart by shape (``data/ap/README.md``
says what the document is): the figures, the calls and the expected vote as sent."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from results.ingest import import_document
from results.models import Race, ResultSnapshot

pytestmark = pytest.mark.django_db
V3 = Path(__file__).parent / "data" / "ap" / "v3-2024-11-05-pa.json"


def document() -> dict[str, Any]:
    return json.loads(V3.read_text())


def importing(doc: dict[str, Any]) -> Any:
    return import_document(json.dumps(doc))


def test_a_v3_document_is_read_as_v3_with_its_figures_calls_and_expected_vote(client):
    doc = document()
    report = importing(doc)
    assert report.ok, report.errors
    assert report.format == "AP Elections API v3"
    assert report.warnings == []
    for race in doc["races"]:
        top, *counties = race["reportingUnits"]
        stored = Race.objects.get(source_id=f"PA-{race['raceID']}", election_date="2024-11-05")
        snapshot = ResultSnapshot.objects.latest_of(stored.pk)
        votes = {r.candidate.source_id: r.popular_votes for r in snapshot.results.all()}
        assert votes == {c["candidateID"]: c["voteCount"] for c in top["candidates"]}
        assert (snapshot.units_reporting, snapshot.units_total) == (
            top["precinctsReporting"], top["precinctsTotal"])  # fmt: skip
        assert snapshot.expected_vote == Decimal(str(race.get("eevp", top["eevp"])))
        units = {u.source_id: u for u in snapshot.units.all()}
        assert set(units) == {u["reportingunitID"] for u in counties}
        for county in counties:
            row = units[county["reportingunitID"]]
            assert (row.level, row.fips_code) == ("county", county["fipsCode"])
            by_id = {str(c.pk): c.source_id for c in stored.candidates.all()}
            assert {by_id[k]: v for k, v in row.votes.items()} == {
                c["candidateID"]: c["voteCount"] for c in county["candidates"]
            }
        assert (snapshot.call_status, snapshot.tabulation) == (
            race["raceCallStatus"], race["tabulationStatus"])  # fmt: skip
        winners = [c["candidateID"] for c in top["candidates"] if c.get("winner") == "X"]
        calls = list(stored.calls.filter(withdrawn_at__isnull=True))
        assert [c.candidate.source_id for c in calls] == winners
    president = Race.objects.get(source_id="PA-41633")
    assert president.electoral_votes == 19
    house = Race.objects.get(source_id="PA-41761")
    assert house.candidates.get(name="Susan Wild").incumbent
    # Readers are told how much of the expected vote is in, where AP gives it.
    page = client.get(f"/results/{house.slug}/").content.decode()
    assert "About 61% of the expected vote counted" in page
    assert "180 precincts to go" in page
    assert '<p class="results-status">Too early to call</p>' in page
    called = client.get(f"/results/{president.slug}/").content.decode()
    assert 'class="results-status"' not in called  # AP's "Called" waits for an editor


@pytest.mark.parametrize("value", [7, "x" * 61, ["Called"]])
def test_a_status_that_is_not_a_short_text_is_left_out_with_a_warning(value):
    doc = document()
    doc["races"][1]["raceCallStatus"] = value
    report = importing(doc)
    assert report.ok, report.errors
    assert any("raceCallStatus" in w and "not a status AP sends" in w for w in report.warnings)
    house = Race.objects.get(source_id="PA-41761")
    assert ResultSnapshot.objects.latest_of(house.pk).call_status == ""


def test_v2_documents_are_still_read_as_v2():
    doc = document()
    del doc["apiVersion"]
    for race in doc["races"]:
        for key in ("eevp", "tabulationStatus", "raceCallStatus"):
            race.pop(key, None)
        for unit in race["reportingUnits"]:
            unit.pop("eevp", None)
            unit.pop("reportingunitLevel", None)
            unit["level"] = "state" if "reportingunitName" not in unit else "subunit"
    report = importing(doc)
    assert report.ok, report.errors
    assert report.format == "AP Elections API v2"
    assert ResultSnapshot.objects.filter(expected_vote__isnull=False).count() == 0


@pytest.mark.parametrize("eevp", [101, -1, "lots", True])
def test_an_expected_vote_that_is_not_a_share_is_left_out_with_a_warning(eevp):
    doc = document()
    doc["races"][0]["eevp"] = eevp
    report = importing(doc)
    assert report.ok, report.errors
    assert any("eevp" in w and "not a share of 0 to 100" in w for w in report.warnings)
    president = Race.objects.get(source_id="PA-41633")
    assert ResultSnapshot.objects.latest_of(president.pk).expected_vote is None
