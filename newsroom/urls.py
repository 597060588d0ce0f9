"""Top-level URLs."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.defaults import server_error

from liveblog import views as liveblog_views

from . import health, metrics, operations
from .web import errors as api_errors


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the real one
    (its hashed name is looked up per request, once collectstatic has run)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Live blogs and results"

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the real one.
    path("favicon.ico", favicon),
    path("readyz", health.readiness, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),  # Prometheus (token or network)
    path("admin/operations/", operations.operations, name="operations"),
    # The live desk (liveblog.desk): inside the admin, with its login and look.
    path("admin/desk/", include("liveblog.desk.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("newsroom.api_urls", "api"), namespace="v1")),
    # Any other /api/ address (another version, a typo) answers JSON too.
    re_path(r"^api(?:/(?P<path>.*))?$", api_errors.not_found),
    path("results/", include("results.urls")),
    # Uploads: Django decides who may fetch each (an embargoed photo is not public);
    # behind nginx it hands the bytes over with X-Accel-Redirect (newsroom/media.py).
    re_path(r"^media/(?P<path>.+)$", liveblog_views.media, name="media"),
    path("", include("liveblog.urls")),
]


def handler500(request: HttpRequest) -> HttpResponse:
    """A JSON 500 for API clients (errors raised outside DRF, e.g. in middleware)."""
    if request.path.startswith("/api/"):
        body = api_errors.error_body("server_error", "Something went wrong on our side.")
        return JsonResponse(body, status=500)
    return server_error(request)
