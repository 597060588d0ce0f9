"""Show and read times in the newsroom's display time zone (the reference page uses GMT)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class DisplayTimeZoneMiddleware:
    """Activate ``NEWSROOM_DISPLAY_TIME_ZONE``: editors schedule and readers read in it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.zone = ZoneInfo(settings.NEWSROOM_DISPLAY_TIME_ZONE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(self.zone):
            return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send ``NEWSROOM_PERMISSIONS_POLICY``: no page of ours (nor a frame in it) asks for
    the camera, the microphone, the reader's location or payment; video players keep
    fullscreen and picture-in-picture."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.NEWSROOM_PERMISSIONS_POLICY)
        return response
