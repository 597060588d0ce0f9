"""The base every API view builds on: UTC times, no OPTIONS, declared scopes.

Who may call and how often is the project's choice (``REST_FRAMEWORK``'s authentication,
permission and throttle classes): the toolkit names no app."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.views import APIView


def base_url(request: Request) -> str:
    """Where absolute links in responses start: the address the caller used."""
    return request.build_absolute_uri("/").rstrip("/")


class ApiView(APIView):
    """Subclasses set ``read_scope`` and, if they accept writes, ``write_scope``.

    Times are rendered in UTC whatever the newsroom's display time zone. OPTIONS is not
    offered (405): the OpenAPI schema at /api/v1/schema/ describes every operation.
    """

    http_method_names = ["get", "post", "patch", "delete", "head"]
    metadata_class = None
    read_scope: str | None = None
    write_scope: str | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with timezone.override(UTC):
            return super().dispatch(request, *args, **kwargs)
