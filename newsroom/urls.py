"""Top-level URLs."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from . import health

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Live blogs and results"

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("newsroom.api_urls", "api"), namespace="v1")),
    path("results/", include("results.urls")),
    path("", include("liveblog.urls")),
]

if settings.DEBUG:
    # Uploaded media in development and the demo; production serves MEDIA_ROOT from nginx.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
