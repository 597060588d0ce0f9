"""What the API sends for races, candidates, snapshots and winner calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from ..models import Candidate


def _absolute(context: Mapping[str, Any], url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{context.get('base_url', '')}{url}"


class CandidateSerializer(serializers.Serializer[Candidate]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    party = serializers.CharField()
    party_short = serializers.CharField()
    colour = serializers.CharField(help_text="Hex, e.g. #c8102e.")
    ballot_order = serializers.IntegerField()
    photo_url = serializers.SerializerMethodField()

    def get_photo_url(self, candidate: Candidate) -> str:
        return _absolute(self.context, candidate.photo.url) if candidate.photo else ""


class CandidateResultSerializer(serializers.Serializer[dict[str, Any]]):
    candidate_id = serializers.IntegerField()
    name = serializers.CharField()
    popular_votes = serializers.IntegerField()
    share = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        coerce_to_string=False,
        help_text="Percent of all votes counted (total_votes), rounded half up: 48.3.",
    )
    electoral_votes = serializers.IntegerField(allow_null=True)


class SnapshotSerializer(serializers.Serializer[dict[str, Any]]):
    """What the count said at ``as_of``: snapshots are never edited, only added."""

    id = serializers.IntegerField()
    as_of = serializers.DateTimeField()
    # The metaclass pops declared fields off the class, so a field named "source" never
    # shadows ``Field.source`` at runtime; the stubs cannot model that.
    source = serializers.CharField()  # type: ignore[assignment]
    source_seq = serializers.CharField()
    units_reporting = serializers.IntegerField(allow_null=True)
    units_total = serializers.IntegerField(allow_null=True)
    results_to_go = serializers.IntegerField(allow_null=True)
    expected_vote = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Share of the expected vote counted, per cent (AP's EEVP), where the feed "
        "gives it; null otherwise.",
    )
    total_votes = serializers.IntegerField(help_text="All votes counted: the base of shares.")
    recorded_at = serializers.DateTimeField()
    results = CandidateResultSerializer(many=True)


class WinnerSerializer(serializers.Serializer[dict[str, Any]]):
    """A confirmed call (two editors); pending and withdrawn calls are not shown."""

    candidate_id = serializers.IntegerField()
    name = serializers.CharField()
    # The metaclass pops declared fields off the class, so a field named "source" never
    # shadows ``Field.source`` at runtime; the stubs cannot model that.
    source = serializers.CharField(help_text='Who called it, e.g. "AP".')  # type: ignore[assignment]
    called_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField()


class RaceSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    office = serializers.CharField()
    threshold = serializers.IntegerField(allow_null=True, help_text="What it takes to win.")
    threshold_unit = serializers.CharField()
    units_total = serializers.IntegerField(allow_null=True)
    unit_label = serializers.CharField()
    rehearsal = serializers.BooleanField(
        help_text="True for a rehearsal's copy (manage.py rehearse): not real results."
    )
    url = serializers.CharField(help_text="The race's results page.")
    candidates = CandidateSerializer(many=True)
    winner = WinnerSerializer(allow_null=True)
    latest_snapshot = SnapshotSerializer(allow_null=True)


class RaceListSerializer(serializers.Serializer[dict[str, Any]]):
    results = RaceSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for more.")
    has_more = serializers.BooleanField()


class SnapshotListSerializer(serializers.Serializer[dict[str, Any]]):
    results = SnapshotSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for older.")
    has_more = serializers.BooleanField()
