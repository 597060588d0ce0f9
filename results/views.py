"""Results pages for readers."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .models import Race
from .selectors import race_boards


@require_GET
def race_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A race's latest results, its history chart and table, and the county breakdown."""
    race = get_object_or_404(Race, slug=slug)
    [board] = race_boards([race.pk])
    units = list(board.snapshot.units.all()) if board.snapshot else []
    candidates = list(race.candidates.all())
    rows = [(unit, [unit.votes.get(str(c.pk)) for c in candidates]) for unit in units]
    context = {
        "race": race,
        "boards": [board],
        "board": board,
        "candidates": candidates,
        "rows": rows,
        "unit_level": Counter(u.level for u in units).most_common(1)[0][0] if units else "",
        "blogs": race.blogs.order_by("-coverage_start")[:3],  # the live pages covering it
    }
    response = render(request, "results/race.html", context)
    patch_cache_control(response, public=True, max_age=10)
    return response
