"""The partner API, version 1 (mounted at /api/v1/ as the ``v1`` namespace).

Endpoints, scopes, caching and errors: ``docs/partners.md``. Anything else under
/api/v1/ answers a JSON 404 (the last pattern), never the site's HTML page.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path, register_converter, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from liveblog.api.actions import (
    AllowedActionsView,
    EmbedsView,
    ImagesView,
    KeyEventView,
    PinView,
    PublishView,
    RetractView,
    ReturnToDraftView,
    SubmitView,
    UnscheduleView,
)
from liveblog.api.blogs import BlogListView, BlogView
from liveblog.api.feed import ChangeFeedView
from liveblog.api.posts import BlogPostsView, PostView
from newsroom.web.errors import not_found
from partners.api import WebhookListView, WebhookView
from results.api.views import LatestSnapshotView, RaceListView, RaceView, SnapshotListView


class IdConverter:
    """Ids of at most 18 digits: a longer number is a 404, not a database overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

POST = "blogs/<slug:slug>/posts/<id:pk>/"


def index(request: HttpRequest) -> JsonResponse:
    """What the API offers, for someone who opens /api/v1/ to find out."""

    def link(name: str) -> str:
        return request.build_absolute_uri(reverse(f"v1:{name}"))

    return JsonResponse({
        "name": "Newsroom partner API", "version": "v1",
        "authentication": "Authorization: Api-Key <key> (ask the newsroom for a key)",
        "schema": link("schema"), "docs": link("docs"),
        "resources": {"blogs": link("blogs"), "races": link("races"),
                      "webhooks": link("webhooks")},
        "guide": "docs/partners.md in the Newsroom repository",
    })  # fmt: skip


urlpatterns = [
    path("", index, name="index"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="v1:schema"),
        name="docs",
    ),
    path("blogs/", BlogListView.as_view(), name="blogs"),
    path("blogs/<slug:slug>/", BlogView.as_view(), name="blog"),
    path("blogs/<slug:slug>/changes/", ChangeFeedView.as_view(), name="changes"),
    path("blogs/<slug:slug>/posts/", BlogPostsView.as_view(), name="posts"),
    path(POST, PostView.as_view(), name="post"),
    path(f"{POST}submit/", SubmitView.as_view(), name="post-submit"),
    path(f"{POST}return-to-draft/", ReturnToDraftView.as_view(), name="post-return-to-draft"),
    path(f"{POST}publish/", PublishView.as_view(), name="post-publish"),
    path(f"{POST}unschedule/", UnscheduleView.as_view(), name="post-unschedule"),
    path(f"{POST}pin/", PinView.as_view(), name="post-pin"),
    path(f"{POST}key-event/", KeyEventView.as_view(), name="post-key-event"),
    path(f"{POST}retract/", RetractView.as_view(), name="post-retract"),
    path(f"{POST}images/", ImagesView.as_view(), name="post-images"),
    path(f"{POST}embeds/", EmbedsView.as_view(), name="post-embeds"),
    path(f"{POST}actions/", AllowedActionsView.as_view(), name="post-actions"),
    path("races/", RaceListView.as_view(), name="races"),
    path("races/<slug:slug>/", RaceView.as_view(), name="race"),
    path("races/<slug:slug>/snapshots/", SnapshotListView.as_view(), name="snapshots"),
    path(
        "races/<slug:slug>/snapshots/latest/",
        LatestSnapshotView.as_view(),
        name="snapshot-latest",
    ),
    path("webhooks/", WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<id:pk>/", WebhookView.as_view(), name="webhook"),
    re_path(r"^(?P<path>[\s\S]*)$", not_found, name="not-found"),  # newlines too
]
