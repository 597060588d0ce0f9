"""What the API accepts: query parameters and write bodies, checked strictly.

Unknown fields are refused (a typo must not be silently ignored on election night),
times must carry a time zone, page sizes must be in range.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from newsroom.web.inputs import StrictSerializer

from ..models import Label
from ..models.media import Placement

MAX_SEQ = 2**53  # JSON-safe; a blog will never get near it


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeField(serializers.Field[datetime, str, str, Any]):
    """An ISO 8601 time with its offset (``Z``, ``+01:00``); a naive time is refused."""

    json_type, json_type_name = str, "a string"

    default_error_messages = {
        "invalid": "Give an ISO 8601 date and time, e.g. 2024-11-06T22:30:00Z.",
        "naive": "The time must include a time zone offset (e.g. Z or +01:00).",
    }

    def to_internal_value(self, data: Any) -> datetime:
        if not isinstance(data, str) or len(data) > 64:
            self.fail("invalid")
        try:
            value = parse_datetime(data.strip())
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        if value.tzinfo is None or value.utcoffset() is None:
            self.fail("naive")
        return value

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field[Label, str, str, Any]):
    """A label by its slug (null for none)."""

    default_error_messages = {"unknown": "Unknown label “{slug}”."}
    json_type, json_type_name = str, "a label's slug"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Label:
        slug = str(data)[:40]  # a string: StrictSerializer checked it
        label = Label.objects.filter(slug=slug).first()
        if label is None:
            self.fail("unknown", slug=slug)
        return label

    def to_representation(self, value: Label) -> str:
        return value.slug


class PostListQuery(StrictSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    cursor = serializers.CharField(required=False, max_length=100, trim_whitespace=False)
    key_events = serializers.BooleanField(required=False, default=False)
    pinned = serializers.BooleanField(required=False, default=False)
    # Declared fields are moved into _declared_fields by the serializer metaclass, so `label`
    # never shadows Field.label (the display label), which is all the stubs can see.
    # A query value is taken as sent: "M\x1d" is no slug (trimming would make it "M").
    label = serializers.SlugField(required=False, max_length=40, trim_whitespace=False)  # type: ignore[assignment]


class ListQuery(StrictSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    cursor = serializers.CharField(required=False, max_length=100, trim_whitespace=False)


class FeedQuery(StrictSerializer):
    after = serializers.IntegerField(min_value=0, max_value=MAX_SEQ, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100)


TITLE_IN = "Plain text: markup is shown as typed, never run."
BODY_IN = (
    "HTML, sanitised on the way in: paragraphs, headings, quotes, lists and links are "
    "kept; anything else is removed."
)


class PostCreateInput(StrictSerializer):
    title = serializers.CharField(max_length=200, help_text=TITLE_IN)
    body = serializers.CharField(
        required=False, allow_blank=True, max_length=100_000, help_text=BODY_IN
    )
    label = LabelField(required=False)  # type: ignore[assignment]  # see PostListQuery


class PostUpdateInput(StrictSerializer):
    title = serializers.CharField(required=False, max_length=200, help_text=TITLE_IN)
    body = serializers.CharField(
        required=False, allow_blank=True, max_length=100_000, help_text=BODY_IN
    )
    label = LabelField(required=False)  # type: ignore[assignment]  # see PostListQuery
    correction_note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=TITLE_IN
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not set(attrs) - {"correction_note"}:
            raise serializers.ValidationError("Send at least one of title, body or label.")
        return attrs


class PublishInput(StrictSerializer):
    at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="Schedule for this time (with its offset); omit or null to publish now.",
    )


class PinInput(StrictSerializer):
    pinned = serializers.BooleanField()


class KeyEventInput(StrictSerializer):
    key_event = serializers.BooleanField()


class ReturnInput(StrictSerializer):
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="For the reporter: shown on their desk until they submit again.",
    )  # fmt: skip


class RetractInput(StrictSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Kept on record; not shown.")


class ImageInput(StrictSerializer):
    file = serializers.FileField(help_text="JPEG, PNG or WebP; re-encoded without metadata.")
    alt_text = serializers.CharField(max_length=300)
    caption = serializers.CharField(required=False, allow_blank=True, max_length=500)
    credit = serializers.CharField(required=False, allow_blank=True, max_length=120)
    placement = serializers.ChoiceField(choices=Placement.choices, default=Placement.LEAD)


class EmbedInput(StrictSerializer):
    url = serializers.CharField(
        max_length=1000,
        help_text="The https link of a post, video or chart (X, Bluesky, Threads, Mastodon, "
        "Instagram, Facebook, TikTok, YouTube, Vimeo, SoundCloud, Spotify, Datawrapper, "
        "Flourish). Read once, now; a provider that fails leaves a plain link.",
    )
    placement = serializers.ChoiceField(choices=Placement.choices, default=Placement.END)
