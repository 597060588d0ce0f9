"""The states as an equal-tile map, drawn on the server as SVG (no map service, no script).

Each state is one square at its place on the grid (``geography.STATES``): in the colour of
the candidate it is called for, a lighter tint of the leader's colour while it is not
called yet, grey before any votes. Every tile is an image with its own words ("Pennsylvania,
19 electoral votes: called for Donald Trump"), so the map says what it shows to a screen
reader too; the states table beside it carries the same facts.
"""

from __future__ import annotations

from django.utils.html import escape

from .geography import COLUMNS, ROWS, STATES
from .selectors import StateRow

TILE, GAP = 44, 4
NO_RESULTS = "#d9d9d9"
DARK_TEXT, LIGHT_TEXT = "#111111", "#ffffff"


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _tint(colour: str, amount: float = 0.6) -> str:
    """``colour`` mixed with white: a lead, not a call."""
    r, g, b = (round(c + (255 - c) * amount) for c in _rgb(colour))
    return f"#{r:02x}{g:02x}{b:02x}"


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG contrast)."""
    light = (1.05) / (_luminance(fill) + 0.05)
    dark = (_luminance(fill) + 0.05) / 0.05
    return LIGHT_TEXT if light >= dark else DARK_TEXT


def describe(row: StateRow) -> str:
    """The tile's words: the state, what is at stake, and the call or the lead."""
    stake = f", {row.electoral_votes} electoral votes" if row.electoral_votes else ""
    if row.call is not None:
        state = f"called for {row.call.candidate.name}"
    elif row.leader is not None:
        state = f"not yet called, {row.leader.name} leads by {row.margin} points"
    else:
        state = "no results yet"
    return f"{row.name}{stake}: {state}"


def tile_map(rows: list[StateRow], *, title: str = "Map of the states") -> str:
    """The SVG markup (safe: every text is escaped)."""
    width = COLUMNS * (TILE + GAP)
    height = ROWS * (TILE + GAP)
    tiles = []
    for row in rows:
        place = STATES.get(row.postal)
        if place is None:
            continue
        if row.call is not None:
            fill, kind = row.call.candidate.colour, "called"
        elif row.leader is not None:
            fill, kind = _tint(row.leader.colour), "leading"
        else:
            fill, kind = NO_RESULTS, "waiting"
        x, y = place.column * (TILE + GAP), place.row * (TILE + GAP)
        label = escape(describe(row))
        tiles.append(
            f'<g class="tile is-{kind}" role="img" aria-label="{label}" data-state="{row.postal}">'
            f"<title>{label}</title>"
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="3" fill="{fill}"/>'
            f'<text x="{x + TILE / 2}" y="{y + TILE / 2 + 5}" text-anchor="middle" '
            f'fill="{_text_on(fill)}" aria-hidden="true">{escape(row.postal)}</text></g>'
        )
    return (
        f'<svg class="tile-map" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(tiles)
        + "</svg>"
    )
