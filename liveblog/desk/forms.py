"""The desk's forms: the compose box and the small forms behind each workflow button."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_prose_editor.widgets import AdminProseEditorWidget

from ..admin.forms import BODY_EDITOR, PublishAtField
from ..models import Label, Post, PostImage, PostVideo
from ..services.blogs import MAX_POINT_LENGTH, MAX_POINTS
from ..services.workflow import MAX_NOTE_LENGTH

ACTIONS = ("autosave", "draft", "save", "submit", "publish", "schedule")
MAX_BYLINES = 8
MAX_NEW_PHOTOS = 12


def messages(form: forms.Form) -> list[str]:
    """Every error of a bound form, as plain sentences."""
    return [str(message) for errors in form.errors.values() for message in errors]


def _length(model: type[Any], name: str) -> int | None:
    return model._meta.get_field(name).max_length  # type: ignore[no-any-return]


class ComposeForm(forms.Form):
    """Everything typed in the compose box but the photos and the byline (several rows
    each, read by ``compose.rows``)."""

    post = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], initial="draft")
    title = forms.CharField(max_length=Post._meta.get_field("title").max_length, required=False)
    body = forms.CharField(
        required=False,
        max_length=100_000,
        widget=AdminProseEditorWidget(config=BODY_EDITOR, preset="configurable"),
    )
    label = forms.ModelChoiceField(Label.objects.all(), required=False, empty_label="No label")
    key_event = forms.BooleanField(required=False)
    video_url = forms.URLField(required=False, assume_scheme="https", label="Video link",
                               max_length=PostVideo._meta.get_field("url").max_length)  # fmt: skip
    video_caption = forms.CharField(
        required=False,
        label="Media caption",
        max_length=PostVideo._meta.get_field("caption").max_length,
    )
    correction_note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown to readers with the update time.",
    )
    publish_at = PublishAtField(required=False, label="Publish at")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        if cleaned.get("action") == "schedule":
            at = cleaned.get("publish_at")
            if not at:
                self.add_error("publish_at", "Choose when the post goes live.")
            elif at <= timezone.now():
                self.add_error("publish_at", "Choose a time in the future, or publish now.")
        if cleaned.get("action") != "autosave" and not (cleaned.get("title") or "").strip():
            self.add_error("title", "A post needs a title.")
        return cleaned


class PhotoWordsForm(forms.Form):
    """Alt text, caption and credit of one photo row (new or already stored)."""

    alt = forms.CharField(required=False, max_length=_length(PostImage, "alt_text"))
    caption = forms.CharField(required=False, max_length=_length(PostImage, "caption"))
    credit = forms.CharField(required=False, max_length=_length(PostImage, "credit"))
    remove = forms.BooleanField(required=False)


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


class ScheduleForm(forms.Form):
    publish_at = PublishAtField(label="Publish at")

    def clean_publish_at(self) -> datetime:
        value: datetime = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError("Choose a time in the future, or publish now.")
        return value


class SummaryForm(forms.Form):
    points = forms.CharField(
        required=False,
        max_length=MAX_POINTS * (MAX_POINT_LENGTH + 1),
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Key points",
        help_text=f"One per line, in order (up to {MAX_POINTS}).",
    )
    # The points the editor started from: someone else's newer points are not overwritten.
    started_from = forms.CharField(required=False, widget=forms.HiddenInput)


# The desk's workflow buttons that ask for something first (the rest are one click).
STEP_FORMS: dict[str, type[forms.Form]] = {
    "return_to_draft": ReturnForm,
    "retract": RetractForm,
    "schedule": ScheduleForm,
}
