"""Storing checked imports through ``results.services``, one race or snapshot at a time.

Each part (an AP race, one snapshot of our format) is its own transaction: it is stored
whole or not at all, and a refusal is reported without stopping the rest of the document.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.text import slugify

from results import rehearsing
from results.geography import office_totals
from results.models import Candidate, CandidateResult, Race, ResultSnapshot
from results.services import (
    CandidateCount,
    snapshot_record,
    winner_call_from_feed,
)

from .ap_fields import PARTY_NAMES, SOURCE, RacePlan, party_colour
from .checks import Refused
from .report import ImportReport

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


@contextmanager
def one_part(report: ImportReport, label: str) -> Iterator[ImportReport]:
    """A transaction for one part; its counts reach ``report`` only if it commits."""
    part = ImportReport()
    try:
        with transaction.atomic():
            yield part
    except Refused as exc:
        report.errors.append(str(exc))
    except ValidationError as exc:
        report.errors.append(f"{label}: {' '.join(exc.messages)}")
    except IntegrityError:
        # Two imports created the same race or candidate at once; the next one succeeds.
        report.errors.append(f"{label}: changed by another import at the same moment; try again")
    except DatabaseError as exc:
        # A value the checks let through and the database refused: this part only is lost
        # (its savepoint rolled back), and the rest of the document imports.
        logger.exception("results import: the database refused %s", label)
        report.errors.append(f"{label}: the database refused it ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:120]})")  # fmt: skip
    else:
        report.merge(part)


def record_snapshot(
    part: ImportReport, label: str, *, race: Race, counts: list[CandidateCount], **kwargs: Any
) -> ResultSnapshot:
    """``snapshot_record`` and count what it did: new, already stored, or older history."""
    snapshot, created = snapshot_record(race=race, counts=counts, **kwargs)
    if not created:
        part.duplicates_skipped += 1
        if _stored_votes(snapshot) != _incoming_votes(race, counts):
            part.warnings.append(
                f"{label}: {snapshot.source} {snapshot.source_seq!r} is already stored with "
                "different votes; the stored snapshot is kept (a correction needs a new sequence)"
            )
        return snapshot
    part.snapshots_created += 1
    latest = ResultSnapshot.objects.latest_of(race.pk)
    if latest is not None and latest.pk != snapshot.pk:
        part.older_kept += 1
    return snapshot


def _stored_votes(snapshot: ResultSnapshot) -> dict[int, int]:
    return {r.candidate_id: r.popular_votes for r in snapshot.results.all()}


def _incoming_votes(race: Race, counts: list[CandidateCount]) -> dict[int, int]:
    keys = {c.name: c.pk for c in race.candidates.all()}
    keys |= {c.source_id: c.pk for c in race.candidates.all() if c.source_id}
    return {keys.get(c.candidate, -1): c.popular_votes for c in counts}


def skip_stored(plans: list[RacePlan], report: ImportReport) -> list[RacePlan]:
    """The plans whose snapshot is not stored yet. AP answers most polls with what it sent
    before: those races are found in one query (their votes in a second) and skipped,
    with a warning if the same sequence now carries different votes."""
    wanted = {(p.source_id, p.election_date, p.source_seq): p for p in plans if p.counted}
    if not wanted:
        return plans
    found = ResultSnapshot.objects.filter(
        source=SOURCE,
        source_seq__in={key[2] for key in wanted},
        race__source_id__in={key[0] for key in wanted},
        race__rehearsal=rehearsing.current(),
    ).values_list("pk", "race__source_id", "race__election_date", "source_seq")
    stored = {pk: (source_id, day, seq) for pk, source_id, day, seq in found
              if (source_id, day, seq) in wanted}  # fmt: skip
    votes: dict[int, dict[str, int]] = {pk: {} for pk in stored}
    for snapshot_id, candidate, count in CandidateResult.objects.filter(
        snapshot_id__in=stored
    ).values_list("snapshot_id", "candidate__source_id", "popular_votes"):
        votes[snapshot_id][candidate] = count
    skipped = set()
    for pk, key in stored.items():
        plan = wanted[key]
        skipped.add(key)
        report.duplicates_skipped += 1
        if votes[pk] != {c.source_id: c.votes for c in plan.candidates}:
            report.warnings.append(
                f"{plan.label}: {SOURCE} {plan.source_seq!r} is already stored with different "
                "votes; the stored snapshot is kept (a correction needs a new sequence)"
            )
    return [p for p in plans if (p.source_id, p.election_date, p.source_seq) not in skipped]


def record_race_plan(plan: RacePlan, *, by: User | None, report: ImportReport) -> None:
    """Create the race and candidates on first sight, record the snapshot and AP's call."""
    with one_part(report, plan.label) as part:
        race = _race(plan, part)
        _candidates(race, plan, part)
        if not plan.counted:  # uncontested, sent without units: nothing was counted
            part.uncontested += 1
            _call(race, plan, None, part)
            return
        snapshot = record_snapshot(
            part,
            plan.label,
            race=race,
            as_of=plan.as_of,
            source=SOURCE,
            source_seq=plan.source_seq,
            counts=[
                CandidateCount(c.source_id, c.votes, c.electoral_votes, runoff=c.runoff)
                for c in plan.candidates
            ],
            total_votes=sum(c.votes for c in plan.candidates),
            units_reporting=plan.units_reporting,
            units_total=plan.units_total,
            units=list(plan.units),
            expected_vote=plan.expected_vote,
            call_status=plan.call_status,
            tabulation=plan.tabulation,
            by=by,
        )
        _call(race, plan, snapshot, part)


def _race(plan: RacePlan, part: ImportReport) -> Race:
    """The plan's race: found by the feed's id within its election, or a race an editor
    set up with that id (adopted), or created. Its description follows the feed."""
    found = Race.objects.select_for_update().filter(
        source_id=plan.source_id, rehearsal=rehearsing.current()
    )
    race = found.filter(election_date=plan.election_date).first()
    if race is None and plan.election_date is not None:
        race = found.filter(election_date__isnull=True).first()
    fields = {
        "election_date": plan.election_date,
        "level": plan.level,
        "state_postal": plan.state_postal,
        "race_type": plan.kind.race_type,
        "party": plan.kind.party,
        "uncontested": plan.uncontested,
        "electoral_votes": plan.electoral_votes,
    }
    if plan.threshold is not None:
        fields |= {"threshold": plan.threshold, "threshold_unit": "electoral votes"}
    if race is None:
        part.races_created += 1
        race = Race.objects.create(
            name=plan.name,
            slug=_free_slug(f"{plan.name} {plan.source_id}"),
            office=plan.office,
            source_id=plan.source_id,
            unit_label="precinct",  # AP counts precincts reporting
            rehearsal=rehearsing.current(),
            **({"threshold_unit": ""} | fields),
        )
    else:
        changed = [name for name, value in fields.items() if getattr(race, name) != value]
        if changed:
            for name in changed:
                setattr(race, name, fields[name])
            race.save(update_fields=changed)
    if race.parent_id is None and plan.electoral_votes and plan.kind.is_general:
        race.parent = national_race_for(race)
        race.save(update_fields=["parent"])
    return race


def national_race_for(state: Race) -> Race:
    """The national race a state's electoral-college contest counts towards: one per
    office and election day, created the first time one of its states is imported."""
    totals = office_totals(state.office) if state.race_type in ("", "General") else None
    national, _ = Race.objects.get_or_create(
        source_id=f"US-{slugify(state.office)}",
        election_date=state.election_date,
        rehearsal=state.rehearsal,
        defaults={
            # The office's totals come first (270 of 538, 51 contests), never the sum of
            # the states seen so far: AP sends one state at a time.
            "at_stake": totals.at_stake if totals else None,
            "contests": totals.contests if totals else None,
            "name": f"United States {state.office}"
            + (f" {state.election_date:%Y}" if state.election_date else ""),
            "slug": _free_slug(f"us {state.office} {state.election_date or ''}"),
            "office": state.office,
            "level": "national",
            "threshold_unit": "electoral votes",
            "unit_label": "state",
            "race_type": state.race_type,
        },
    )
    return national


def _free_slug(text: str) -> str:
    base = slugify(text)[:90] or "race"
    slug, n = base, 1
    while Race.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _candidates(race: Race, plan: RacePlan, part: ImportReport) -> None:
    """Reuse candidates by AP id; adopt a hand-made one of the same name; create the rest.

    Names, parties and colours of existing candidates are left as editors set them.
    """
    existing = list(race.candidates.all())
    new: list[Candidate] = []
    by_id = {c.source_id: c for c in existing if c.source_id}
    by_name = {c.name: c for c in existing}
    for c in plan.candidates:
        if c.source_id in by_id:
            known = by_id[c.source_id]
            fields: dict[str, object] = {"incumbent": c.incumbent}
            if c.politician_id:
                fields["politician_id"] = c.politician_id
            changed = [name for name, value in fields.items() if getattr(known, name) != value]
            if changed:
                for name in changed:
                    setattr(known, name, fields[name])
                known.save(update_fields=changed)
            continue
        same_name = by_name.get(c.name)
        if same_name is not None and not same_name.source_id:
            same_name.source_id = c.source_id
            same_name.save(update_fields=["source_id"])
            continue
        name = c.name if same_name is None else f"{c.name} ({c.source_id})"[:120]
        by_name[name] = Candidate(
            race=race,
            name=name,
            party=PARTY_NAMES.get(c.party, c.party),
            party_short=c.party,
            colour=party_colour(c.party),
            ballot_order=c.ballot_order,
            source_id=c.source_id,
            politician_id=c.politician_id,
            incumbent=c.incumbent,
        )
        new.append(by_name[name])
    Candidate.objects.bulk_create(new)
    part.candidates_created += len(new)


def _call(race: Race, plan: RacePlan, snapshot: ResultSnapshot | None,
          part: ImportReport) -> None:  # fmt: skip
    """AP's winner flag → a pending call, from the race's latest snapshot only (or, for an
    uncontested race sent without units, from the race itself).

    An older, late-arriving document may carry a call AP has since taken back, and a call
    an editor withdrew is never made again from the same flag.
    """
    latest = ResultSnapshot.objects.latest_of(race.pk)
    if snapshot is not None and (latest is None or latest.pk != snapshot.pk):
        return
    standing = race.calls.standing().select_related("candidate").first()
    winners = plan.winners
    if len(winners) > 1:
        seats = f" in a race for {plan.seats} seats" if plan.seats > 1 else ""
        part.warnings.append(
            f"{plan.label}: AP marks {len(winners)} winners{seats}; a call names one winner, "
            "so none is recorded (editors report such races in posts)"
        )
        return
    if not winners:
        if standing is not None and standing.source == SOURCE and part.snapshots_created:
            part.warnings.append(
                f"{plan.label}: AP no longer marks a winner, but the call for "
                f"{standing.candidate.name} stands until an editor withdraws it"
            )
        return
    candidate = race.candidates.get(source_id=winners[0])
    if standing is not None:
        if standing.candidate_id != candidate.pk:
            part.warnings.append(
                f"{plan.label}: AP calls {candidate.name}, but the standing call is for "
                f"{standing.candidate.name}; an editor must withdraw it first"
            )
        return
    if race.calls.filter(source=SOURCE, candidate=candidate).exists():
        return  # AP's call for this candidate was made once and withdrawn by an editor
    if winner_call_from_feed(race=race, candidate=candidate, source=SOURCE, at=plan.as_of):
        part.calls_recorded += 1
