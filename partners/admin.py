"""The admin for API keys, webhooks and the delivery log.

Keys and webhook secrets are shown once, in a message, when they are made; after that
only their hashes (keys) or nothing (secrets) are shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from rest_framework_api_key.admin import APIKeyModelAdmin

from liveblog.models import Change

from .models import DeliveryAttempt, PartnerKey, Scope, Webhook, WebhookDelivery
from .webhooks import signing, transport


class PartnerKeyForm(forms.ModelForm[PartnerKey]):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = PartnerKey
        fields = ["name", "partner", "scopes", "user", "expiry_date", "revoked"]


@admin.register(PartnerKey)
class PartnerKeyAdmin(APIKeyModelAdmin):
    form = PartnerKeyForm
    # APIKeyModelAdmin leaves these unannotated, so mypy pins them to its own tuples' lengths.
    list_display = ("prefix", "name", "partner", "scope_list", "user", "created",  # type: ignore[assignment]
                    "expiry_date", "_has_expired", "revoked")  # fmt: skip
    list_filter = ("revoked", "created")  # type: ignore[assignment]
    search_fields = ("name", "partner", "prefix", "user__username")  # type: ignore[assignment]
    autocomplete_fields = ("user",)

    @admin.display(description="Scopes")
    def scope_list(self, key: PartnerKey) -> str:
        return ", ".join(key.scopes or [])

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.revoked:
            fields = (*fields, "partner", "scopes", "user")
        return fields


class WebhookForm(forms.ModelForm[Webhook]):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=Change.Kind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["key", "url", "blog", "events", "active"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            transport.check_url(url)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict.get("url", error.messages)) from None
        return url


class DeliveryAttemptInline(admin.TabularInline[DeliveryAttempt, WebhookDelivery]):
    model = DeliveryAttempt
    fields = ("attempt", "status_code", "error", "duration_ms", "delivered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    form = WebhookForm
    list_display = ("url", "key", "blog", "event_list", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "key__partner", "key__name")
    raw_id_fields = ("key",)

    @admin.display(description="Events")
    def event_list(self, webhook: Webhook) -> str:
        return ", ".join(webhook.events or [])

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        if not change:
            obj.secret = signing.new_secret()
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                f"The signing secret of this webhook is {obj.secret} — give it to the "
                "partner now: it will not be shown again.",
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ("seq", "webhook", "status", "attempts", "last_status_code",
                    "delivered_at", "created_at")  # fmt: skip
    list_filter = ("status",)
    search_fields = ("webhook__url",)
    readonly_fields = ("webhook", "change", "seq", "status", "attempts", "claimed_until",
                       "next_attempt_at", "last_status_code", "last_error", "delivered_at",
                       "created_at")  # fmt: skip
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
