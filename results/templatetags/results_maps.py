"""``{% tile_map rows %}``: a national race's states as an equal-tile SVG map."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from results.selectors import StateRow
from results.tilemap import tile_map as draw

register = template.Library()


@register.simple_tag
def tile_map(rows: list[StateRow], title: str = "Map of the states") -> SafeString:
    return mark_safe(draw(rows, title=title))  # built from escaped text and numbers
