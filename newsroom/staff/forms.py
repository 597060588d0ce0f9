"""Staff forms: a reporter's headshot goes through the same image checks as a post's;
editors add accounts and change roles."""

from __future__ import annotations

from typing import Any

from django import forms

from newsroom.adminkit import PhotoInput
from newsroom.images import clean_form_upload

from .models import Reporter
from .roles import REPORTER, ROLES


class ReporterForm(forms.ModelForm[Reporter]):
    class Meta:
        model = Reporter
        fields = ["user", "display_name", "role_title", "default_location", "headshot"]
        widgets = {"headshot": PhotoInput}

    def clean_headshot(self) -> Any:
        return clean_form_upload(self.cleaned_data.get("headshot"))


class StaffAddForm(forms.Form):
    """A new account: its login, its role and how its byline reads."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only; used to sign in.",
    )
    display_name = forms.CharField(max_length=120, label="Name on the byline")
    byline = forms.CharField(max_length=160, required=False, label="Usual byline line",
                             help_text='For example "Reporting from Washington DC".')  # fmt: skip
    role = forms.ChoiceField(choices=[(r, r) for r in ROLES], initial=REPORTER)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))  # fmt: skip
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class StaffChangeForm(forms.Form):
    role = forms.ChoiceField(choices=[(r, r) for r in ROLES])
    is_active = forms.BooleanField(
        required=False, label="Can sign in",
        help_text="Turn off instead of deleting: the account's posts and bylines stay.",
    )  # fmt: skip
