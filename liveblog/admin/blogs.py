"""Blogs, labels and the change log in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from newsroom.adminkit import UniqueRaceAdmin

from .. import actions, services
from ..live.presence import reader_count
from ..models import Change, Label, LiveBlog, Post
from .forms import LiveBlogForm


@admin.register(LiveBlog)
class LiveBlogAdmin(UniqueRaceAdmin[LiveBlog]):
    form = LiveBlogForm
    list_display = ["title", "status", "coverage_start", "post_counts", "readers", "reader_page",
                    "live_desk"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["races"]
    readonly_fields = ["posts_overview", "readers", "summary_updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "status"]}),
        ("Coverage", {"fields": ["coverage_start", "coverage_end", "races"]}),
        ("Summary", {"fields": ["summary_text", "summary_updated_at"]}),
        ("On other sites", {"fields": ["embed_origins"]}),
        ("Posts and readers", {"fields": ["posts_overview", "readers"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LiveBlog]:
        counts = {f"n_{s}": Count("posts", filter=Q(posts__status=s)) for s in Post.Status.values}
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="Posts")
    def post_counts(self, blog: LiveBlog) -> str:
        return (
            ", ".join(
                f"{getattr(blog, f'n_{value}', 0)} {label.lower()}"
                for value, label in Post.Status.choices
                if getattr(blog, f"n_{value}", 0)
            )
            or "none yet"
        )

    @admin.display(description="Posts by status")
    def posts_overview(self, blog: LiveBlog) -> str:
        if not blog.pk:
            return "—"
        url = reverse("admin:liveblog_post_changelist")
        return format_html_join(
            " · ",
            '<a href="{}?blog__id__exact={}&status__exact={}">{} {}</a>',
            (
                (url, blog.pk, value, getattr(blog, f"n_{value}", 0), label.lower())
                for value, label in Post.Status.choices
            ),
        )

    @admin.display(description="Readers now")
    def readers(self, blog: LiveBlog) -> int:
        """Pages connected to the live stream, all server processes together."""
        return reader_count(blog.pk) if blog.pk else 0

    @admin.display(description="Reader page")
    def reader_page(self, blog: LiveBlog) -> str:
        return format_html('<a href="{}">{}</a>', blog.get_absolute_url(), blog.get_absolute_url())

    @admin.display(description="Live desk")
    def live_desk(self, blog: LiveBlog) -> str:
        return format_html('<a href="{}">Open the desk</a>', reverse("desk:desk", args=[blog.slug]))

    def save_model(self, request: HttpRequest, obj: LiveBlog, form: Any, change: bool) -> None:
        # Status and summary are reader-visible changes: they go through the services.
        new_status = obj.status
        if change:
            obj.status = LiveBlog.objects.values_list("status", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        services.blog_set_status(blog=obj, by=request.user, status=new_status)
        if "summary_text" in form.changed_data:
            summary = {"points": "\n".join(form.summary_points)}
            actions.BLOGS["edit_summary"].run(obj, request.user, summary)
        obj.refresh_from_db()


@admin.register(Label)
class LabelAdmin(UniqueRaceAdmin[Label]):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin[Change]):
    """The change log, read-only: what open pages and partners were told, in order."""

    list_display = ["seq", "blog", "kind", "post", "post_version", "by", "created_at"]
    list_filter = ["blog", "kind"]
    list_select_related = ["blog", "post", "by"]
    ordering = ["-created_at", "-seq"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Change | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Change | None = None) -> bool:
        return False
