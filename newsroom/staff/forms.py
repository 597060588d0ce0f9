"""Staff forms: a reporter's headshot goes through the same image checks as a post's."""

from __future__ import annotations

from typing import Any

from django import forms

from newsroom.images import clean_form_upload

from .models import Reporter


class ReporterForm(forms.ModelForm[Reporter]):
    class Meta:
        model = Reporter
        fields = ["user", "display_name", "role_title", "default_location", "headshot"]

    def clean_headshot(self) -> Any:
        return clean_form_upload(self.cleaned_data.get("headshot"))
