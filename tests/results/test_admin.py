"""Results through the admin: entering a snapshot by hand, and calling a race with a
second editor's confirmation. Every path goes through results.services."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from liveblog.models import Change
from results.models import ResultSnapshot, WinnerCall

pytestmark = pytest.mark.django_db


def record(client, race, **overrides):
    harris, trump = race.candidates.all()
    data = {
        "as_of_0": "2024-11-06", "as_of_1": "20:00:00", "source": "Desk", "source_seq": "1",
        "units_reporting": "40", "units_total": "51", "total_votes": "",
        f"votes_{harris.pk}": "67951111", f"electoral_{harris.pk}": "",
        f"votes_{trump.pk}": "72658972", f"electoral_{trump.pk}": "",
        "confirm": "1",  # the second step: the shares were checked
    } | overrides  # fmt: skip
    return client.post(reverse("admin:results_race_record", args=[race.pk]), data)


def test_editor_records_a_snapshot_by_hand(client, editor, race, blog):
    client.force_login(editor)
    response = record(client, race)
    assert response.status_code == 302
    snapshot = ResultSnapshot.objects.get()
    assert (snapshot.units_reporting, snapshot.total_votes) == (40, 67951111 + 72658972)
    assert snapshot.recorded_by == editor
    assert snapshot.as_of.isoformat() == "2024-11-06T20:00:00+00:00"  # London is GMT then
    assert Change.objects.filter(blog=blog, kind="results").count() == 1


def test_bad_snapshot_shows_the_error_and_stores_nothing(client, editor, race):
    client.force_login(editor)
    response = record(client, race, units_reporting="60")
    assert response.status_code == 400  # the registry's answer to a refused input, as everywhere
    assert "60 units reporting is more than the 51" in response.content.decode()
    assert not ResultSnapshot.objects.exists()


def test_reporter_cannot_record_results(client, reporter, race):
    client.force_login(reporter)
    response = record(client, race)
    assert not ResultSnapshot.objects.exists()
    assert response.status_code == 403
    assert "Your role does not allow “Record results”." in response.content.decode()


def test_call_needs_a_second_editor_to_show(client, editor, second_editor, race, blog):
    trump = race.candidates.get(name="Donald Trump")
    client.force_login(editor)
    client.post(
        reverse("admin:results_race_call", args=[race.pk]),
        {"candidate": trump.pk, "source": "Decision desk"},
    )
    call = WinnerCall.objects.get()
    assert (call.called_by, call.confirmed_at) == (editor, None)

    changelist = reverse("admin:results_winnercall_changelist")
    response = client.post(
        changelist, {"action": "confirm", "_selected_action": [call.pk]}, follow=True
    )
    assert "A second editor must confirm" in response.content.decode()
    assert WinnerCall.objects.get().confirmed_at is None

    client.force_login(second_editor)
    client.post(changelist, {"action": "confirm", "_selected_action": [call.pk]})
    call.refresh_from_db()
    assert call.confirmed_by == second_editor
    html = client.get(blog.get_absolute_url()).content.decode()
    assert "TRUMP WINS" in html


def test_withdrawing_a_call_takes_the_banner_down(client, editor, second_editor, race, blog):
    from results import services

    trump = race.candidates.get(name="Donald Trump")
    call = services.winner_call(race=race, candidate=trump, by=editor, source="Desk")
    services.winner_confirm(call=call, by=second_editor)
    client.force_login(editor)
    client.post(reverse("admin:results_call_withdraw", args=[call.pk]), {"reason": "Too early"})
    call.refresh_from_db()
    assert call.withdrawn_reason == "Too early"
    assert "TRUMP WINS" not in client.get(blog.get_absolute_url()).content.decode()


def test_the_record_form_is_prefilled_and_shows_the_shares_before_recording(client, editor, race):
    client.force_login(editor)
    record(client, race, total_votes="140610083")
    url = reverse("admin:results_race_record", args=[race.pk])
    harris, trump = race.candidates.all()
    page = client.get(url).content.decode()
    assert f'name="votes_{harris.pk}" value="67951111"' in page  # the figures readers see
    assert 'name="total_votes" value="140610083"' in page
    assert 'name="units_reporting" value="40"' in page
    assert "Check the shares" in page
    # The date and time inputs take ISO values only (a locale's date shows empty).
    assert re.search(r'type="date" name="as_of_0" value="\d{4}-\d\d-\d\d"', page)
    assert re.search(r'type="time" name="as_of_1" value="\d\d:\d\d:\d\d"', page)
    # First submission: nothing recorded, the shares readers would see are shown.
    data = {
        "as_of_0": "2024-11-06", "as_of_1": "21:00:00", "source": "Desk", "source_seq": "2",
        "units_reporting": "45", "units_total": "51", "total_votes": "",
        f"votes_{harris.pk}": "68000000", f"votes_{trump.pk}": "72700000",
    }  # fmt: skip
    checked = client.post(url, data)
    assert checked.status_code == 200
    html = checked.content.decode()
    assert "Kamala Harris: 48.3%" in html  # of the listed candidates only…
    assert "shares of the listed candidates only" in html  # …and it says so
    assert ResultSnapshot.objects.count() == 1
    checked = client.post(url, data | {"total_votes": "141000000"})
    assert "Kamala Harris: 48.2%" in checked.content.decode()
    assert "listed candidates only" not in checked.content.decode()
    recorded = client.post(url, data | {"total_votes": "141000000", "confirm": "1"})
    assert recorded.status_code == 302
    assert ResultSnapshot.objects.count() == 2


def test_the_record_form_shows_no_stray_label_for_its_hidden_step(client, editor, race):
    client.force_login(editor)
    page = client.get(reverse("admin:results_race_record", args=[race.pk])).content.decode()
    assert 'name="confirm"' in page  # the second step's marker is there…
    assert 'for="id_confirm"' not in page  # …but not shown as a field called "Confirm"
