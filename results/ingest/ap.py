"""AP Elections API v2 documents → one import plan per race, checked before anything is stored.

A document holds ``races[]``; each race has ``reportingUnits[]``: one statewide unit
(``level: "state"``, or ``"national"`` for a national race) and county units
(``level: "subunit"``). The statewide unit is the snapshot; counties are its breakdown.
A race id is unique only within a state, hence ``Race.source_id = "KY-18525"``.

Problems with the document as a whole (not JSON, no ``races`` list) refuse all of it;
a problem inside one race refuses that race and the others still import, so one bad
county in Mississippi does not hold back Kentucky on election night.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from results.services import UnitCount

from . import ap_fields as f
from .ap_fields import RacePlan
from .checks import Refused, aware_time, field, ident, items, join, mapping, text
from .report import ImportReport
from .store import record_race_plan

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOP_LEVELS = ("national", "state")


def import_ap(doc: Any, *, by: User | None = None, allow_test: bool = False) -> ImportReport:
    """Import every race of an AP document; each race is stored whole or not at all.

    Races flagged ``"test": true`` (AP's test mode sends made-up numbers) are skipped
    with a warning unless ``allow_test``: they must never reach a live page by accident.
    """
    report = ImportReport(format="AP Elections API v2")
    try:
        races = races_of(doc)
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
            plan = parse_race(raw, label)
        except Refused as exc:
            report.errors.append(str(exc))
            continue
        if plan.source_id in seen:
            report.errors.append(f"{label}: the same race as {seen[plan.source_id]}")
            continue
        seen[plan.source_id] = label
        plans.append(plan)
    for plan in plans:
        record_race_plan(plan, by=by, report=report)
    return report


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


def race_label(index: int, raw: Any) -> str:
    """``races[1] (MS-25002)`` as far as the race can be identified, else ``races[1]``."""
    label = f"races[{index}]"
    if not isinstance(raw, Mapping):
        return label
    race_id = raw.get("raceID")
    units = raw.get("reportingUnits")
    postal = None
    if isinstance(units, list):
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


def parse_race(raw: Any, label: str) -> RacePlan:
    race = mapping(raw, label)
    race_id = ident(field(race, "raceID", label), f"{label} raceID", max_length=20)
    office = text(field(race, "officeName", label), f"{label} officeName", max_length=100)
    units_path = f"{label} reportingUnits"
    raw_units = items(field(race, "reportingUnits", label), units_path)
    units = [mapping(u, join(units_path, i)) for i, u in enumerate(raw_units)]
    levels = [
        text(
            field(u, "level", join(units_path, i)),
            join(join(units_path, i), "level"),
            max_length=20,
        )
        for i, u in enumerate(units)
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
    candidates = f.candidates(top, top_path)
    f.check_electoral(top, top_path, candidates)
    known = {c.source_id for c in candidates}
    breakdown: dict[str, UnitCount] = {}
    for i, unit in enumerate(units):
        level = {"subunit": "county", "state": "state"}.get(levels[i])
        if i == tops[0] or level is None:
            continue  # districts, townships…: not part of the county breakdown
        path = join(units_path, i)
        count = f.unit_count(unit, path, level, known)
        if count.source_id in breakdown:
            raise Refused(f"{path}: unit {count.source_id} appears twice in this race")
        breakdown[count.source_id] = count
    stamp = field(top, "lastUpdated", top_path)
    return RacePlan(
        label=label,
        source_id=f"{postal}-{race_id}",
        name=f.race_name(race, top, label, postal, office),
        office=office,
        threshold=f.threshold(top, top_path),
        as_of=aware_time(stamp, join(top_path, "lastUpdated")),
        source_seq=text(stamp, join(top_path, "lastUpdated"), max_length=60),
        units_reporting=reporting,
        units_total=total,
        candidates=tuple(candidates),
        units=tuple(breakdown.values()),
    )
