"""Result snapshots: computed shares, idempotent ingest, refusals, and two-editor calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liveblog.models import Change
from results.models import ResultSnapshot, vote_share
from results.services import (
    CandidateCount,
    snapshot_record,
    total_for_shares,
    winner_call,
    winner_confirm,
    winner_withdraw,
)
from tests import factories

T0 = datetime(2024, 11, 6, 20, 0, tzinfo=UTC)


@pytest.fixture
def race(db, blog):
    race = factories.RaceFactory()
    factories.CandidateFactory(race=race, name="Kamala Harris", party="Democratic")
    factories.CandidateFactory(race=race, name="Donald Trump", party="Republican")
    blog.races.add(race)
    return race


def record(race, seq="1", as_of=T0, harris=100, trump=120, **kwargs):
    return snapshot_record(
        race=race,
        as_of=as_of,
        source="test",
        source_seq=seq,
        counts=[CandidateCount("Kamala Harris", harris), CandidateCount("Donald Trump", trump)],
        **kwargs,
    )


@pytest.mark.parametrize(
    ("votes", "total", "share"),
    [
        (74_332_538, 153_975_052, "48.3"),
        (76_869_569, 153_975_052, "49.9"),
        (1, 8, "12.5"),
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (0, 0, "0.0"),
    ],
)
def test_share_is_rounded_half_up_to_one_decimal(votes, total, share):
    assert vote_share(votes, total) == Decimal(share)


def test_total_for_shares_reproduces_the_reference_header():
    shown = [(74_332_538, Decimal("48.3")), (76_869_569, Decimal("49.9"))]
    total = total_for_shares(shown)
    assert [vote_share(v, total) for v, _ in shown] == [Decimal("48.3"), Decimal("49.9")]


def test_contradictory_shares_are_refused():
    with pytest.raises(ValidationError):
        total_for_shares([(100, Decimal("50.0")), (100, Decimal("20.0"))])


def test_snapshot_is_recorded_and_announced_to_the_blog(race, blog):
    snapshot, created = record(race)
    assert created
    assert snapshot.total_votes == 220
    assert Change.objects.filter(blog=blog, kind="results").count() == 1


def test_same_source_sequence_is_idempotent(race):
    first, _ = record(race, seq="7")
    again, created = record(race, seq="7", harris=999)
    assert not created
    assert again.pk == first.pk
    assert ResultSnapshot.objects.count() == 1


def test_late_older_snapshot_is_kept_as_history_but_not_announced(race, blog):
    record(race, seq="2", as_of=T0)
    record(race, seq="1", as_of=T0 - timedelta(hours=1), harris=50, trump=60)
    assert race.snapshots.latest().source_seq == "2"
    assert race.snapshots.count() == 2
    assert Change.objects.filter(blog=blog, kind="results").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"harris": -1}, "whole numbers"),
        ({"harris": "12"}, "whole numbers"),
        ({"total_votes": 10}, "less than"),
        ({"units_reporting": 52}, "more than the 51"),
    ],
)
def test_malformed_snapshot_is_refused_and_nothing_stored(race, kwargs, message):
    record(race, seq="good")
    with pytest.raises(ValidationError, match=message):
        record(race, seq="bad", **kwargs)
    assert list(race.snapshots.values_list("source_seq", flat=True)) == ["good"]


def test_unknown_candidate_is_refused(race):
    with pytest.raises(ValidationError, match="Unknown candidates"):
        snapshot_record(race=race, as_of=T0, source="t", source_seq="1",
                        counts=[CandidateCount("Someone Else", 5)])  # fmt: skip
    assert not race.snapshots.exists()


def test_snapshots_are_immutable(race):
    snapshot, _ = record(race)
    snapshot.total_votes = 1
    with pytest.raises(ValidationError, match="immutable"):
        snapshot.save()


def test_reporter_cannot_record_results(race, reporter):
    with pytest.raises(PermissionDenied):
        record(race, by=reporter)


def test_winner_call_needs_a_second_editor(race, blog, editor, second_editor):
    trump = race.candidates.get(name="Donald Trump")
    call = winner_call(race=race, candidate=trump, by=editor, source="BBC")
    assert not call.is_confirmed
    assert not Change.objects.filter(blog=blog).exists()

    with pytest.raises(ValidationError, match="second editor"):
        winner_confirm(call=call, by=editor)

    call = winner_confirm(call=call, by=second_editor)
    assert call.is_confirmed
    assert (call.called_by, call.confirmed_by) == (editor, second_editor)
    assert Change.objects.filter(blog=blog, kind="results").count() == 1


def test_withdrawn_call_is_kept_on_record(race, editor, second_editor):
    trump = race.candidates.get(name="Donald Trump")
    call = winner_confirm(
        call=winner_call(race=race, candidate=trump, by=editor, source="BBC"), by=second_editor
    )
    call = winner_withdraw(call=call, by=editor, reason="Called too early")
    assert not call.is_confirmed
    assert call.withdrawn_reason == "Called too early"
    again = winner_call(race=race, candidate=trump, by=editor, source="BBC")
    assert race.calls.count() == 2
    assert again.pk != call.pk


# --- One "latest snapshot", with one tie-break, everywhere -------------------------------


def test_two_snapshots_at_the_same_time_resolve_the_same_way_everywhere(race, blog, client):
    from rest_framework.test import APIClient

    from results.selectors import race_boards

    record(race, seq="a", as_of=T0, harris=100, trump=120)
    Change.objects.all().delete()
    second, _ = record(race, seq="b", as_of=T0, harris=4_321, trump=1_234)

    # The later-recorded of two equal times is the latest: for ingest (which announces
    # it to open pages), the live page's header, the results page and the API.
    assert ResultSnapshot.objects.latest_of(race.pk) == second
    assert race.snapshots.latest() == second
    assert Change.objects.get().payload == {"race": race.pk, "snapshot": second.pk}
    [board] = race_boards([race.pk])
    assert board.snapshot == second
    assert "4,321" in client.get(f"/live/{blog.slug}/").content.decode()
    assert "4,321" in client.get(f"/results/{race.slug}/").content.decode()
    api = APIClient()
    api.force_authenticate(factories.editor(username="api-ed"))
    body = api.get(f"/api/v1/races/{race.slug}/snapshots/latest/").json()
    assert body["source_seq"] == "b"


# --- Bogus figures: refused when dated ahead, voidable when already stored --------------


def test_a_snapshot_typed_with_a_future_date_is_refused(race, editor):
    from django.utils import timezone

    with pytest.raises(ValidationError, match="in the future"):
        record(race, as_of=timezone.now() + timedelta(days=365 * 75), by=editor)

    assert not ResultSnapshot.objects.exists()


def test_an_editor_voids_a_wrong_snapshot_and_readers_see_the_previous_one(
    race, blog, editor, client
):
    from results.selectors import race_boards
    from results.services import snapshot_void

    good, _ = record(race, seq="1", as_of=T0, harris=100, trump=120)
    bogus, _ = record(race, seq="2", as_of=T0 + timedelta(minutes=5), harris=9, trump=99_999)
    Change.objects.all().delete()

    snapshot_void(snapshot=bogus, by=editor, reason="A typo in the feed")

    bogus.refresh_from_db()
    assert (bogus.voided_by, bogus.void_reason) == (editor, "A typo in the feed")
    assert ResultSnapshot.objects.count() == 2  # kept on record
    assert ResultSnapshot.objects.latest_of(race.pk) == good
    assert race_boards([race.pk])[0].snapshot == good
    assert "99,999" not in client.get(f"/live/{blog.slug}/").content.decode()
    assert Change.objects.get().payload == {"race": race.pk, "snapshot": bogus.pk, "void": True}


def test_voiding_needs_an_editor_and_a_reason(race, reporter, editor):
    from results.services import snapshot_void

    snapshot, _ = record(race)
    with pytest.raises(PermissionDenied):
        snapshot_void(snapshot=snapshot, by=reporter, reason="Looks wrong")
    with pytest.raises(ValidationError):
        snapshot_void(snapshot=snapshot, by=editor, reason="  ")
    assert ResultSnapshot.objects.standing().count() == 1


def test_the_admin_voids_a_snapshot_with_its_reason(race, editor_client, editor):
    from django.urls import reverse

    snapshot, _ = record(race)
    url = reverse("admin:results_snapshot_void", args=[snapshot.pk])

    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"reason": "Duplicate of the 20:00 count"})

    assert response.status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.void_reason == "Duplicate of the 20:00 count"


def test_more_electoral_votes_than_are_at_stake_are_refused(race):
    race.threshold = 270
    race.save()

    with pytest.raises(ValidationError, match="more than are at stake"):
        snapshot_record(
            race=race,
            as_of=T0,
            source="test",
            source_seq="ev",
            counts=[
                CandidateCount("Kamala Harris", 100, electoral_votes=300),
                CandidateCount("Donald Trump", 120, electoral_votes=300),
            ],
        )
