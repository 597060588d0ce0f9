"""The input of each action that asks for something first: one form, whichever door
(the admin's confirmation page, the desk's dialog) asks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..services.workflow import MAX_NOTE_LENGTH

DATETIME_LOCAL = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]


def next_round_minute(now: datetime | None = None) -> datetime:
    """The default schedule time: the start of the next minute, in the display zone."""
    now = timezone.localtime(now or timezone.now())
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def zone_label() -> str:
    """The newsroom's zone as editors read it: "GMT, Europe/London"."""
    return f"{timezone.localtime():%Z}, {timezone.get_current_timezone()}"


class PublishAtField(forms.DateTimeField):
    """A time in the newsroom's display zone, to the second (``datetime-local``)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"},
                                 format="%Y-%m-%dT%H:%M:%S")  # fmt: skip

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATETIME_LOCAL)
        super().__init__(**kwargs)


class ScheduleForm(forms.Form):
    publish_at = PublishAtField(
        label="Publish at",
        help_text="To the second, in the newsroom's time zone.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].initial = next_round_minute()
        self.fields["publish_at"].label = f"Publish at ({zone_label()})"

    def clean_publish_at(self) -> datetime:
        value: datetime = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError("Choose a time in the future, or publish now.")
        return value


class ReturnForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note to the reporter",
        help_text="They see it on their desk until they submit again.",
    )


class RetractForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on record. Readers' pages drop the post.",
    )


def messages(form: forms.Form) -> list[str]:
    """Every error of a bound form, as plain sentences."""
    return [str(message) for errors in form.errors.values() for message in errors]
