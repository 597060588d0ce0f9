"""A presidential election arrives as one race per state; the national race adds them up:
electoral votes from confirmed calls (districts included), the threshold from the states,
the popular vote and its share, and the states still to call."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from benchmarks.synthetic import presidential_document
from results import services
from results.ingest import import_document
from results.models import Race, ResultSnapshot
from results.rollup import SOURCE
from tests import factories

from .ap_corpus import assert_stored_as_sent

pytestmark = pytest.mark.django_db
T = datetime(2024, 11, 6, 3, 12, tzinfo=UTC)
STATES = ["PA", "GA", "MI", "ME", "NE"]
SPLIT = {"At Large": 0, "District 1": 0, "District 2": 1}  # Maine: Harris 3, Trump 1
HARRIS, TRUMP = 0, 1


CALLS = {"PA": TRUMP, "GA": TRUMP, "ME": SPLIT}


def document(**kwargs):
    return presidential_document(STATES, at=T, reporting=0.9, counties=6, calls=CALLS, **kwargs)


def importing(doc):
    report = import_document(json.dumps(doc).encode())
    assert report.ok, report.errors
    return report


def national() -> Race:
    return Race.objects.get(level="national")


def figures(race: Race) -> dict[str, tuple[int, int | None]]:
    snapshot = ResultSnapshot.objects.latest_of(race.pk)
    return {r.candidate.name: (r.popular_votes, r.electoral_votes)
            for r in snapshot.results.select_related("candidate")}  # fmt: skip


def confirm(postal: str, editor, second_editor):
    call = Race.objects.get(state_postal=postal, level="state").calls.get(withdrawn_at=None)
    services.winner_confirm(call=call, by=second_editor)
    return call


def test_per_state_presidential_documents_import_with_their_electoral_votes():
    doc = document()
    importing(doc)
    assert assert_stored_as_sent(doc) == len(STATES)
    pa = Race.objects.get(state_postal="PA", level="state")
    assert (pa.name, pa.electoral_votes, pa.race_type, pa.threshold) == (
        "Pennsylvania President", 19, "General", None)  # fmt: skip
    assert pa.parent == national()
    assert figures(pa)["Donald Trump"][1] == 19
    maine = Race.objects.get(state_postal="ME")
    assert {k: v[1] for k, v in figures(maine).items()} == {
        "Kamala Harris": 3, "Donald Trump": 1, "Jill Stein": 0, "Chase Oliver": 0,
        "Write-ins": 0}  # fmt: skip
    districts = ResultSnapshot.objects.latest_of(maine.pk).units.filter(level="district")
    assert sorted(districts.values_list("name", flat=True)) == [
        "At Large", "District 1", "District 2"]  # fmt: skip
    # AP's calls wait for an editor: pending, one per called state.
    pending = {c.race.state_postal for c in pa.calls.model.objects.filter(confirmed_at=None)}
    assert pending == {"PA", "GA", "ME"}


def test_the_national_race_adds_up_the_states(editor, second_editor):
    doc = document()
    importing(doc)
    race = national()
    assert (race.name, race.level, race.threshold, race.units_total) == (
        "United States President 2024",
        "national",
        270,
        51,
    )  # the office's totals, whichever states have reported: 538 at stake, 51 contests
    states = {r["reportingUnits"][0]["statePostal"]: r["reportingUnits"][0] for r in doc["races"]}
    votes = {name: sum(c["voteCount"] for s in states.values() for c in s["candidates"]
                       if f"{c.get('first', '')} {c['last']}".strip() == name)
             for name in ("Kamala Harris", "Donald Trump")}  # fmt: skip
    snapshot = ResultSnapshot.objects.latest_of(race.pk)
    assert snapshot.source == SOURCE
    total = sum(c["voteCount"] for s in states.values() for c in s["candidates"])
    assert snapshot.total_votes == total
    assert figures(race)["Kamala Harris"] == (votes["Kamala Harris"], 0)  # nothing confirmed
    assert figures(race)["Donald Trump"] == (votes["Donald Trump"], 0)
    shares = services.shares(snapshot)
    harris = race.candidates.get(name="Kamala Harris")
    assert str(shares[harris.pk]) == str(round(votes["Kamala Harris"] * 100 / total, 1))
    assert snapshot.results_to_go == 51  # states to call, of all the office's contests
    assert set(snapshot.units.values_list("source_id", flat=True)) == set(STATES)

    # Editors confirm Pennsylvania and Maine: their electoral votes count, districts too.
    pa_call = confirm("PA", editor, second_editor)
    confirm("ME", editor, second_editor)
    assert figures(race)["Donald Trump"][1] == 19 + 1
    assert figures(race)["Kamala Harris"][1] == 3
    assert ResultSnapshot.objects.latest_of(race.pk).results_to_go == 49

    # Withdrawing Pennsylvania's call takes its 19 back off the national count.
    services.winner_withdraw(call=pa_call, by=editor, reason="Called too early")
    assert figures(race)["Donald Trump"][1] == 1
    assert ResultSnapshot.objects.latest_of(race.pk).results_to_go == 50


def test_a_national_race_without_office_totals_adds_up_the_states_seen(editor, second_editor):
    """An office the project knows no totals for (or whose totals an editor cleared):
    the threshold and the contests are the states' own, as they arrive."""
    importing(document())
    Race.objects.filter(level="national").update(at_stake=None, contests=None)
    confirm("PA", editor, second_editor)  # any change adds the race up again
    race = national()
    assert (race.threshold, race.units_total) == (30, 5)  # 59 at stake: 30 to win
    assert ResultSnapshot.objects.latest_of(race.pk).results_to_go == 4


def test_a_called_state_without_electwon_gives_all_its_votes_to_the_winner(editor, second_editor):
    doc = document()
    for race in doc["races"]:
        for candidate in race["reportingUnits"][0]["candidates"]:
            candidate.pop("electWon", None)
    importing(doc)
    confirm("GA", editor, second_editor)
    assert figures(national())["Donald Trump"][1] == 16


def test_reimporting_the_same_documents_adds_nothing(editor, second_editor):
    doc = document()
    importing(doc)
    before = ResultSnapshot.objects.filter(race=national()).count()
    report = importing(doc)
    assert (report.snapshots_created, report.duplicates_skipped) == (0, len(STATES))
    assert ResultSnapshot.objects.filter(race=national()).count() == before


def test_a_later_document_moves_the_national_count_once():
    importing(document())
    before = ResultSnapshot.objects.filter(race=national()).count()
    later = presidential_document(STATES, at=T.replace(hour=4), reporting=1.0, counties=6)
    importing(later)
    assert ResultSnapshot.objects.filter(race=national()).count() == before + 1  # one, not 5


def test_the_candidate_past_the_threshold_gets_a_pending_national_call(editor, second_editor):
    red = [
        "TX",
        "FL",
        "PA",
        "GA",
        "NC",
        "OH",
        "MI",
        "WI",
        "AZ",
        "IN",
        "TN",
        "MO",
        "SC",
        "AL",
        "KY",
        "LA",
        "OK",
        "AR",
        "MS",
        "KS",
        "UT",
        "IA",
    ]
    everyone = presidential_document(None, at=T, counties=1, calls=dict.fromkeys(red, TRUMP))
    importing(everyone)
    race = national()
    assert (race.threshold, race.units_total) == (270, 51)
    for call in race.states.get(state_postal="TX").calls.model.objects.filter(
        race__parent=race, confirmed_at=None
    ):
        services.winner_confirm(call=call, by=second_editor)
    trump_ev = figures(race)["Donald Trump"][1]
    assert trump_ev >= 270
    call = race.calls.get(withdrawn_at=None)
    assert (call.candidate.name, call.confirmed_at, call.called_by) == ("Donald Trump", None, None)


def test_an_editor_sets_up_a_national_race_from_typed_state_races(client, editor):
    client.force_login(editor)
    states = []
    for postal, votes, ev in (("PA", 19, (100, 120)), ("MI", 15, (90, 80)), ("WI", 10, (50, 40))):
        race = factories.RaceFactory(name=f"{postal} President", state_postal=postal,
                                     electoral_votes=votes, threshold=None)  # fmt: skip
        factories.CandidateFactory(race=race, name="Kamala Harris", party="Democratic")
        factories.CandidateFactory(race=race, name="Donald Trump", party="Republican")
        services.snapshot_record(race=race, as_of=T, source="Desk", source_seq="1", counts=[
            services.CandidateCount("Kamala Harris", ev[0]),
            services.CandidateCount("Donald Trump", ev[1])])  # fmt: skip
        states.append(race)
    response = client.post(reverse("admin:results_race_add"), {
        "name": "US President", "slug": "us-president", "office": "President",
        "level": "national", "threshold_unit": "electoral votes", "unit_label": "state",
        "candidates-TOTAL_FORMS": "0", "candidates-INITIAL_FORMS": "0"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    us = Race.objects.get(slug="us-president")
    for race in states:
        data = {"name": race.name, "slug": race.slug, "office": race.office,
                "level": "state", "parent": us.pk, "state_postal": race.state_postal,
                "electoral_votes": race.electoral_votes, "threshold_unit": "",
                "unit_label": "result", "candidates-TOTAL_FORMS": "0",
                "candidates-INITIAL_FORMS": "0"}  # fmt: skip
        assert client.post(reverse("admin:results_race_change", args=[race.pk]),
                           data).status_code == 302  # fmt: skip
    us.refresh_from_db()
    assert (us.threshold, us.units_total) == (23, 3)  # 44 at stake
    assert figures(us) == {"Kamala Harris": (240, 0), "Donald Trump": (240, 0)}


def test_a_roll_up_that_does_not_add_up_is_reported_and_the_states_stay(monkeypatch):
    from django.core.exceptions import ValidationError

    from results import rollup

    def refuse(*args, **kwargs):
        raise ValidationError("The votes add up to more than 1,000,000,000,000.")

    monkeypatch.setattr(rollup, "add_up", refuse)
    report = import_document(json.dumps(document()).encode())
    assert report.errors == [
        "national roll-up of United States President 2024: The votes add up to more than "
        "1,000,000,000,000."
    ]
    assert report.snapshots_created == len(STATES)  # the states imported all the same
    assert not ResultSnapshot.objects.filter(race=national()).exists()


def test_one_real_state_document_shows_the_offices_totals_not_the_states_seen(client):
    """Alaska 2012 alone (AP sends states one document at a time): the presidency is
    270 to win and all 51 contests are still to call, from the office's totals."""
    doc = json.loads((Path(__file__).parent / "data" / "ap" / "20121106_ak_prez.json").read_text())
    importing(doc)
    national = Race.objects.get(level="national")
    assert (national.at_stake, national.contests) == (538, 51)
    assert (national.threshold, national.units_total) == (270, 51)
    page = client.get(f"/results/{national.slug}/").content.decode()
    assert "270 to win" in page
    assert "51 states to call" in page  # AP's call for Alaska waits for an editor
    assert "2 to win" not in page
    assert "1 state to call" not in page
    # Results of another year say their year (the document is stamped 24 June 2016).
    assert "24 June 2016</time>" in page
