"""Every results write: one validating path for the admin, the API, imports and feeds.

When what readers see of a race changes, the writer records it for the consumers of
``results_changed`` (liveblog's change log, inside this transaction) and then, as an
explicit step, adds up the national race the race counts towards (``add_up_national``:
once per document during an import, ``rollups_deferred``), never through a receiver
whose order would matter."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from newsroom.bounds import check_column

from . import rollup
from .counts import CandidateCount, UnitCount
from .models import (
    Candidate,
    CandidateResult,
    Race,
    ResultSnapshot,
    SnapshotUnit,
    WinnerCall,
    vote_share,
)
from .signals import calls_waiting, results_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Who = User | AnonymousUser


__all__ = ["CandidateCount", "UnitCount"]  # re-exported: what every writer is handed
logger = logging.getLogger(__name__)


def _announce(race: Race, payload: dict[str, object], by: User | None) -> None:
    """Tell the consumers of ``results_changed``, inside this transaction; then add up
    the national race this one counts towards (the explicit step, once per change)."""
    results_changed.send(sender=Race, race_id=race.pk, payload=payload, by=by,
                         parent_id=race.parent_id)  # fmt: skip
    if race.parent_id is not None:
        add_up_national(race.parent_id)


# --- The national roll-up: an explicit step of every write that moves a state ----------
_deferred: ContextVar[set[int] | None] = ContextVar("rollups_deferred", default=None)


@contextmanager
def rollups_deferred() -> Iterator[list[str]]:
    """Collect the national races to add up while importing; add each up once at the end.

    Yields a list that receives a line for each roll-up that was refused (a state's
    figures that do not add up): the import reports it and the poller keeps running."""
    problems: list[str] = []
    if _deferred.get() is not None:  # already collecting (nested)
        yield problems
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield problems
    finally:
        _deferred.reset(token)
    for race_id in sorted(pending):
        if problem := rollup_or_report(race_id):
            problems.append(problem)


def add_up_national(race_id: int) -> None:
    """Add a national race up now, or at the end of the import collecting them."""
    pending = _deferred.get()
    if pending is not None:
        pending.add(race_id)
    else:
        rollup_or_report(race_id)


def rollup_or_report(race_id: int) -> str | None:
    """Add up a national race, or say why it could not be (kept on the race for editors
    and returned for the import report); never raises on data. Only the roll-up's own
    savepoint is rolled back: the writer that asked for it (an import, a call) stands."""
    try:
        with transaction.atomic():
            _record_national(race_id)
    except (ValidationError, DatabaseError) as exc:
        reason = (" ".join(exc.messages) if isinstance(exc, ValidationError)
                  else f"the database refused a figure ({type(exc).__name__})")  # fmt: skip
        logger.warning("national roll-up of race %s refused: %s", race_id, reason)
        Race.objects.filter(pk=race_id).update(rollup_problem=reason[:1000])
        name = Race.objects.filter(pk=race_id).values_list("name", flat=True).first()
        return f"national roll-up of {name}: {reason}"
    return None


def _record_national(race_id: int) -> ResultSnapshot | None:
    """The national race's figures (``rollup.add_up``), recorded as its snapshot if what
    readers see changed, and a pending call once a candidate is past the threshold."""
    totals = rollup.add_up(race_id)
    if totals is None:
        return None
    snapshot, _ = snapshot_record(
        race=totals.national, as_of=totals.as_of, source=rollup.SOURCE,
        source_seq=totals.source_seq, counts=totals.counts, total_votes=totals.total_votes,
        units_reporting=totals.units_reporting, units_total=totals.units_total,
        units=totals.units,
    )  # fmt: skip
    if totals.winner is not None:
        winner_call_from_feed(race=totals.national, candidate=totals.winner,
                              source=rollup.CALL_SOURCE, at=totals.as_of)  # fmt: skip
    return snapshot


# Far more than any electorate, far less than the database's 64-bit integers.
MAX_VOTES = 10**12
UNIT_BATCH = 2000  # snapshot units written per statement
# Clocks differ a little between the wire and us; a snapshot further ahead is bogus and
# would otherwise stay "the latest" for ever.
MAX_FUTURE = timedelta(minutes=5)


def _waiting(call: WinnerCall) -> WinnerCall:
    """Tell the editors who must confirm it (``calls_waiting``, in this transaction)."""
    calls_waiting.send(sender=WinnerCall, race_id=call.race_id, call_id=call.pk)
    return call


def _require(user: Who | None, perm: str, message: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(message)


# Each write's check, beside it: may this user take it on this subject now? The results'
# action registry (``results.actions``) offers what these allow; each write runs its
# check again under its row lock.


def may_record(user: Who) -> bool:
    return bool(user.is_active and user.has_perm("results.add_resultsnapshot"))


def may_call(user: Who) -> bool:
    return bool(user.is_active and user.has_perm("results.add_winnercall"))


def may_confirm(user: Who) -> bool:
    return bool(user.is_active and user.has_perm("results.change_winnercall"))


def check_record(user: Who, race: Race) -> None:
    _require(user, "results.add_resultsnapshot", "Only editors can record results.")


def check_void(user: Who, snapshot: ResultSnapshot) -> None:
    _require(user, "results.add_resultsnapshot", "Only editors can void results.")
    if snapshot.voided_at is not None:
        raise ValidationError("This snapshot is already void.")


def check_call(user: Who, race: Race) -> None:
    _require(user, "results.add_winnercall", "Only editors can call a race.")
    called = getattr(race, "has_standing_call", None)  # known from a list, if it was
    if called if called is not None else race.calls.standing().exists():
        raise ValidationError(
            f"{race} already has a call: correct it (or withdraw it) instead of calling again."
        )


def _second_editor(user: Who, call: WinnerCall, verb: str, shown: str, own: str) -> None:
    """A verdict on a call waiting to be shown: an editor's, not the caller's."""
    _require(user, "results.change_winnercall", f"Only editors can {verb} a call.")
    if call.withdrawn_at is not None:
        raise ValidationError("This call was withdrawn.")
    if call.confirmed_at is not None:
        raise ValidationError(shown)
    if call.called_by_id is not None and call.called_by_id == user.pk:
        raise ValidationError(own)


def check_confirm(user: Who, call: WinnerCall) -> None:
    _second_editor(user, call, "confirm", "This call is already confirmed.",
                   "A second editor must confirm the call you made.")  # fmt: skip


def check_correct(user: Who, call: WinnerCall) -> None:
    _require(user, "results.add_winnercall", "Only editors can correct a call.")
    if call.withdrawn_at is not None:
        raise ValidationError("This call was withdrawn: make a new call instead.")
    if call.confirmed_at is None:
        raise ValidationError("This call is not shown yet: withdraw it and call the race again.")
    waiting = getattr(call, "pending_corrections", None)  # counted with the list, if it was
    if waiting if waiting is not None else _pending_corrections(call).exists():
        raise ValidationError("A correction of this call is already waiting for a second editor.")


def check_reject(user: Who, call: WinnerCall) -> None:
    _second_editor(
        user, call, "reject",
        "This call is shown already: correct it or withdraw it instead.",
        "A second editor must judge the call you made: withdraw it instead.",
    )  # fmt: skip


def check_withdraw(user: Who, call: WinnerCall) -> None:
    _require(user, "results.change_winnercall", "Only editors can withdraw a call.")
    if call.withdrawn_at is not None:
        raise ValidationError("This call was already withdrawn.")


@transaction.atomic
def snapshot_record(
    *,
    race: Race,
    as_of: datetime,
    source: str,
    source_seq: str,
    counts: list[CandidateCount],
    total_votes: int | None = None,
    units_reporting: int | None = None,
    units_total: int | None = None,
    units: list[UnitCount] | None = None,
    expected_vote: Decimal | None = None,
    call_status: str = "",
    tabulation: str = "",
    by: User | None = None,
) -> tuple[ResultSnapshot, bool]:
    """Validate and store a snapshot; return it and whether it is new.

    The same ``(source, source_seq)`` again returns the stored snapshot (idempotent).
    ``by`` is None for trusted machine ingest (feeds, imports).
    """
    if by is not None:
        check_record(by, race)
    existing = ResultSnapshot.objects.filter(race=race, source=source, source_seq=source_seq)
    if found := existing.first():
        return found, False
    if timezone.is_naive(as_of):
        raise ValidationError("The snapshot time must include a time zone.")
    latest_allowed = timezone.now() + MAX_FUTURE
    if as_of > latest_allowed:
        raise ValidationError(
            f"The snapshot is dated {as_of:%Y-%m-%d %H:%M} UTC, in the future: results "
            "cannot be counted ahead of time (check the feed's clock or the date typed)."
        )
    in_race = list(race.candidates.all())
    candidates = {c.name: c for c in in_race} | {c.source_id: c for c in in_race if c.source_id}
    unknown = [c.candidate for c in counts if c.candidate not in candidates]
    if unknown:
        raise ValidationError(f"Unknown candidates in {race}: {', '.join(unknown)}.")
    if not counts:
        raise ValidationError("A snapshot needs at least one candidate's count.")
    for count in counts:
        for value in (count.popular_votes, count.electoral_votes):
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                raise ValidationError(f"Votes for {count.candidate} must be whole numbers ≥ 0.")
    counted = sum(c.popular_votes for c in counts)
    if counted > MAX_VOTES or (total_votes is not None and total_votes > MAX_VOTES):
        raise ValidationError(
            f"The votes add up to more than {MAX_VOTES:,}: no election counts that many."
        )
    total_votes = counted if total_votes is None else total_votes
    if total_votes < counted:
        raise ValidationError(
            f"The total of {total_votes:,} votes is less than the {counted:,} counted "
            "for the candidates (shares would pass 100%)."
        )
    units_total = units_total if units_total is not None else race.units_total
    check_column(units_reporting, ResultSnapshot, "units_reporting", what="Results in")
    check_column(units_total, ResultSnapshot, "units_total", what="Results expected")
    if units_reporting is not None and units_total is not None and units_reporting > units_total:
        raise ValidationError(
            f"{units_reporting} units reporting is more than the {units_total} in the race."
        )
    if expected_vote is not None and not Decimal(0) <= expected_vote <= Decimal(100):
        raise ValidationError(f"{expected_vote}% of the expected vote: a share is 0 to 100%.")
    unit_rows = [_clean_unit(unit, candidates) for unit in units or []]
    electoral = sum(c.electoral_votes or 0 for c in counts)
    for count in counts:
        check_column(
            count.electoral_votes,
            CandidateResult,
            "electoral_votes",
            what=f"{race.threshold_unit or 'Electoral votes'} for {count.candidate}",
        )
    check_column(electoral, CandidateResult, "electoral_votes",
                 what=f"{race.threshold_unit or 'Electoral votes'} won in all")  # fmt: skip
    if race.threshold and electoral > 2 * race.threshold - 1:
        # A majority threshold T means at most 2T - 1 at stake (270 to win: 538).
        raise ValidationError(
            f"{electoral} {race.threshold_unit or 'votes'} won in all: more than are at stake "
            f"when {race.threshold} wins."
        )
    statewide = {candidates[c.candidate].pk: c.popular_votes for c in counts}
    # Counties, towns and states are parts of the race's count; a district need not be
    # (Iowa's caucus districts count votes, its statewide total delegate equivalents).
    for unit in (u for u in units or [] if u.level != "district"):
        for key, votes in unit.votes.items():
            if votes > statewide.get(candidates[key].pk, 0):
                raise ValidationError(
                    f"{unit.name}: {votes:,} votes for {candidates[key].name}, more than the "
                    f"{statewide.get(candidates[key].pk, 0):,} counted in the whole race."
                )
    snapshot = ResultSnapshot(
        race=race,
        as_of=as_of,
        source=source,
        source_seq=source_seq,
        units_reporting=units_reporting,
        units_total=units_total,
        expected_vote=expected_vote,
        call_status=call_status[:60],
        tabulation=tabulation[:60],
        total_votes=total_votes,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            snapshot.save()
    except IntegrityError:  # a concurrent ingest stored the same sequence first
        return existing.get(), False
    CandidateResult.objects.bulk_create(
        CandidateResult(
            snapshot=snapshot,
            candidate=candidates[c.candidate],
            popular_votes=c.popular_votes,
            electoral_votes=c.electoral_votes,
            runoff=c.runoff,
        )
        for c in counts
    )
    # In chunks: a race of 200,000 counties must not become one 200,000-row statement (and
    # as many model instances at once) in memory.
    for start in range(0, len(unit_rows), UNIT_BATCH):
        SnapshotUnit.objects.bulk_create(
            SnapshotUnit(snapshot=snapshot, **row) for row in unit_rows[start : start + UNIT_BATCH]
        )
    latest = ResultSnapshot.objects.latest_of(race.pk)
    if (
        latest is not None and latest.pk == snapshot.pk
    ):  # an older, late-arriving snapshot is history only
        _announce(race, {"race": race.pk, "snapshot": snapshot.pk}, by)
    return snapshot, True


def _clean_unit(unit: UnitCount, candidates: dict[str, Candidate]) -> dict[str, object]:
    unknown = [key for key in unit.votes if key not in candidates]
    if unknown:
        raise ValidationError(f"Unknown candidates in {unit.name}: {', '.join(unknown)}.")
    for key, value in unit.votes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError(f"Votes for {key} in {unit.name} must be whole numbers ≥ 0.")
    for name, words in (("units_reporting", "results in"), ("units_total", "results expected")):
        check_column(getattr(unit, name), SnapshotUnit, name, what=f"{unit.name}: {words}")
    if (
        unit.units_reporting is not None
        and unit.units_total is not None
        and unit.units_reporting > unit.units_total
    ):
        raise ValidationError(
            f"{unit.name}: {unit.units_reporting} reporting is more than its {unit.units_total}."
        )
    return {
        "source_id": unit.source_id,
        "fips_code": unit.fips_code,
        "name": unit.name,
        "level": unit.level,
        "units_reporting": unit.units_reporting,
        "units_total": unit.units_total,
        "votes": {str(candidates[k].pk): v for k, v in unit.votes.items()},
    }


def total_for_shares(shown: list[tuple[int, Decimal]]) -> int:
    """The total vote that reproduces every (votes, share shown to 0.1%) pair.

    For sources that show shares of all votes but not the total itself. Picks the
    middle of the totals consistent with every share; refuses contradictory shares.
    """
    low, high = Decimal(0), Decimal("Infinity")
    for votes, share in shown:
        # share - 0.05 <= 100 * votes / total < share + 0.05 (rounded half up)
        low = max(low, Decimal(100 * votes) / (share + Decimal("0.05")))
        if share > Decimal("0.05"):
            high = min(high, Decimal(100 * votes) / (share - Decimal("0.05")))
    total = int((low + high) / 2) if high != Decimal("Infinity") else int(low) + 1
    if not all(vote_share(v, total) == s for v, s in shown):
        raise ValidationError("These vote shares cannot all come from one total.")
    return total


def shares(snapshot: ResultSnapshot) -> dict[int, object]:
    """Each candidate's share of the snapshot's total, keyed by candidate id."""
    return {
        r.candidate_id: vote_share(r.popular_votes, snapshot.total_votes)
        for r in snapshot.results.all()
    }


@transaction.atomic
def snapshot_void(*, snapshot: ResultSnapshot, by: User, reason: str) -> ResultSnapshot:
    """Mark a snapshot void (kept on record with who and why): it is never shown as
    the latest again, and pages showing it go back to the previous standing one."""
    if not (reason or "").strip():
        raise ValidationError("Say why the snapshot is void (kept on record).")
    locked = ResultSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    if locked.voided_at is not None and by.has_perm("results.add_resultsnapshot"):
        return locked  # asked twice (a double click): already done
    check_void(by, locked)
    was_latest = ResultSnapshot.objects.latest_of(locked.race_id) == locked
    # Snapshots are immutable (save() refuses): the verdict is written beside them.
    ResultSnapshot.objects.filter(pk=locked.pk).update(
        voided_at=timezone.now(), voided_by=by, void_reason=reason.strip()
    )
    locked.refresh_from_db()
    if was_latest:
        _announce(locked.race, {"race": locked.race_id, "snapshot": locked.pk, "void": True}, by)
    return locked


@transaction.atomic
def winner_call(*, race: Race, candidate: Candidate, by: User, source: str) -> WinnerCall:
    """Record a call. It shows once a second editor confirms it."""
    if candidate.race_id != race.pk:
        raise ValidationError(f"{candidate.name} is not a candidate in {race}.")
    # Two editors calling at one moment: the race's row lock makes the second wait and
    # then see the first call (a clean refusal, never the unique constraint's 500).
    # The check reads the race as locked, never the caller's copy (a desk's list may have
    # told it whether a call stood, before this lock was taken).
    check_call(by, Race.objects.select_for_update().get(pk=race.pk))
    return _waiting(WinnerCall.objects.create(
        race=race, candidate=candidate, source=source, called_by=by, called_at=timezone.now()
    ))  # fmt: skip


@transaction.atomic
def winner_call_from_feed(
    *, race: Race, candidate: Candidate, source: str, at: datetime
) -> WinnerCall | None:
    """Record a wire service's call (AP's ``winner`` flag) as a pending call.

    It carries the source and no editor's name; an editor's confirmation is the second
    party before the banner shows. A standing call (pending or confirmed) is left alone,
    so re-importing the same feed never calls twice; returns the new call, if any.
    """
    if candidate.race_id != race.pk:
        raise ValidationError(f"{candidate.name} is not a candidate in {race}.")
    Race.objects.select_for_update().values_list("pk", flat=True).get(pk=race.pk)  # one at a time
    if race.calls.standing().exists():
        return None
    return _waiting(WinnerCall.objects.create(
        race=race, candidate=candidate, source=source, called_by=None, called_at=at
    ))  # fmt: skip


def _pending_corrections(call: WinnerCall) -> QuerySet[WinnerCall]:
    return call.corrections.pending()


@transaction.atomic
def winner_correct(
    *, call: WinnerCall, candidate: Candidate, by: User, note: str, source: str = ""
) -> WinnerCall:
    """Propose a correction of a confirmed call (another candidate won).

    The standing call and its banner stay until a second editor confirms the correction;
    then one transaction withdraws the old call and shows the new one, so readers never
    see the race without a call in between."""
    if not (note or "").strip():
        raise ValidationError("Say what the correction is (it is kept on record).")
    Race.objects.select_for_update().values_list("pk", flat=True).get(pk=call.race_id)
    call = WinnerCall.objects.select_for_update().get(pk=call.pk)
    check_correct(by, call)
    if candidate.race_id != call.race_id:
        raise ValidationError(f"{candidate.name} is not a candidate in {call.race}.")
    if candidate.pk == call.candidate_id:
        raise ValidationError(f"The standing call is already for {candidate.name}.")
    return _waiting(
        WinnerCall.objects.create(
            race_id=call.race_id,
            candidate=candidate,
            source=source or call.source,
            called_by=by,
            called_at=timezone.now(),
            replaces=call,
            correction_note=note.strip(),
        )
    )


@transaction.atomic
def winner_confirm(*, call: WinnerCall, by: User) -> WinnerCall:
    """A second editor confirms the call; the winner banner shows from now on. A
    correction replaces the call it corrects in the same transaction."""
    if call.replaces_id is not None:  # the race first, as every call writer locks it
        Race.objects.select_for_update().values_list("pk", flat=True).get(pk=call.race_id)
    call = WinnerCall.objects.select_for_update().get(pk=call.pk)
    if call.confirmed_at is not None and call.withdrawn_at is None and may_confirm(by):
        return call  # asked twice (a double click, two editors at once): already done
    check_confirm(by, call)
    now = timezone.now()
    if call.replaces_id is not None:
        replaced = WinnerCall.objects.select_for_update().get(pk=call.replaces_id)
        if replaced.withdrawn_at is None:
            replaced.withdrawn_by, replaced.withdrawn_at = by, now
            replaced.withdrawn_reason = f"Corrected: {call.correction_note}"
            replaced.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawn_reason"])
    call.confirmed_by, call.confirmed_at = by, now
    call.save(update_fields=["confirmed_by", "confirmed_at"])
    _announce(call.race, {"race": call.race_id, "call": call.pk}, by)
    return call


@transaction.atomic
def winner_withdraw(*, call: WinnerCall, by: User, reason: str) -> WinnerCall:
    """Withdraw a call (kept on record); the banner goes from open pages. A correction
    waiting to replace it goes with it."""
    if not (reason or "").strip():
        raise ValidationError("Say why the call is withdrawn.")
    call = WinnerCall.objects.select_for_update().get(pk=call.pk)
    if call.withdrawn_at is not None and may_confirm(by):
        return call  # asked twice: already done
    check_withdraw(by, call)
    was_shown = call.confirmed_at is not None
    call.withdrawn_by, call.withdrawn_at = by, timezone.now()
    call.withdrawn_reason = reason.strip()
    call.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawn_reason"])
    _pending_corrections(call).update(
        withdrawn_by=by,
        withdrawn_at=call.withdrawn_at,
        withdrawn_reason="The call it corrected was withdrawn.",
    )
    if was_shown:
        _announce(call.race, {"race": call.race_id, "call": call.pk, "withdrawn": True}, by)
    else:
        _waiting(call)  # no longer waiting: the editors' desks drop it
    return call


@transaction.atomic
def winner_reject(*, call: WinnerCall, by: User) -> WinnerCall:
    """A second editor rejects a call that is not shown yet (the wire's or a colleague's):
    it is withdrawn, with who rejected it on record, and never shows."""
    call = WinnerCall.objects.select_for_update().get(pk=call.pk)
    if call.withdrawn_at is not None and may_confirm(by):
        return call  # asked twice: already done
    check_reject(by, call)
    name = by.get_full_name() or by.get_username()
    return winner_withdraw(call=call, by=by, reason=f"Rejected by a second editor ({name}).")
