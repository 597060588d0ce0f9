"""AP Elections API v2 documents → one import plan per race, checked before anything is stored.

A document holds ``races[]``; each race has ``reportingUnits[]``, at these levels:

- ``national``: a national race's total (a presidential document sent as one race);
- ``state``: a state's total; in a national race, each state is a unit of the breakdown;
- ``district``: congressional districts (Maine's and Nebraska's electoral votes) and
  caucus districts (Iowa);
- ``subunit``: a county, or a town in New England, where towns share their county's
  ``fipsCode``; ``reportingunitID`` tells every unit apart and is the key.

The top unit (national, else state) is the snapshot; the others are its breakdown.
A race id is unique only within a state and an election, hence ``Race.source_id =
"KY-18525"`` with ``Race.election_date``. Primaries and caucuses carry ``raceType`` and the
race's ``party``; an uncontested race may come with no reporting units at all (its
``statePostal``, ``lastUpdated`` and ``candidates`` are then on the race).

Problems with the document as a whole (not JSON, no ``races`` list) refuse all of it;
a problem inside one race refuses that race and the others still import, so one bad
county in Mississippi does not hold back Kentucky on election night. A unit of a level
this importer does not know is skipped with a warning naming its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from results.services import UnitCount, rollups_deferred

from . import ap_fields as f
from .ap_fields import RacePlan
from .checks import Refused, aware_time, field, ident, items, join, mapping, shown, text, whole
from .report import ImportReport
from .store import record_race_plan, skip_stored

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOP_LEVELS = ("national", "state")


def import_ap(doc: Any, *, by: User | None = None, allow_test: bool = False) -> ImportReport:
    """Import every race of an AP document; each race is stored whole or not at all.

    Races flagged ``"test": true`` (AP's test mode sends made-up numbers) are skipped
    with a warning unless ``allow_test``: they must never reach a live page by accident.
    """
    report = ImportReport(format=f"AP Elections API v{api_version(doc)}")
    try:
        races = races_of(doc)
        election_date = election_date_of(doc)
    except Refused as exc:
        report.errors.append(str(exc))
        return report
    plans: list[RacePlan] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(races):
        label = race_label(index, raw)
        report.races_seen += 1
        if isinstance(raw, Mapping) and raw.get("test") is True and not allow_test:
            report.warnings.append(f'{label}: an AP test race ("test": true), not imported')
            continue
        try:
            plan = parse_race(raw, label, election_date=election_date)
        except Refused as exc:
            report.errors.append(str(exc))
            continue
        finally:
            races[index] = raw = None  # planned: its parsed JSON is freed as we go
        report.warnings += plan.warnings
        if plan.source_id in seen:
            report.errors.append(f"{label}: the same race as {seen[plan.source_id]}")
            continue
        seen[plan.source_id] = label
        plans.append(plan)
    with rollups_deferred() as problems:  # one national roll-up per document
        for plan in skip_stored(plans, report):
            record_race_plan(plan, by=by, report=report)
    report.errors += problems
    return report


V3_MARKS = ("eevp", "reportingunitLevel", "raceCallStatus", "tabulationStatus")


def api_version(doc: Any) -> int:
    """3 for AP's current API, 2 for the old one, by shape: v3 says ``apiVersion`` (3.x)
    and adds the expected vote (``eevp``), numbered unit levels, call and tabulation
    statuses, and reports counties at level ``FIPSCode``; v2 has none of them."""
    if not isinstance(doc, Mapping):
        return 2
    if str(doc.get("apiVersion", "")).startswith("3"):
        return 3
    for race in doc.get("races") or []:
        if not isinstance(race, Mapping):
            continue
        units = race.get("reportingUnits") or []
        first = units[0] if isinstance(units, list) and units else {}
        if any(key in race for key in V3_MARKS) or (
            isinstance(first, Mapping)
            and (any(key in first for key in V3_MARKS) or first.get("level") == "FIPSCode")
        ):
            return 3
    return 2


def races_of(doc: Any) -> list[Any]:
    """The document's race list; a document without one is refused as a whole."""
    if not isinstance(doc, Mapping):
        raise Refused(f"document: expected an AP Elections API object, got {type(doc).__name__}")
    if "races" not in doc:
        raise Refused(
            'document: missing "races" (an AP Elections API document has a "races" list; '
            'the newsroom format has "race" and "candidates")'
        )
    return items(doc["races"], "races", allow_empty=True)


def election_date_of(doc: Mapping[str, Any]) -> date | None:
    """The document's ``electionDate`` (AP's race ids are unique within an election)."""
    if doc.get("electionDate") is None:
        return None
    raw = text(doc["electionDate"], "electionDate", max_length=10)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused(f'electionDate: expected a date like "2016-04-26", got "{raw}"') from None


def race_label(index: int, raw: Any) -> str:
    """``races[1] (MS-25002)`` as far as the race can be identified, else ``races[1]``."""
    label = f"races[{index}]"
    if not isinstance(raw, Mapping):
        return label
    race_id = raw.get("raceID")
    units = raw.get("reportingUnits")
    postal = raw.get("statePostal") if isinstance(raw.get("statePostal"), str) else None
    if isinstance(units, list) and postal is None:
        ranked = sorted(
            (u for u in units if isinstance(u, Mapping)),
            key=lambda u: u.get("level") not in TOP_LEVELS,
        )
        postal = next(
            (u["statePostal"] for u in ranked if isinstance(u.get("statePostal"), str)), None
        )
    if isinstance(race_id, str | int) and not isinstance(race_id, bool):
        return f"{label} ({postal}-{race_id})" if postal else f"{label} (raceID {race_id})"
    return label


KNOWN_LEVELS = ("national", "state", "district", "subunit")
# v3 names counties "FIPSCode" when asked for them by FIPS code; the rest as v2 does.
LEVEL_NAMES = {"fipscode": "subunit", "county": "subunit"}


def unit_level(unit: Mapping[str, Any], path: str) -> str:
    """The unit's level as v2 spells it. v3 may give only ``reportingunitLevel`` (1 the
    state, or the nation for ``US``; 2 and below its counties, towns or districts)."""
    if unit.get("level") is None and unit.get("reportingunitLevel") is not None:
        number = whole(unit["reportingunitLevel"], join(path, "reportingunitLevel"), maximum=9)
        if number <= 1:
            return "national" if unit.get("statePostal") == "US" else "state"
        return "subunit"
    level = text(field(unit, "level", path), join(path, "level"), max_length=20)
    return LEVEL_NAMES.get(level.lower(), level)


def status(race: Mapping[str, Any], key: str, label: str, warnings: list[str]) -> str:
    """A v3 status (``raceCallStatus``, ``tabulationStatus``) as sent; one that is not a
    short text is left out with a warning (the race imports)."""
    raw = race.get(key)
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or len(raw) > 60:
        warnings.append(f"{label} {key}: {shown(raw)} is not a status AP sends; left out")
        return ""
    return raw


def expected_vote(race: Mapping[str, Any], top: Mapping[str, Any], label: str,
                  warnings: list[str]) -> Decimal | None:  # fmt: skip
    """AP's estimated expected vote counted (``eevp``, per cent, v3), on the race or its
    top unit; a value that is not a share is left out with a warning."""
    where, raw = (label, race["eevp"]) if race.get("eevp") is not None else (
        "the top unit", top.get("eevp"))  # fmt: skip
    if raw is None:
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        share = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError):
        share = None
    if share is None or not Decimal(0) <= share <= Decimal(100):
        warnings.append(f"{where} eevp: {shown(raw)} is not a share of 0 to 100; left out")
        return None
    return share


def parse_race(raw: Any, label: str, *, election_date: date | None = None) -> RacePlan:
    race = mapping(raw, label)
    race_id = ident(field(race, "raceID", label), f"{label} raceID", max_length=20)
    office = text(field(race, "officeName", label), f"{label} officeName", max_length=100)
    kind = f.race_kind(race, label)
    uncontested = race.get("uncontested") is True
    if uncontested and not race.get("reportingUnits"):
        return _uncontested_plan(race, label, race_id, office, kind, election_date)
    units_path = f"{label} reportingUnits"
    raw_units = items(field(race, "reportingUnits", label), units_path)
    units = [mapping(u, join(units_path, i)) for i, u in enumerate(raw_units)]
    levels = [unit_level(u, join(units_path, i)) for i, u in enumerate(units)]
    warnings = [
        f'{join(units_path, i)}: level "{level}" is not one this importer knows '
        f"({', '.join(KNOWN_LEVELS)}); the unit is left out"
        for i, level in enumerate(levels)
        if level not in KNOWN_LEVELS
    ]
    top_level = "national" if "national" in levels else "state"
    tops = [i for i, level in enumerate(levels) if level == top_level]
    if not tops:
        raise Refused(
            f'{units_path}: no unit with level "state" (the statewide total), so there is '
            "no total to record"
        )
    if len(tops) > 1:
        raise Refused(f'{join(units_path, tops[1])}: a second "{top_level}" unit in one race')
    top_path = join(units_path, tops[0])
    top = units[tops[0]]
    postal = text(field(top, "statePostal", top_path), join(top_path, "statePostal"), max_length=10)
    reporting, total = f.precincts(top, top_path)
    candidates = f.candidates(top, top_path, warnings=warnings)
    eevp = expected_vote(race, top, label, warnings)
    call_status, tabulation = (status(race, key, label, warnings)
                               for key in ("raceCallStatus", "tabulationStatus"))  # fmt: skip
    seats = f.seats(race, label)
    f.check_winners(top_path, candidates, seats)
    known = {c.source_id for c in candidates}
    # New England reports by town: towns share their county's FIPS code.
    fips = [u.get("fipsCode") for u, level in zip(units, levels, strict=True)
            if level == "subunit" and u.get("fipsCode") is not None]  # fmt: skip
    subunit = "town" if len(fips) != len(set(map(str, fips))) else "county"
    breakdown: dict[str, UnitCount] = {}
    district_votes: list[dict[str, int]] = []
    for i, unit in enumerate(units):
        if i == tops[0] or levels[i] not in KNOWN_LEVELS:
            continue
        level = {"subunit": subunit}.get(levels[i], levels[i])
        path = join(units_path, i)
        count, electoral = f.unit_count(unit, path, level, known)
        if count.source_id in breakdown:
            raise Refused(f"{path}: unit {count.source_id} appears twice in this race")
        breakdown[count.source_id] = count
        if level == "district" and electoral:
            district_votes.append(electoral)
    stamp = field(top, "lastUpdated", top_path)
    at_stake = f.electoral_total(top, top_path)
    with_districts = f.with_district_votes(candidates, district_votes)
    f.check_electoral(top_path, with_districts, at_stake,
                      from_districts=with_districts is not candidates)  # fmt: skip
    return RacePlan(
        label=label,
        source_id=f"{postal}-{race_id}",
        election_date=election_date,
        name=f.race_name(race, top, label, postal, office, kind),
        office=office,
        level="national" if top_level == "national" else "state",
        state_postal=postal,
        kind=kind,
        uncontested=uncontested,
        threshold=at_stake // 2 + 1 if at_stake and top_level == "national" else None,
        electoral_votes=at_stake if top_level == "state" else None,
        as_of=aware_time(stamp, join(top_path, "lastUpdated")),
        source_seq=text(stamp, join(top_path, "lastUpdated"), max_length=60),
        units_reporting=reporting,
        units_total=total,
        candidates=tuple(with_districts),
        units=tuple(breakdown.values()),
        warnings=tuple(warnings),
        seats=seats,
        expected_vote=eevp,
        call_status=call_status,
        tabulation=tabulation,
    )


def _uncontested_plan(race: Mapping[str, Any], label: str, race_id: str, office: str,
                      kind: f.RaceKind, election_date: date | None) -> RacePlan:  # fmt: skip
    """An uncontested race sent without reporting units: the race itself carries its
    state, time and (perhaps no) candidates. Nothing is counted, so no snapshot."""
    postal = text(field(race, "statePostal", label), f"{label} statePostal", max_length=10)
    stamp = field(race, "lastUpdated", label)
    warnings: list[str] = []
    candidates = (f.candidates(race, label, allow_empty=True, warnings=warnings)
                  if "candidates" in race else [])  # fmt: skip
    f.check_winners(label, candidates, f.seats(race, label))
    return RacePlan(
        label=label,
        source_id=f"{postal}-{race_id}",
        election_date=election_date,
        name=f.race_name(race, race, label, postal, office, kind),
        office=office,
        level="state",
        state_postal=postal,
        kind=kind,
        uncontested=True,
        threshold=None,
        electoral_votes=None,
        as_of=aware_time(stamp, f"{label} lastUpdated"),
        source_seq=text(stamp, f"{label} lastUpdated", max_length=60),
        units_reporting=None,
        units_total=None,
        candidates=tuple(candidates),
        units=(),
        warnings=tuple(warnings),
        counted=False,
    )
