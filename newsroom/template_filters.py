"""Template filters every template has without ``{% load %}`` (``TEMPLATES`` builtins)."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter
def isotime(value: datetime | None) -> str:
    """A ``<time datetime>`` value: ISO 8601 in UTC to the second. Django's ``date:'c'``
    writes microseconds, which HTML's datetime syntax does not allow (1-3 digits)."""
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()
