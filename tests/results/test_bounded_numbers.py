"""No number from a feed or a form reaches a column it cannot fit: refused by path, before
any write, and one race's bad figure never costs another race, the roll-up or the poller."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from benchmarks.synthetic import presidential_document
from results import services
from results.ingest import import_document
from results.models import Race, ResultSnapshot
from results.services import rollup_or_report
from results.tasks import poll_feed
from tests import factories

pytestmark = pytest.mark.django_db
T = datetime(2024, 11, 6, 3, 12, tzinfo=UTC)
INT_MAX = 2**31 - 1
TRUMP = 1


def unit(doc, postal, level="state", name=None):
    race = next(r for r in doc["races"] if r["reportingUnits"][0]["statePostal"] == postal)
    return next(
        u
        for u in race["reportingUnits"]
        if u["level"] == level and (name is None or u["reportingunitName"] == name)
    )


def poisoned_electoral_totals():
    """Two states claiming the largest integer a column holds, beside valid ones."""
    doc = presidential_document(["AK", "PA", "GA", "MI"], at=T, counties=2, calls={"PA": TRUMP})
    unit(doc, "PA")["electTotal"] = INT_MAX
    unit(doc, "GA")["electTotal"] = INT_MAX
    return doc


def test_electoral_totals_past_any_college_refuse_their_races_only():
    report = import_document(json.dumps(poisoned_electoral_totals()))

    assert any("(PA-" in e and "electTotal: 2147483647 is larger" in e for e in report.errors)
    assert any("(GA-" in e and "electTotal" in e for e in report.errors)
    stored = set(Race.objects.filter(level="state").values_list("state_postal", flat=True))
    assert stored == {"AK", "MI"}
    assert report.races_seen == 4
    assert report.snapshots_created == 2


def test_after_a_poisoned_document_every_valid_one_imports_and_calls_confirm(
    editor, second_editor, blog, django_capture_on_commit_callbacks
):
    import_document(json.dumps(poisoned_electoral_totals()))
    later = presidential_document(["AK", "PA", "GA", "MI"], at=T.replace(hour=4), counties=2,
                                  calls={"PA": TRUMP})  # fmt: skip

    report = import_document(json.dumps(later))

    assert report.ok, report.errors
    national = Race.objects.get(level="national")
    # The office's 270, and no problem left by the poisoned document's sums.
    assert (national.threshold, national.rollup_problem) == (270, "")
    blog.races.add(national)
    call = Race.objects.get(state_postal="PA").calls.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.winner_confirm(call=call, by=second_editor)
    latest = ResultSnapshot.objects.latest_of(national.pk)
    assert {r.candidate.name: r.electoral_votes for r in latest.results.all()}["Donald Trump"] == 19
    assert blog.posts.filter(title__contains="Pennsylvania").exists()  # the call's post


def test_a_roll_up_no_column_can_hold_is_reported_on_the_race_and_never_raised(second_editor, blog):
    """States stored before these checks (or typed in the admin) whose sum overflows: the
    roll-up says why on the national race, the call still confirms, the import still
    reports, and once the figures are fixed the next change adds up again."""
    import_document(json.dumps(presidential_document(["PA", "GA"], at=T, counties=2,
                                                     calls={"PA": TRUMP})))  # fmt: skip
    national = Race.objects.get(level="national")
    Race.objects.filter(level="state").update(electoral_votes=INT_MAX)  # bypassing every door
    blog.races.add(national)

    call = Race.objects.get(state_postal="PA").calls.get()
    services.winner_confirm(call=call, by=second_editor)  # no exception: the call stands

    national.refresh_from_db()
    assert "more than the largest allowed" in national.rollup_problem
    assert call.race.calls.get().confirmed_at is not None
    report = import_document(json.dumps(presidential_document(
        ["PA", "GA"], at=T.replace(hour=5), counties=2, calls={"PA": TRUMP})))  # fmt: skip
    assert report.snapshots_created == 2  # the states' results stand
    national.refresh_from_db()
    assert national.threshold == 270  # the office's, added up again once the feed fixed it
    assert national.rollup_problem == ""
    assert rollup_or_report(national.pk) is None


def test_district_electoral_votes_are_checked_with_the_states():
    doc = presidential_document(["AK", "ME"], at=T, counties=2, calls={"ME": {
        "At Large": 0, "District 1": 0, "District 2": 1}})  # fmt: skip
    for candidate in unit(doc, "ME", "state")["candidates"]:
        candidate.pop("electWon", None)  # the state gives them only by district
    for candidate in unit(doc, "ME", "district", "District 2")["candidates"]:
        if candidate.get("electWon"):
            candidate["electWon"] = 197  # 2 + 1 + 197: Maine with 200 of 4

    report = import_document(json.dumps(doc))

    assert any("(ME-" in e and "200 electoral votes won (the districts' electWon), more than "
               "electTotal 4" in e for e in report.errors), report.errors  # fmt: skip
    assert set(Race.objects.filter(level="state").values_list("state_postal", flat=True)) == {"AK"}


def test_a_district_past_any_column_refuses_its_race_and_the_poller_reports(feed, caplog):
    doc = presidential_document(["AK", "ME"], at=T, counties=2, calls={"ME": {
        "At Large": 0, "District 1": 0, "District 2": 1}})  # fmt: skip
    for candidate in unit(doc, "ME", "district", "District 2")["candidates"]:
        if candidate.get("electWon"):
            candidate["electWon"] = 2 * INT_MAX
    feed.body = json.dumps(doc).encode()

    summary = poll_feed()

    assert summary.startswith("AP Elections API v2: 2 races seen, 1 snapshot recorded")
    assert summary.endswith("1 refused")
    path = "(ME-10100) reportingUnits[3].candidates[1].electWon"
    assert f"{path}: 4294967294 is larger than the largest allowed, 10000" in caplog.text
    assert Race.objects.filter(state_postal="AK", level="state").exists()
    assert not Race.objects.filter(state_postal="ME").exists()


def test_the_poller_reports_an_import_that_fails_and_returns(feed, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("results.tasks.import_document", broken)

    assert poll_feed().startswith("failed: the import stopped on an error")


@pytest.mark.parametrize("name", ["units_reporting", "units_total", "total_votes", "votes",
                                  "electoral"])  # fmt: skip
def test_the_record_form_names_a_field_past_its_column(client, editor, race, name):
    harris, trump = race.candidates.order_by("pk")
    client.force_login(editor)
    data = {"as_of_0": "2024-11-06", "as_of_1": "01:00:00", "source": "Newsroom",
            "source_seq": "desk 1", "units_reporting": "5", "units_total": "10",
            "total_votes": "", f"votes_{harris.pk}": "100", f"votes_{trump.pk}": "90",
            f"electoral_{harris.pk}": "", f"electoral_{trump.pk}": "", "confirm": "on"}  # fmt: skip
    field = {"votes": f"votes_{harris.pk}", "electoral": f"electoral_{trump.pk}"}.get(name, name)
    data[field] = str(10**30)

    response = client.post(reverse("admin:results_race_record", args=[race.pk]), data)

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to" in response.content.decode()
    assert field in response.context["form"].errors
    assert not ResultSnapshot.objects.filter(race=race).exists()


def test_the_services_refuse_unit_counts_no_column_holds(race):
    with pytest.raises(ValidationError, match="Results expected: 1,000,000,000,000"):
        services.snapshot_record(
            race=race, as_of=T, source="Test", source_seq="1", units_total=10**12,
            counts=[services.CandidateCount("Kamala Harris", 10)],
        )  # fmt: skip


def test_a_county_whose_counts_overflow_is_refused_by_name(race):
    with pytest.raises(ValidationError, match="Bucks: results expected"):
        services.snapshot_record(
            race=race, as_of=T, source="Test", source_seq="1",
            counts=[services.CandidateCount("Kamala Harris", 10)],
            units=[services.UnitCount("42017", "Bucks", {"Kamala Harris": 5},
                                      units_total=2**40)],
        )  # fmt: skip


def test_electoral_votes_typed_for_a_state_are_bounded_in_the_admin(client, editor):
    client.force_login(editor)
    race = factories.RaceFactory(slug="pa")
    url = reverse("admin:results_race_change", args=[race.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "parent"}
    data |= {"electoral_votes": str(INT_MAX), "candidates-TOTAL_FORMS": "0",
             "candidates-INITIAL_FORMS": "0"}  # fmt: skip

    response = client.post(url, data)

    assert response.status_code == 200
    assert "less than or equal to 10000" in response.content.decode()
