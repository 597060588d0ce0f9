"""Admin helpers that know no app."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import IntegrityError, models
from django.http import HttpRequest, HttpResponse

_M = TypeVar("_M", bound=models.Model)


class UniqueRaceAdmin(admin.ModelAdmin[_M]):
    """Two people saving the same unique value (a slug, a name) at the same instant both
    pass the form's uniqueness check; the database refuses the second insert. Instead of a
    500, that editor's form is shown again with what they typed: checked once more, it
    now names the clash ("… with this Slug already exists")."""

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:  # fmt: skip
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
            return super().changeform_view(request, object_id, form_url, extra_context)
