"""One way to write a time for readers, with the zone spelled out for screen readers."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from newsroom.template_filters import when


def test_a_winter_time_in_london_is_gmt_spelled_out():
    with timezone.override(ZoneInfo("Europe/London")):
        html = when(datetime(2024, 11, 6, 22, 34, tzinfo=UTC))
    assert html == ('<time datetime="2024-11-06T22:34:00+00:00">22:34 '
                    '<abbr title="Greenwich Mean Time">GMT</abbr> 6 November</time>')  # fmt: skip


def test_a_summer_time_and_the_other_styles():
    with timezone.override(ZoneInfo("Europe/London")):
        summer = when(datetime(2024, 7, 4, 21, 0, tzinfo=UTC), "year")
        short = when(datetime(2024, 7, 4, 21, 0, tzinfo=UTC), "short")
    assert '22:00 <abbr title="British Summer Time">BST</abbr> 4 July 2024' in summer
    assert "4 Jul</time>" in short


def test_an_unknown_abbreviation_is_titled_with_the_zone_and_no_time_is_empty():
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        html = when(datetime(2024, 11, 6, 12, 0, tzinfo=UTC))
    assert 'title="Asia/Kolkata"' in html
    assert when(None) == ""
