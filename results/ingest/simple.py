"""The newsroom's own results format, JSON or CSV, for newsrooms without an AP feed.

One snapshot of one race per JSON object (or list of objects), or per group of CSV rows
sharing ``race``, ``source`` and ``source_seq``. The race and its candidates must exist
already (by race slug and candidate name): this format records counts, it does not set
races up. Documented with examples in ``docs/results-ingest.md``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from results.models import Race
from results.services import CandidateCount

from .checks import (
    MAX_INT,
    Refused,
    aware_time,
    field,
    items,
    join,
    mapping,
    shown,
    text,
    whole,
    whole_text,
    within,
)
from .report import ImportReport
from .store import one_part, record_snapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SNAPSHOT_FIELDS = ("race", "as_of", "source", "source_seq")
OPTIONAL_FIELDS = ("units_reporting", "units_total", "total_votes")
CANDIDATE_FIELDS = ("name", "popular_votes", "electoral_votes")
CSV_COLUMNS = (
    "race",
    "as_of",
    "source",
    "source_seq",
    "units_reporting",
    "units_total",
    "total_votes",
    "candidate",
    "popular_votes",
    "electoral_votes",
)
CSV_REQUIRED = ("race", "as_of", "source", "source_seq", "candidate", "popular_votes")


@dataclass(frozen=True)
class Line:
    candidate: str
    popular_votes: int
    electoral_votes: int | None
    where: str  # the candidate's field, for messages: "candidates[1].name", "row 3 candidate"


@dataclass(frozen=True)
class SnapshotPlan:
    label: str  # "[0] (us-president-2024)" or "rows 2–3 (us-president-2024)"
    race_where: str
    race: str
    as_of: datetime
    source: str
    source_seq: str
    units_reporting: int | None
    units_total: int | None
    total_votes: int | None
    lines: tuple[Line, ...]


def import_json(doc: Any, *, by: User | None = None) -> ImportReport:
    report = ImportReport(format="newsroom JSON")
    entries = [(doc, "")] if isinstance(doc, Mapping) else None
    if entries is None:
        try:
            entries = [(e, f"[{i}]") for i, e in enumerate(items(doc, "document"))]
        except Refused as exc:
            report.errors.append(str(exc))
            return report
    plans = []
    for entry, where in entries:
        try:
            plans.append(_json_plan(entry, where))
        except Refused as exc:
            report.errors.append(str(exc))
    report.races_seen = len({_race_key(entry) for entry, _ in entries})
    return _record_all(plans, report, by)


def _race_key(entry: Any) -> str:
    return str(entry.get("race")) if isinstance(entry, Mapping) else repr(entry)


def _json_plan(raw: Any, where: str) -> SnapshotPlan:
    entry = mapping(raw, where or "document")
    _no_unknown(entry, (*SNAPSHOT_FIELDS, *OPTIONAL_FIELDS, "candidates"), where)
    at = {key: join(where, key) for key in (*SNAPSHOT_FIELDS, *OPTIONAL_FIELDS, "candidates")}
    race = text(field(entry, "race", where), at["race"], max_length=100)
    optional = {
        key: None if entry.get(key) is None else whole(entry[key], at[key], maximum=MAX_INT)
        for key in OPTIONAL_FIELDS
    }
    within(
        optional["units_reporting"], optional["units_total"], at["units_reporting"], "units_total"
    )
    lines = []
    for j, raw_line in enumerate(items(field(entry, "candidates", where), at["candidates"])):
        lp = join(at["candidates"], j)
        c = mapping(raw_line, lp)
        _no_unknown(c, CANDIDATE_FIELDS, lp)
        ev = c.get("electoral_votes")
        lines.append(
            Line(
                candidate=text(field(c, "name", lp), join(lp, "name"), max_length=120),
                popular_votes=whole(field(c, "popular_votes", lp), join(lp, "popular_votes")),
                electoral_votes=None
                if ev is None
                else whole(ev, join(lp, "electoral_votes"), maximum=MAX_INT),
                where=join(lp, "name"),
            )
        )
    _no_repeats(lines)
    return SnapshotPlan(
        label=f"{where} ({race})".strip(),
        race_where=at["race"],
        race=race,
        as_of=aware_time(field(entry, "as_of", where), at["as_of"]),
        source=text(field(entry, "source", where), at["source"], max_length=60),
        source_seq=text(field(entry, "source_seq", where), at["source_seq"], max_length=60),
        units_reporting=optional["units_reporting"],
        units_total=optional["units_total"],
        total_votes=optional["total_votes"],
        lines=tuple(lines),
    )


def _no_unknown(obj: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    """Our own format is strict: a misspelt field must not be dropped in silence."""
    for key in obj:
        if key not in allowed:
            raise Refused(
                f"{where or 'document'}: unknown field {shown(key)} (expected {', '.join(allowed)})"
            )


def _no_repeats(lines: list[Line]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.candidate in seen:
            raise Refused(f"{line.where}: {shown(line.candidate)} appears twice in one snapshot")
        seen.add(line.candidate)


def import_csv(content: str, *, by: User | None = None) -> ImportReport:
    report = ImportReport(format="newsroom CSV")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [(name or "").strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if unknown or missing:
        report.errors.append(
            f"row 1 (header): {'unknown columns ' + ', '.join(unknown) if unknown else ''}"
            f"{'; ' if unknown and missing else ''}"
            f"{'missing columns ' + ', '.join(missing) if missing else ''} "
            f"(expected {','.join(CSV_COLUMNS)})"
        )
        return report
    reader.fieldnames = header
    groups: dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]] = {}
    for row in reader:
        if None in row:  # an unquoted comma ("Trump, Donald") shifts every cell after it
            report.errors.append(
                f"row {reader.line_num}: more cells than columns (quote cells with commas)"
            )
            return report
        cells = {k: (v or "").strip() for k, v in row.items()}
        if any(cells.values()):
            key = (cells["race"], cells["source"], cells["source_seq"])
            groups.setdefault(key, []).append((reader.line_num, cells))
    plans = []
    for rows in groups.values():
        try:
            plans.append(_csv_plan(rows))
        except Refused as exc:
            report.errors.append(str(exc))
    report.races_seen = len({race for race, _, _ in groups})
    return _record_all(plans, report, by)


def _csv_plan(rows: list[tuple[int, dict[str, str]]]) -> SnapshotPlan:
    first_n, first = rows[0]
    for n, cells in rows[1:]:  # one snapshot: its rows must agree on the snapshot's fields
        for key in ("as_of", *OPTIONAL_FIELDS):
            if cells.get(key, "") != first.get(key, ""):
                raise Refused(
                    f"row {n} {key}: {shown(cells.get(key, ''))} differs from row {first_n}'s "
                    f"{shown(first.get(key, ''))} for the same race, source and source_seq"
                )
    optional = {
        key: whole_text(first[key], f"row {first_n} {key}", maximum=MAX_INT)
        if first.get(key)
        else None
        for key in OPTIONAL_FIELDS
    }
    within(
        optional["units_reporting"],
        optional["units_total"],
        f"row {first_n} units_reporting",
        "units_total",
    )
    lines = []
    for n, cells in rows:
        ev = cells.get("electoral_votes", "")
        lines.append(
            Line(
                candidate=text(cells["candidate"], f"row {n} candidate", max_length=120),
                popular_votes=whole_text(cells["popular_votes"], f"row {n} popular_votes"),
                electoral_votes=whole_text(ev, f"row {n} electoral_votes", maximum=MAX_INT)
                if ev
                else None,
                where=f"row {n} candidate",
            )
        )
    _no_repeats(lines)
    span = f"row {first_n}" if len(rows) == 1 else f"rows {first_n}–{rows[-1][0]}"
    return SnapshotPlan(
        label=f"{span} ({first['race']})",
        race_where=f"row {first_n} race",
        race=text(first["race"], f"row {first_n} race", max_length=100),
        as_of=aware_time(first["as_of"], f"row {first_n} as_of"),
        source=text(first["source"], f"row {first_n} source", max_length=60),
        source_seq=text(first["source_seq"], f"row {first_n} source_seq", max_length=60),
        units_reporting=optional["units_reporting"],
        units_total=optional["units_total"],
        total_votes=optional["total_votes"],
        lines=tuple(lines),
    )


def _record_all(plans: list[SnapshotPlan], report: ImportReport, by: User | None) -> ImportReport:
    for plan in plans:
        with one_part(report, plan.label) as part:
            race = Race.objects.filter(slug=plan.race).first()
            if race is None:
                raise Refused(f"{plan.race_where}: no race with the slug {shown(plan.race)}")
            known = {c.name for c in race.candidates.all()}
            for line in plan.lines:
                if line.candidate not in known:
                    raise Refused(
                        f"{line.where}: {shown(line.candidate)} is not a candidate in {race} "
                        f"({', '.join(sorted(known))})"
                    )
            record_snapshot(
                part,
                plan.label,
                race=race,
                as_of=plan.as_of,
                source=plan.source,
                source_seq=plan.source_seq,
                counts=[
                    CandidateCount(line.candidate, line.popular_votes, line.electoral_votes)
                    for line in plan.lines
                ],
                total_votes=plan.total_votes,
                units_reporting=plan.units_reporting,
                units_total=plan.units_total,
                by=by,
            )
    return report
