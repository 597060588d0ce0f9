"""Results over time as server-rendered SVG: no chart service, no JavaScript.

Each chart is an ``<svg role="img">`` with a title and a description that says what it
shows in words; the page also carries the same figures as a table for screen readers
and for copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import number_format

from .models import Candidate, CandidateResult, Race, ResultSnapshot, vote_share

WIDTH, HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 24, 16, 40
TIME_TICKS = 5  # labelled moments along the time axis (the first and last included)
VALUE_TICKS = 4  # labelled values up the value axis, above the bottom one
MAX_POINTS = 300  # more snapshots than this are thinned evenly (first and last kept)


@dataclass(frozen=True)
class Point:
    as_of: datetime
    votes: int
    share: Decimal


@dataclass(frozen=True)
class Series:
    candidate: Candidate
    points: list[Point]


@dataclass(frozen=True)
class Chart:
    """One line per candidate; ``svg`` is markup built from escaped text and numbers."""

    title: str
    description: str
    svg: str


@dataclass(frozen=True)
class History:
    race: Race
    snapshots: list[ResultSnapshot]
    series: list[Series]
    votes: Chart | None
    share: Chart | None

    @property
    def charts(self) -> list[Chart]:
        return [c for c in (self.votes, self.share) if c is not None]


def history(race: Race) -> History:
    """The race's snapshots, oldest first, and its two charts (three queries)."""
    snapshots = list(
        race.snapshots.history()
        .order_by("as_of", "id")
        .prefetch_related(Prefetch("results", queryset=CandidateResult.objects.all()))
    )
    if len(snapshots) > MAX_POINTS:
        step = (len(snapshots) - 1) / (MAX_POINTS - 1)
        snapshots = [snapshots[round(i * step)] for i in range(MAX_POINTS)]
    candidates = list(race.candidates.all())
    series = []
    for candidate in candidates:
        points = []
        for snapshot in snapshots:
            result = next(
                (r for r in snapshot.results.all() if r.candidate_id == candidate.pk), None
            )
            if result is not None:
                share = vote_share(result.popular_votes, snapshot.total_votes)
                points.append(Point(snapshot.as_of, result.popular_votes, share))
        series.append(Series(candidate, points))
    if not any(s.points for s in series):
        return History(race, snapshots, series, None, None)
    return History(
        race,
        snapshots,
        series,
        _chart(race, series, "votes", "Votes counted"),
        _chart(race, series, "share", "Share of the vote (%)"),
    )


def _chart(race: Race, series: list[Series], field: str, title: str) -> Chart:
    times = [p.as_of.timestamp() for s in series for p in s.points]
    values = [float(getattr(p, field)) for s in series for p in s.points]
    t0, t1 = min(times), max(times)
    top = max(values) * 1.1 or 1.0
    bottom = 0.0 if field == "votes" else max(0.0, min(values) - 5)

    def x(t: float) -> float:
        span = (t1 - t0) or 1.0
        return PAD_LEFT + (t - t0) / span * (WIDTH - PAD_LEFT - PAD_RIGHT)

    def y(v: float) -> float:
        return HEIGHT - PAD_BOTTOM - (v - bottom) / (top - bottom) * (HEIGHT - PAD_TOP - PAD_BOTTOM)

    parts = [
        f'<line class="axis" x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" '
        f'x2="{WIDTH - PAD_RIGHT}" y2="{HEIGHT - PAD_BOTTOM}"/>',
    ]
    for i in range(VALUE_TICKS + 1):
        level = bottom + (top - bottom) * i / VALUE_TICKS
        if i:
            parts.append(
                f'<line class="grid" x1="{PAD_LEFT}" y1="{y(level):.1f}" '
                f'x2="{WIDTH - PAD_RIGHT}" y2="{y(level):.1f}"/>'
            )
        parts.append(
            f'<text class="tick" x="{PAD_LEFT - 6}" y="{y(level) + 4:.1f}" text-anchor="end">'
            f"{_axis(level, field)}</text>"
        )
    for stamp, label in _time_ticks(t0, t1):
        anchor = "start" if stamp == t0 else "end" if stamp == t1 else "middle"
        parts.append(
            f'<line class="tick-mark" x1="{x(stamp):.1f}" y1="{HEIGHT - PAD_BOTTOM}" '
            f'x2="{x(stamp):.1f}" y2="{HEIGHT - PAD_BOTTOM + 5}"/>'
            f'<text class="tick" x="{x(stamp):.1f}" y="{HEIGHT - PAD_BOTTOM + 18}" '
            f'text-anchor="{anchor}">{_esc(label)}</text>'
        )
    words = []
    for s in series:
        if not s.points:
            continue
        colour = s.candidate.colour
        coords = " ".join(
            f"{x(p.as_of.timestamp()):.1f},{y(float(getattr(p, field))):.1f}" for p in s.points
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="3" points="{coords}"/>'
        )
        for p in s.points:
            value = _label(float(getattr(p, field)), field)
            parts.append(
                f'<circle cx="{x(p.as_of.timestamp()):.1f}" '
                f'cy="{y(float(getattr(p, field))):.1f}" r="4" fill="{colour}">'
                f"<title>{_esc(s.candidate.name)}: {value} at {_time(p.as_of.timestamp())}"
                "</title></circle>"
            )
        first, last = s.points[0], s.points[-1]
        words.append(
            f"{s.candidate.name} from {_label(float(getattr(first, field)), field)} "
            f"to {_label(float(getattr(last, field)), field)}"
        )
    description = f"{title} over {len(series[0].points)} updates: " + "; ".join(words) + "."
    slug = f"{race.slug}-{field}"
    svg = (
        f'<svg class="results-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{slug}-title {slug}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{slug}-title">{_esc(title)}</title>'
        f'<desc id="{slug}-desc">{_esc(description)}</desc>' + "".join(parts) + "</svg>"
    )
    return Chart(title=title, description=description, svg=svg)


def _label(value: float, field: str) -> str:
    if field == "share":
        return f"{value:.1f}%"
    return number_format(round(value), force_grouping=True)


def _axis(value: float, field: str) -> str:
    """Short axis labels (84.6m); the points' titles and the table carry full figures."""
    if field == "votes" and value >= 1_000_000:
        return f"{value / 1_000_000:.1f}m"
    if field == "votes" and value >= 10_000:
        return f"{value / 1_000:.0f}k"
    return _label(value, field)


def _time_ticks(t0: float, t1: float) -> list[tuple[float, str]]:
    """Evenly spaced moments from the first update to the last, labelled by the clock
    (with the day where it changes, and the zone once, on the first)."""
    if t1 <= t0:
        return [(t0, _time(t0))]
    ticks = []
    previous_day = None
    for i in range(TIME_TICKS):
        stamp = t0 + (t1 - t0) * i / (TIME_TICKS - 1)
        moment = timezone.localtime(datetime.fromtimestamp(stamp, tz=UTC))
        day = moment.date()
        label = moment.strftime("%H:%M")
        if i == 0:
            label = moment.strftime("%H:%M %Z %-d %b")
        elif day != previous_day:
            label = moment.strftime("%H:%M %-d %b")
        previous_day = day
        ticks.append((stamp, label))
    return ticks


def _time(timestamp: float) -> str:
    moment = timezone.localtime(datetime.fromtimestamp(timestamp, tz=UTC))
    return moment.strftime("%H:%M %Z %-d %b")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
