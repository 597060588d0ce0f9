"""Correcting a winner call: the standing call (and its banner) stays until a second
editor confirms the correction, which then replaces it in one transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from liveblog.models import Change
from results import services
from results.models import WinnerCall
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def standing(race, editor, second_editor):
    """A confirmed call for Harris (the one to correct)."""
    harris = race.candidates.get(name="Kamala Harris")
    call = services.winner_call(race=race, candidate=harris, by=editor, source="Desk")
    return services.winner_confirm(call=call, by=second_editor)


def banner(client, blog) -> str:
    html = client.get(blog.get_absolute_url()).content.decode()
    return "HARRIS WINS" if "HARRIS WINS" in html else "TRUMP WINS" if "TRUMP WINS" in html else ""


def test_the_banner_stays_until_the_correction_is_confirmed(
    client, race, blog, standing, editor, second_editor, committed
):
    trump = race.candidates.get(name="Donald Trump")
    changes = Change.objects.filter(blog=blog, kind="results").count()
    correction = services.winner_correct(
        call=standing, candidate=trump, by=editor, note="AP retracted its call"
    )
    assert correction.is_pending_correction
    assert banner(client, blog) == "HARRIS WINS"  # nothing changed for readers yet
    assert Change.objects.filter(blog=blog, kind="results").count() == changes

    with pytest.raises(ValidationError, match="second editor"):
        services.winner_confirm(call=correction, by=editor)
    assert banner(client, blog) == "HARRIS WINS"

    with committed():
        services.winner_confirm(call=correction, by=second_editor)
    assert banner(client, blog) == "TRUMP WINS"
    standing.refresh_from_db()
    correction.refresh_from_db()
    assert standing.withdrawn_reason == "Corrected: AP retracted its call"
    assert (standing.withdrawn_by, correction.confirmed_by) == (second_editor, second_editor)
    assert standing.withdrawn_at == correction.confirmed_at  # one moment, one transaction
    assert Change.objects.filter(blog=blog, kind="results").count() == changes + 1  # one event
    assert [c.candidate.name for c in race.calls.filter(withdrawn_at__isnull=True)] == [
        "Donald Trump"
    ]


def test_a_correction_of_a_correction_works_the_same_way(race, blog, client, standing, editor,
                                                         second_editor, committed):  # fmt: skip
    trump, harris = race.candidates.get(name="Donald Trump"), standing.candidate
    first = services.winner_correct(call=standing, candidate=trump, by=editor, note="Wrong")
    first = services.winner_confirm(call=first, by=second_editor)
    back = services.winner_correct(call=first, candidate=harris, by=second_editor, note="Right")
    assert banner(client, blog) == "TRUMP WINS"
    with committed():
        services.winner_confirm(call=back, by=editor)
    assert banner(client, blog) == "HARRIS WINS"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("same candidate", "already for Kamala Harris"),
        ("no note", "Say what the correction is"),
        ("pending call", "not shown yet"),
        ("withdrawn call", "was withdrawn"),
        ("second correction", "already waiting"),
        ("other race", "is not a candidate"),
    ],
)
def test_a_correction_that_makes_no_sense_is_refused(race, standing, editor, second_editor,
                                                     setup, message):  # fmt: skip
    trump = race.candidates.get(name="Donald Trump")
    call, candidate, note = standing, trump, "AP retracted its call"
    if setup == "same candidate":
        candidate = standing.candidate
    elif setup == "no note":
        note = "  "
    elif setup == "pending call":
        other = factories.RaceFactory(slug="senate")
        call = services.winner_call(race=other, candidate=factories.CandidateFactory(race=other),
                                    by=editor, source="Desk")  # fmt: skip
        candidate = factories.CandidateFactory(race=other)
    elif setup == "withdrawn call":
        services.winner_withdraw(call=standing, by=editor, reason="Too early")
    elif setup == "second correction":
        services.winner_correct(call=standing, candidate=trump, by=editor, note=note)
    elif setup == "other race":
        candidate = factories.CandidateFactory(race=factories.RaceFactory(slug="house"))
    before = WinnerCall.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.winner_correct(call=call, candidate=candidate, by=second_editor, note=note)
    assert WinnerCall.objects.count() == before


def test_a_reporter_cannot_correct_a_call(race, standing, reporter):
    trump = race.candidates.get(name="Donald Trump")
    with pytest.raises(PermissionDenied):
        services.winner_correct(call=standing, candidate=trump, by=reporter, note="No")


def test_withdrawing_the_standing_call_cancels_its_pending_correction(race, standing, editor):
    trump = race.candidates.get(name="Donald Trump")
    correction = services.winner_correct(call=standing, candidate=trump, by=editor, note="x")
    services.winner_withdraw(call=standing, by=editor, reason="Race too close to call")
    correction.refresh_from_db()
    assert correction.withdrawn_reason == "The call it corrected was withdrawn."
    assert not race.calls.filter(withdrawn_at__isnull=True).exists()


def test_the_database_holds_one_standing_call_and_one_pending_correction(race, standing):
    trump = race.candidates.get(name="Donald Trump")
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():  # a second standing call
        WinnerCall.objects.create(race=race, candidate=trump, source="x", called_at=now)
    WinnerCall.objects.create(race=race, candidate=trump, source="x", called_at=now,
                              replaces=standing)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # a second pending correction
        WinnerCall.objects.create(race=race, candidate=trump, source="x", called_at=now,
                                  replaces=standing)  # fmt: skip


def test_the_admin_corrects_a_call_in_two_steps(client, race, blog, standing, editor,
                                                second_editor, committed):  # fmt: skip
    trump = race.candidates.get(name="Donald Trump")
    changelist = reverse("admin:results_winnercall_changelist")
    client.force_login(editor)
    page = client.get(changelist).content.decode()
    correct_url = reverse("admin:results_call_correct", args=[standing.pk])
    assert f'<a href="{correct_url}">Correct…</a>' in page
    form = client.get(correct_url).content.decode()
    assert "Kamala Harris" not in form.split('name="candidate"')[1].split("</select>")[0]
    response = client.post(correct_url, {"candidate": trump.pk, "note": "AP retracted"},
                           follow=True)  # fmt: skip
    assert "stays on the pages until a second editor confirms it" in response.content.decode()
    correction = WinnerCall.objects.get(replaces=standing)
    page = client.get(changelist).content.decode()
    assert "Correction of the call for Kamala Harris, waiting for a second editor" in page
    assert banner(client, blog) == "HARRIS WINS"

    client.force_login(second_editor)
    with committed():
        response = client.post(
            changelist, {"action": "confirm", "_selected_action": [correction.pk]}, follow=True
        )
    assert "correction confirmed" in response.content.decode()
    assert banner(client, blog) == "TRUMP WINS"
