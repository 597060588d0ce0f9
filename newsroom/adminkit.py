"""Admin helpers that know no app."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
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


class _StoredFile:
    """A stored file as a file input shows it: a short link text instead of the
    server's long unguessable name."""

    def __init__(self, url: str, text: str) -> None:
        self.url, self.text = url, text

    def __str__(self) -> str:
        return self.text


class PhotoInput(AdminFileWidget):
    """The admin's file input for a photo, naming the current one "the current photo"
    (its stored name is 60 characters of hex that widened whole tables)."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        if widget.get("is_initial") and getattr(widget["value"], "url", None):
            widget["value"] = _StoredFile(widget["value"].url, "the current photo")
        return context
