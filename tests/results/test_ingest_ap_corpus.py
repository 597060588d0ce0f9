"""Every real AP v2 document of the corpus imports, and what is stored is what it says:
county, town, district, primary, caucus and uncontested races, and AP's test flag."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from results.ingest import import_document
from results.models import Candidate, Race, ResultSnapshot, SnapshotUnit, WinnerCall

from .ap_corpus import assert_stored_as_sent, load, stored_race, top_unit

pytestmark = pytest.mark.django_db


def importing(doc, **kwargs):
    return import_document(json.dumps(doc).encode(), **kwargs)


@pytest.mark.parametrize("name", ["county", "town", "mail ballots", "caucus", "district"])
def test_each_real_document_imports_whole_with_its_own_numbers(name):
    doc = load(name)
    report = importing(doc, allow_test=True)
    assert report.ok, report.errors[:5]
    with_units = [r for r in doc["races"] if r.get("reportingUnits")]
    assert report.snapshots_created == len(with_units)
    assert assert_stored_as_sent(doc) == len(with_units)
    assert report.uncontested == len(doc["races"]) - len(with_units)


def test_the_town_document_in_detail():
    """Connecticut by town, primaries with a dozen candidates, an uncontested race with
    no units, a race that leaves its raceType out: one import, looked at closely."""
    doc = load("town")
    report = importing(doc, allow_test=True)

    # A race for several seats: imported, its winners left to the editors, said so.
    assert Race.objects.get(source_id="MD-22417").snapshots.count() == 1
    assert any(w.startswith("races[") and "(MD-22417): AP marks 3 winners in a race for 4 "
               "seats; a call names one winner" in w for w in report.warnings)  # fmt: skip

    # Towns share their county's FIPS code; reportingunitID tells them apart.
    race = next(r for r in doc["races"] if r["raceID"] == "7002")  # CT's Republican primary
    stored = stored_race(race, doc)
    assert stored.name == "Connecticut President, Republican primary"
    assert (stored.race_type, stored.party, stored.state_postal) == ("Primary", "GOP", "CT")
    units = SnapshotUnit.objects.filter(snapshot__race=stored)
    assert units.count() == 169  # Connecticut's towns
    assert set(units.values_list("level", flat=True)) == {"town"}
    assert Counter(units.values_list("fips_code", flat=True))["09003"] > 1  # Hartford County
    assert units.values("source_id").distinct().count() == 169

    # A dozen candidates and more, some without a first name.
    biggest = max((r for r in doc["races"] if r.get("reportingUnits")),
                  key=lambda r: len(top_unit(r)["candidates"]))  # fmt: skip
    assert stored_race(biggest, doc).candidates.count() == len(top_unit(biggest)["candidates"])
    assert len(top_unit(biggest)["candidates"]) >= 12
    nameless = {c["last"] for r in doc["races"] if r.get("reportingUnits")
                for c in top_unit(r)["candidates"] if not c.get("first")}  # fmt: skip
    assert "Uncommitted" in nameless
    assert Candidate.objects.filter(name="Uncommitted").exists()
    assert not Candidate.objects.filter(name__startswith=" ").exists()

    # Uncontested, sent without units: kept, with nothing counted.
    uncontested = Race.objects.get(source_id="PA-39728")
    assert uncontested.uncontested
    assert uncontested.name == "PA State House, District 30, Democratic primary"
    assert not uncontested.snapshots.exists()

    # raceType left out: read from raceTypeID ("D": a Democratic primary).
    typeless = [r for r in doc["races"] if "raceType" not in r]
    assert typeless
    for race in typeless:
        assert Race.objects.get(source_id__endswith=f"-{race['raceID']}").race_type == "Primary"


def test_iowa_caucus_districts_are_their_own_level():
    doc = load("district")
    report = importing(doc)  # not test races: no flag needed
    assert report.ok, report.errors
    dem = Race.objects.get(source_id="IA-16672")
    assert dem.name == "Iowa President, Democratic caucus"
    units = SnapshotUnit.objects.filter(snapshot__race=dem)
    assert sorted(units.values_list("name", flat=True)) == [
        "At Large", "District 1", "District 2", "District 3", "District 4", "PLEO"]  # fmt: skip
    assert set(units.values_list("level", flat=True)) == {"district"}
    assert {c.race.source_id: c.candidate.name for c in WinnerCall.objects.all()} == {
        "IA-16672": "Hillary Clinton", "IA-16957": "Ted Cruz"}  # fmt: skip


def test_test_races_wait_for_a_rehearsal_flag():
    doc = load("caucus")
    report = importing(doc)
    assert report.snapshots_created == 0
    assert len(report.warnings) == len(doc["races"]) == 7
    assert all('an AP test race ("test": true), not imported' in w for w in report.warnings)
    assert not Race.objects.exists()


def test_two_moments_of_one_night_the_later_one_is_what_readers_see():
    early, late = load("town"), load("mail ballots")
    importing(early, allow_test=True)
    report = importing(late, allow_test=True)
    assert report.ok
    assert report.races_created == 0
    mail = Race.objects.get(source_id="RI-40002")
    latest = ResultSnapshot.objects.latest_of(mail.pk)
    assert latest.units.filter(name="Mail Ballots C.D. 1", fips_code="").exists()
    # Importing the earlier moment again changes nothing readers see.
    again = importing(early, allow_test=True)
    assert again.snapshots_created == 0
    assert ResultSnapshot.objects.latest_of(mail.pk) == latest


def test_runoff_flags_are_kept_and_are_not_calls(client):
    doc = load("district")
    race = doc["races"][1]  # Iowa's Republican caucus
    for unit in race["reportingUnits"]:
        for candidate in unit["candidates"][:2]:
            candidate["winner"] = "R"  # both advance to a runoff
    report = importing(doc)
    assert report.ok, report.errors
    stored = Race.objects.get(source_id="IA-16957")
    assert not stored.calls.exists()
    latest = ResultSnapshot.objects.latest_of(stored.pk)
    assert sorted(latest.results.filter(runoff=True).values_list("candidate__name", flat=True)
                  ) == ["Donald Trump", "Ted Cruz"]  # fmt: skip
    page = client.get(f"/results/{stored.slug}/").content.decode()
    assert page.count("Advances to a runoff") == 2


def test_a_winner_flag_ap_does_not_document_imports_with_a_warning_and_no_call():
    doc = load("district")
    doc["races"][1]["reportingUnits"][0]["candidates"][0]["winner"] = "yes"
    report = importing(doc)
    assert report.ok, report.errors
    assert report.warnings == [
        'races[1] (IA-16957) reportingUnits[0].candidates[0].winner: "yes" is not a value AP '
        'documents ("X" called, "R" runoff, "N" not the winner); read as no call'
    ]
    stored = Race.objects.get(source_id="IA-16957")  # the race imports, with AP's figures
    assert assert_stored_as_sent(doc) == len(doc["races"])
    assert not stored.calls.exists()


def test_two_winners_in_a_race_for_one_seat_refuse_that_race_only_by_path():
    doc = load("district")
    for candidate in doc["races"][1]["reportingUnits"][0]["candidates"][:2]:
        candidate["winner"] = "X"
    report = importing(doc)
    assert report.errors == [
        'races[1] (IA-16957) reportingUnits[0].candidates: AP marks 2 winners ("X": '
        + ", ".join(
            c["candidateID"] for c in doc["races"][1]["reportingUnits"][0]["candidates"][:2]
        )
        + ") in a race for 1 seat"
    ]
    assert Race.objects.filter(source_id="IA-16672").exists()  # the other race imports
    assert not Race.objects.filter(source_id="IA-16957").exists()


def test_a_real_primary_with_not_the_winner_flags_imports_whole_with_the_call():
    """The document that was refused whole: AP's "N" on every runner-up of the called
    Massachusetts Democratic primary, in all its 352 units."""
    doc = load("super tuesday")
    flags = Counter(c.get("winner") for race in doc["races"] for unit in race["reportingUnits"]
                    for c in unit["candidates"])  # fmt: skip
    assert flags["N"] == 352  # the document is the one with the flag
    report = importing(doc)
    assert report.ok, report.errors
    assert report.warnings == []
    assert report.races_created == 2
    assert assert_stored_as_sent(doc) == 2  # AP's figures, every town, and AP's calls
    democratic = Race.objects.get(source_id="MA-24548")
    assert democratic.calls.get().candidate.name == "Hillary Clinton"
    assert democratic.party == "Dem"
    units = ResultSnapshot.objects.latest_of(democratic.pk).units
    assert units.count() == 351
    assert units.filter(level="town").count() == 351


def test_incumbency_is_kept_and_follows_the_feed():
    doc = load("county")
    race = doc["races"][0]
    first = race["reportingUnits"][0]["candidates"][0]
    first["incumbent"] = True
    importing(doc)
    stored = Candidate.objects.get(source_id=first["candidateID"], race=stored_race(race, doc))
    assert stored.incumbent
    first["incumbent"] = "maybe"  # not a value AP documents: read as false, with a warning
    for unit in race["reportingUnits"]:
        unit["lastUpdated"] = "2015-11-04T09:00:00Z"
    report = importing(doc)
    assert any("incumbent: expected true or false" in w for w in report.warnings)
    stored.refresh_from_db()
    assert not stored.incumbent
