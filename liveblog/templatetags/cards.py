"""``{% post_card post %}``: a post's card, rendered once per version (``render_cache.card``);
``|plain_text``: a body as plain words."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from .. import render_cache
from ..html import body_text

register = template.Library()


@register.simple_tag
def post_card(post: Any, id_prefix: str = "", heading_level: int = 3) -> SafeString:
    # The partial escapes what it draws; the cached text is that partial's output.
    return mark_safe(render_cache.card(post, id_prefix=id_prefix, heading_level=heading_level))


@register.filter
def plain_text(body: str) -> str:
    """A stored body as plain words (paragraphs kept apart by a space): for excerpts."""
    return body_text(body)
