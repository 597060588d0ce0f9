"""Template filters every template has without ``{% load %}`` (``TEMPLATES`` builtins)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def isotime(value: datetime | None) -> str:
    """A ``<time datetime>`` value: ISO 8601 in UTC to the second. Django's ``date:'c'``
    writes microseconds, which HTML's datetime syntax does not allow (1-3 digits)."""
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


# What the zone abbreviations readers see stand for (screen readers read the title).
ZONE_NAMES = {
    "GMT": "Greenwich Mean Time", "BST": "British Summer Time", "UTC": "Coordinated Universal Time",
    "CET": "Central European Time", "CEST": "Central European Summer Time",
    "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time", "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
}  # fmt: skip
# One way to write a time per context: on posts and results "12:03 GMT 6 November"; for a
# blog's coverage, with the year; in tables, the month short.
STYLES = {"day": "j F", "year": "j F Y", "short": "j M"}


@register.filter
def when(value: datetime | None, style: str = "day") -> SafeString | str:
    """``<time>`` for a reader: the time in the display zone, the zone spelled out for
    screen readers (``<abbr title="Greenwich Mean Time">GMT</abbr>``), then the date.
    ``dated``: the day, with its year when it is not this year's (results as of 2012 never
    read as today's)."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value)
    if style == "dated":
        style = "day" if local.year == timezone.localtime().year else "year"
    abbreviation = date_format(local, "T")
    name = ZONE_NAMES.get(abbreviation, str(timezone.get_current_timezone()))
    return format_html(
        '<time datetime="{}">{} <abbr title="{}">{}</abbr> {}</time>',
        isotime(value), date_format(local, "H:i"), name, abbreviation,
        date_format(local, STYLES.get(style, STYLES["day"])),
    )  # fmt: skip


@register.filter
def ms(seconds: float | None) -> str:
    """A duration in seconds as milliseconds for people: "42 ms", "1.3 s"; "–" for none."""
    if not isinstance(seconds, (int, float)):
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


@register.filter
def seconds(value: float | None) -> str:
    """An age in seconds for people: "12 s", "3 min 4 s", "2 h 5 min"; "–" for none."""
    if not isinstance(value, (int, float)):
        return "–"
    whole = int(value)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


@register.filter
def since(stamp: float | None) -> str:
    """How long ago an epoch time was, as ``seconds`` says it."""
    if not isinstance(stamp, (int, float)):
        return "–"
    return seconds(max(0.0, time.time() - stamp))
