"""Results pages for readers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .models import Candidate, Race, ResultSnapshot
from .selectors import race_boards, results_version, unit_page

UNITS_TEMPLATE = "results/_units.html"
UNITS_CACHE_SECONDS = 6 * 3600  # memory only: a snapshot's units never change
MAX_FIND = 60  # characters of a searched name


@require_GET
def race_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A race's latest results, its history chart and table, and its breakdown by county
    (200 a page, ``?page=``, searchable by name with ``?q=``). Anyone may read it."""
    race = get_object_or_404(Race, slug=slug)
    [board] = race_boards([race.pk])
    candidates = list(race.candidates.all())
    units = ""
    if board.snapshot is not None and not board.states:
        find = request.GET.get("q", "").strip()[:MAX_FIND]
        units = units_html(request, board.snapshot, candidates, request.GET.get("page"), find)
    context = {
        "race": race,
        "boards": [board],
        "board": board,
        "candidates": candidates,
        "units": units,
        "blogs": race.blogs.order_by("-coverage_start")[:3],  # the live pages covering it
        "version": results_version(race),
        "poll_seconds": settings.NEWSROOM_POLL_INTERVAL,
    }
    response = render(request, "results/race.html", context)
    patch_cache_control(response, public=True, max_age=10)
    return response


@require_GET
def race_live(request: HttpRequest, slug: str) -> HttpResponse:
    """The results page keeping itself up to date (``static/results/live.js``): asked with
    the version the page shows (``?v=``), 204 while it is current, else the header as the
    page draws it (states table included) and its new version. Cacheable for a few
    seconds, per version, like the live page's poll: a crowd of readers costs the origin
    one answer per version and interval."""
    race = get_object_or_404(Race, slug=slug)
    version = results_version(race)
    if request.GET.get("v", "")[:32] == version:
        response = HttpResponse(status=204)
    else:
        [board] = race_boards([race.pk])
        response = render(request, "results/_header.html",
                          {"boards": [board], "board": board, "race_page": True,
                           "hide_history": True})  # fmt: skip
    response["X-Results-Version"] = version
    patch_cache_control(response, public=True, max_age=settings.NEWSROOM_POLL_INTERVAL)
    return response


def units_html(request: HttpRequest, snapshot: ResultSnapshot, candidates: list[Candidate],
               number: str | None, find: str) -> str:  # fmt: skip
    """One page of the breakdown, drawn once per snapshot and page (a snapshot's units
    never change) and kept in the cache; searches are drawn afresh (and not stored, so
    that nobody can fill the cache with made-up names)."""
    key = None
    if not find:
        drawn = (_TEMPLATE_STAMP, snapshot.pk, number, [(c.pk, c.name) for c in candidates])
        key = (
            "results-units:" + hashlib.sha1(repr(drawn).encode(), usedforsecurity=False).hexdigest()
        )
        if (stored := cache.get(key)) is not None:
            return mark_safe(str(stored))  # our own rendering, stored as it was made
    page = unit_page(snapshot, candidates, number=number, find=find)
    html = render_to_string(UNITS_TEMPLATE, {"units": page, "candidates": candidates}, request)
    if key is not None:
        cache.set(key, html, UNITS_CACHE_SECONDS)
    return mark_safe(html)


def _stamp() -> str:
    path = Path(settings.BASE_DIR) / "templates" / UNITS_TEMPLATE
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


_TEMPLATE_STAMP = _stamp()  # a deploy with a new table never serves the old one
