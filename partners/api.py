"""Webhooks over the API, for keys with ``webhooks:manage``: list, register, remove.

A key sees and manages only its own webhooks. The secret is in the answer to the
registration, and nowhere else, ever.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from liveblog.models import Change, LiveBlog
from newsroom.web.base import ApiView
from newsroom.web.idempotency import idempotent
from newsroom.web.inputs import StrictSerializer
from newsroom.web.schema import IDEMPOTENCY_KEY, REPLAYED, errors

from .models import PartnerKey, Scope, Webhook, WebhookDelivery
from .webhooks import services

RECENT_DELIVERIES = 10


def _key(request: Request) -> PartnerKey:
    """The caller's key: HasScope lets only keys manage webhooks (sessions get 403)."""
    key = request.auth
    assert isinstance(key, PartnerKey)
    return key


class DeliverySerializer(serializers.Serializer[WebhookDelivery]):
    seq = serializers.IntegerField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class WebhookSerializer(serializers.Serializer[Webhook]):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=Change.Kind.choices))
    blog = serializers.CharField(source="blog.slug", allow_null=True, default=None)
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookDetailSerializer(WebhookSerializer):
    recent_deliveries = serializers.SerializerMethodField()

    @extend_schema_field(DeliverySerializer(many=True))
    def get_recent_deliveries(self, webhook: Webhook) -> list[dict[str, Any]]:
        recent = webhook.deliveries.order_by("-id")[:RECENT_DELIVERIES]
        # many=True takes the iterable of instances; the stubs only know one instance.
        return list(DeliverySerializer(recent, many=True).data)  # type: ignore[arg-type]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="Verify X-Newsroom-Signature with it. Shown only in this response."
    )


class WebhookListSerializer(serializers.Serializer[dict[str, Any]]):
    results = WebhookSerializer(many=True)


class WebhookInput(StrictSerializer):
    url = serializers.CharField(max_length=500, help_text="http(s); a public address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Change.Kind.choices), min_length=1, max_length=8
    )
    blog = serializers.SlugField(
        required=False, allow_null=True, max_length=100, help_text="Omit for every blog."
    )


class WebhookListView(ApiView):
    read_scope = Scope.WEBHOOKS_MANAGE
    write_scope = Scope.WEBHOOKS_MANAGE

    @extend_schema(
        operation_id="webhooks_list",
        summary="Your webhooks",
        responses={200: WebhookListSerializer, **errors(401, 403, 429)},
        tags=["Webhooks"],
    )
    def get(self, request: Request) -> Response:
        """This key's webhooks (``webhooks:manage``)."""
        webhooks = Webhook.objects.filter(key=_key(request)).select_related("blog")
        return Response(WebhookListSerializer({"results": webhooks}).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Register a webhook",
        parameters=[IDEMPOTENCY_KEY, REPLAYED],
        request=WebhookInput,
        responses={201: WebhookCreatedSerializer, **errors(400, 401, 403, 404, 415, 422, 429)},
        tags=["Webhooks"],
    )
    def post(self, request: Request) -> Response:
        """Register a URL for some change kinds, of one blog or all (``webhooks:manage``).

        Answers 201 with the signing secret, shown only this once.
        """
        return idempotent(request, lambda: self._create(request))  # type: ignore[return-value]

    def _create(self, request: Request) -> Response:
        serializer = WebhookInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        blog = None
        if data.get("blog"):
            blog = LiveBlog.objects.filter(slug=data["blog"]).first()
            if blog is None:
                raise NotFound("No live blog with this slug.")
        webhook, secret = services.webhook_create(
            key=_key(request), url=data["url"], events=list(data["events"]), blog=blog
        )
        body = WebhookCreatedSerializer(webhook).data | {"secret": secret}
        return Response(body, status=201)


class WebhookView(ApiView):
    read_scope = Scope.WEBHOOKS_MANAGE
    write_scope = Scope.WEBHOOKS_MANAGE

    def _webhook(self, request: Request, pk: int) -> Webhook:
        webhook = Webhook.objects.filter(key=_key(request), pk=pk).select_related("blog").first()
        if webhook is None:
            raise NotFound("No such webhook for this key.")
        return webhook

    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="One webhook, with its recent deliveries",
        responses={200: WebhookDetailSerializer, **errors(401, 403, 404, 429)},
        tags=["Webhooks"],
    )
    def get(self, request: Request, pk: int) -> Response:
        """The webhook and its ten latest deliveries (``webhooks:manage``)."""
        return Response(WebhookDetailSerializer(self._webhook(request, pk)).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Remove a webhook",
        responses={204: OpenApiResponse(description="Removed."), **errors(401, 403, 404, 429)},
        tags=["Webhooks"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        """Remove the webhook; nothing more is sent to it (``webhooks:manage``)."""
        services.webhook_delete(webhook=self._webhook(request, pk))
        return Response(status=204)
