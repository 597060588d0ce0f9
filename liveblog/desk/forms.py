"""The desk's forms: the compose box and the key points (each action's own form is the
action registry's, ``liveblog.actions.forms``)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

from results.models import Race

from ..actions.forms import PublishAtField
from ..admin.forms import BodyEditor
from ..models import Label, Post, PostEmbed, PostImage, PostVideo
from ..services.blogs import MAX_POINT_LENGTH, MAX_POINTS, MAX_RACES_AT_ONCE
from ..services.workflow import MAX_NOTE_LENGTH

ACTIONS = ("autosave", "draft", "save", "submit", "publish", "schedule")
MAX_BYLINES = 8
MAX_NEW_PHOTOS = 12


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
        widget=BodyEditor(),
    )
    label = forms.ModelChoiceField(Label.objects.all(), required=False, empty_label="No label")
    key_event = forms.BooleanField(required=False)
    video_url = forms.URLField(required=False, assume_scheme="https", label="Video link",
                               max_length=PostVideo._meta.get_field("url").max_length)  # fmt: skip
    embed_url = forms.CharField(
        required=False, label="Embed a link",
        max_length=PostEmbed._meta.get_field("url").max_length,
        widget=forms.URLInput(attrs={"aria-describedby": "embed-url-hint",
                                     "placeholder": "https://"}),
        help_text="A post on X, Bluesky, Threads, Mastodon, Instagram, Facebook or TikTok, a "
                  "YouTube or Vimeo video, SoundCloud or Spotify audio, a Datawrapper or "
                  "Flourish chart: readers see a card, and the original when they ask.",
    )  # fmt: skip
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


class SummaryForm(forms.Form):
    points = forms.CharField(
        required=False,
        max_length=MAX_POINTS * (MAX_POINT_LENGTH + 1),
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Key points",
        help_text=f"One per line, in order (up to {MAX_POINTS}).",
    )
    # The points the editor started from: someone else's newer points are not overwritten.
    started_from = forms.CharField(required=False, widget=forms.HiddenInput,
                                   max_length=MAX_POINTS * (MAX_POINT_LENGTH + 8) + 2)  # fmt: skip

    def clean_started_from(self) -> list[str]:
        try:
            points = json.loads(self.cleaned_data["started_from"] or "[]")
        except ValueError:
            points = None
        if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
            raise forms.ValidationError(
                "Reload the desk: the key points it started from are unreadable."
            )
        return points


class ShowRacesForm(forms.Form):
    """Races to show on the blog: ticked from the wire's list, or typed as AP race ids."""

    races = forms.ModelMultipleChoiceField(Race.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)  # fmt: skip
    ids = forms.CharField(
        required=False,
        max_length=2000,
        label="Or type AP race ids",
        help_text='As the feed names them, state and race: "PA-41633", "US-president".',
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        chosen = list(cleaned.get("races") or [])
        typed = [word for word in cleaned.get("ids", "").replace(",", " ").split() if word]
        if len(typed) > MAX_RACES_AT_ONCE:
            raise forms.ValidationError(
                f"Type at most {MAX_RACES_AT_ONCE} race ids at a time ({len(typed)} typed)."
            )
        # One query for every id typed; an id used in several elections: the latest.
        found: dict[str, Race] = {}
        if typed:
            asked = models.Q()
            for source_id in typed:
                asked |= models.Q(source_id__iexact=source_id)
            for race in Race.objects.filter(asked).order_by(
                models.F("election_date").asc(nulls_first=True)
            ):
                found[race.source_id.lower()] = race  # later elections overwrite earlier
        missing = [source_id for source_id in typed if source_id.lower() not in found]
        for source_id in typed:
            match = found.get(source_id.lower())
            if match is not None and match not in chosen:
                chosen.append(match)
        if missing:
            raise forms.ValidationError(
                f"Not in any imported document yet: {', '.join(missing)}. Import it (or wait "
                "for the poller), then choose it here."
            )
        if not chosen:
            raise forms.ValidationError("Tick a race, or type its AP race id.")
        cleaned["races"] = chosen
        return cleaned
