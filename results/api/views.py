"""Races and their results: the latest count, the history, the confirmed winner."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from newsroom.web.base import ApiView, base_url
from newsroom.web.caching import hashed_response
from newsroom.web.inputs import StrictSerializer, parse
from newsroom.web.pagination import newest_first_page, parse_cursor
from newsroom.web.schema import READ_HEADERS, read_responses

from ..models import CandidateResult, Race, ResultSnapshot, WinnerCall, vote_share
from ..selectors import race_boards
from . import scopes
from .serializers import (
    RaceListSerializer,
    RaceSerializer,
    SnapshotListSerializer,
    SnapshotSerializer,
)


def _with_results() -> Prefetch[str, QuerySet[CandidateResult]]:
    return Prefetch("results", queryset=CandidateResult.objects.all())


class ListQuery(StrictSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    cursor = serializers.CharField(required=False, max_length=100, trim_whitespace=False)


class RaceListQuery(ListQuery):
    # A query value is taken as sent: "M\x1d" is no slug (trimming would make it "M").
    blog = serializers.SlugField(
        required=False,
        max_length=100,
        trim_whitespace=False,
        help_text="Only the races this live blog shows.",
    )


def snapshot_data(snapshot: ResultSnapshot, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": snapshot.pk,
        "as_of": snapshot.as_of,
        "source": snapshot.source,
        "source_seq": snapshot.source_seq,
        "units_reporting": snapshot.units_reporting,
        "units_total": snapshot.units_total,
        "results_to_go": snapshot.results_to_go,
        "total_votes": snapshot.total_votes,
        "recorded_at": snapshot.recorded_at,
        "results": [
            {
                "candidate_id": result.candidate_id,
                "name": names.get(result.candidate_id, ""),
                "popular_votes": result.popular_votes,
                "share": vote_share(result.popular_votes, snapshot.total_votes),
                "electoral_votes": result.electoral_votes,
            }
            for result in snapshot.results.all()
        ],
    }


def races_data(races: list[Race], *, base_url: str) -> list[dict[str, Any]]:
    """Each race with its candidates, latest snapshot and confirmed winner (five queries)."""
    boards = {b.race.pk: b for b in race_boards([r.pk for r in races], with_history=False)}
    calls = {
        call.race_id: call
        for call in WinnerCall.objects.confirmed()
        .filter(race__in=races)
        .select_related("candidate")
    }
    result = []
    for race in races:
        board = boards[race.pk]
        candidates = list(board.race.candidates.all())
        names = {c.pk: c.name for c in candidates}
        call = calls.get(race.pk)
        result.append(
            {
                "id": race.pk,
                "slug": race.slug,
                "name": race.name,
                "office": race.office,
                "threshold": race.threshold,
                "threshold_unit": race.threshold_unit,
                "units_total": race.units_total,
                "unit_label": race.unit_label,
                "rehearsal": race.rehearsal_id is not None,
                "url": base_url + reverse("results:race", kwargs={"slug": race.slug}),
                "candidates": candidates,
                "winner": {
                    "candidate_id": call.candidate_id,
                    "name": call.candidate.name,
                    "source": call.source,
                    "called_at": call.called_at,
                    "confirmed_at": call.confirmed_at,
                }
                if call
                else None,
                "latest_snapshot": snapshot_data(board.snapshot, names) if board.snapshot else None,
            }
        )
    return result


def _race(slug: str) -> Race:
    race = Race.objects.filter(slug=slug).first()
    if race is None:
        raise NotFound("No race with this slug.")
    return race


class RaceListView(ApiView):
    read_scope = scopes.READ

    @extend_schema(
        operation_id="races_list",
        summary="Races, with their latest results",
        parameters=[RaceListQuery, *READ_HEADERS],
        responses=read_responses(RaceListSerializer),
        tags=["Results"],
    )
    def get(self, request: Request) -> Response:
        """Races, newest first, each with candidates, latest snapshot and confirmed winner
        (``results:read``). A rehearsal's races are not listed (each answers by its slug,
        marked ``rehearsal``)."""
        query = parse(RaceListQuery, request.query_params)
        races = Race.objects.filter(rehearsal=None)
        if query.get("blog"):
            races = races.filter(blogs__slug=query["blog"])
        page = newest_first_page(
            races, field="created_at", limit=query["limit"], after=parse_cursor(query.get("cursor"))
        )
        data = RaceListSerializer(
            page.body(races_data(page.items, base_url=base_url(request))),
            context={"base_url": base_url(request)},
        ).data
        return hashed_response(request, data)  # type: ignore[return-value]


class RaceView(ApiView):
    read_scope = scopes.READ

    @extend_schema(
        operation_id="races_retrieve",
        summary="One race: candidates, latest snapshot, confirmed winner",
        parameters=READ_HEADERS,
        responses=read_responses(RaceSerializer),
        tags=["Results"],
    )
    def get(self, request: Request, slug: str) -> Response:
        """The race as its results header shows it (``results:read``)."""
        root = base_url(request)
        [race] = races_data([_race(slug)], base_url=root)
        data = RaceSerializer(race, context={"base_url": root}).data
        return hashed_response(request, data)  # type: ignore[return-value]


class SnapshotListView(ApiView):
    read_scope = scopes.READ

    @extend_schema(
        operation_id="snapshots_list",
        summary="The race's snapshot history, newest first",
        parameters=[ListQuery, *READ_HEADERS],
        responses=read_responses(SnapshotListSerializer),
        tags=["Results"],
    )
    def get(self, request: Request, slug: str) -> Response:
        """The race's snapshot history, newest ``as_of`` first, paged (``results:read``):
        the snapshots the page's chart draws (a voided one is left out)."""
        query = parse(ListQuery, request.query_params)
        after = parse_cursor(query.get("cursor"))
        race = _race(slug)
        snapshots = race.snapshots.history().prefetch_related(_with_results())
        page = newest_first_page(snapshots, field="as_of", limit=query["limit"], after=after)
        names = dict(race.candidates.values_list("pk", "name"))
        data = SnapshotListSerializer(
            page.body([snapshot_data(s, names) for s in page.items]),
        ).data
        return hashed_response(request, data)  # type: ignore[return-value]


class LatestSnapshotView(ApiView):
    read_scope = scopes.READ

    @extend_schema(
        operation_id="snapshots_latest",
        summary="The race's latest snapshot",
        parameters=READ_HEADERS,
        responses=read_responses(SnapshotSerializer),
        tags=["Results"],
    )
    def get(self, request: Request, slug: str) -> Response:
        """The newest snapshot by ``as_of`` (404 ``not_found`` before the first count)."""
        race = _race(slug)
        snapshot = ResultSnapshot.objects.prefetch_related(_with_results()).latest_of(race.pk)
        if snapshot is None:
            raise NotFound("No results recorded for this race yet.")
        names = dict(race.candidates.values_list("pk", "name"))
        data = SnapshotSerializer(snapshot_data(snapshot, names)).data
        return hashed_response(request, data)  # type: ignore[return-value]
