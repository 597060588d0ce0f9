"""``{% live_desks %}``: the admin index's way onto each blog's live desk."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import LiveBlog

register = template.Library()


@register.inclusion_tag("desk/_index_module.html", takes_context=True)
def live_desks(context: dict[str, Any]) -> dict[str, Any]:
    """Blogs live now and coming up (one query), for staff who may see posts."""
    user = context.get("user")
    allowed = bool(user and user.is_staff and user.has_perm("liveblog.view_post"))
    blogs = [*LiveBlog.objects.live(), *LiveBlog.objects.upcoming()] if allowed else []
    return {"blogs": blogs, "allowed": allowed}
