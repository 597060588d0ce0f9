"""The partner API, version 1 (mounted at /api/v1/)."""

from __future__ import annotations

urlpatterns: list = []
