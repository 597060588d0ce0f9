"""``{% live_desks %}``: the admin index's way onto each blog's live desk."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from ..models import LiveBlog, Post

register = template.Library()


@register.inclusion_tag("desk/_index_module.html", takes_context=True)
def live_desks(context: dict[str, Any]) -> dict[str, Any]:
    """Blogs live now and coming up, each with its count of posts awaiting approval (two
    queries), for staff who may see posts."""
    user = context.get("user")
    allowed = bool(user and user.is_staff and user.has_perm("liveblog.view_post"))
    blogs: list[LiveBlog] = []
    if allowed:
        awaiting = Count("posts", filter=Q(posts__status=Post.Status.SUBMITTED))
        blogs = [*LiveBlog.objects.live().annotate(awaiting=awaiting),
                 *LiveBlog.objects.upcoming().annotate(awaiting=awaiting)]  # fmt: skip
    operations = bool(
        user and user.is_staff and (user.is_superuser or user.has_perm("liveblog.change_liveblog"))
    )
    return {"blogs": blogs, "allowed": allowed, "operations": operations}
