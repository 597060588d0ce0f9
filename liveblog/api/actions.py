"""The editorial workflow over the API: submit, return to draft, publish or schedule,
unschedule, pin, key events, retract, images.

Each endpoint takes an action of the registry (``liveblog.actions``), the one the admin
and the desk take, so the same people may do it and a refusal gets the same status at
every door. Each needs ``If-Match`` with the post's ETag (the service checks it under the
post's row lock, in its own transaction) and honours ``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from newsroom.web.base import ApiView
from newsroom.web.idempotency import idempotent
from newsroom.web.inputs import StrictSerializer, parse
from newsroom.web.preconditions import expected_version
from newsroom.web.schema import IDEMPOTENCY_KEY, IF_MATCH, POST_ETAG, REPLAYED, errors

from .. import actions, services
from ..models import Post
from . import scopes
from .context import reader
from .inputs import (
    EmbedInput,
    ImageInput,
    KeyEventInput,
    PinInput,
    PublishInput,
    RetractInput,
    ReturnInput,
)
from .posts import WRITE_ERRORS, post_for, post_response
from .serializers import PostSerializer


class NoInput(StrictSerializer):
    """No fields: send an empty JSON object, or no body."""


class PostActionView(ApiView):
    """POST /blogs/<slug>/posts/<id>/<action>/: one workflow step on one post."""

    write_scope = scopes.WRITE
    parser_classes = [JSONParser]
    input: type[serializers.Serializer[Any]] = NoInput
    success_status = 200
    gated = ""  # the action whose role is asked before the body is read (403 before 400)

    def post(self, request: Request, slug: str, pk: int) -> Response:
        return idempotent(request, lambda: self._run(request, slug, pk))  # type: ignore[return-value]

    def _run(self, request: Request, slug: str, pk: int) -> Response:
        post = post_for(request, slug, pk)
        version = expected_version(request)
        if self.gated:
            actions.REGISTRY[self.gated].gate(request.user)
        data = parse(self.input, request.data)
        post = self.perform(post=post, by=request.user, data=data, version=version)
        return post_response(request, post, status=self.success_status)

    def perform(
        self, *, post: Post, by: User | AnonymousUser, data: dict[str, Any], version: int
    ) -> Post:
        """Take the step with ``expected_version=version`` (412 if the post moved on)."""
        name, arguments = self.step(data)
        return actions.REGISTRY[name].run(post, by, {"version": version, **arguments})

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The registry's action for this request, and its input."""
        raise NotImplementedError


F = TypeVar("F", bound=Callable[..., Any])


def action_schema(
    summary: str, request: type[serializers.Serializer[Any]], status: int = 200
) -> Callable[[F], F]:
    return extend_schema(
        summary=summary,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, POST_ETAG, REPLAYED],
        request=request,
        responses={status: PostSerializer, **errors(*WRITE_ERRORS, 412, 415, 422, 428)},
        tags=["Workflow"],
    )


class SubmitView(PostActionView):
    gated = "submit"

    @action_schema("Submit a draft for approval", NoInput)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Send a draft to the editors (``liveblog:write``; the author, or an editor)."""
        return super().post(request, slug, pk)

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "submit", {}


class ReturnToDraftView(PostActionView):
    gated = "return_to_draft"
    input = ReturnInput

    @action_schema("Send a submission back to draft", ReturnInput)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Withdraw one's own submission, or send one back to its reporter with a note
        they see until they submit again (its author, or an editor)."""
        return super().post(request, slug, pk)

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "return_to_draft", {"note": data.get("note", "")}


class PublishView(PostActionView):
    gated = "publish"
    input = PublishInput

    @action_schema("Publish now, or schedule", PublishInput)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Publish now, or at ``at`` (ISO 8601 with an offset; naive times are refused).

        Editors only (``liveblog:write``). A scheduled post is visible from its time on.
        """
        return super().post(request, slug, pk)

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if data.get("at") is not None:
            return "schedule", {"publish_at": data["at"]}
        return "publish", {}


class UnscheduleView(PostActionView):
    gated = "unschedule"

    @action_schema("Cancel a schedule that has not yet come", NoInput)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Take a scheduled post off the schedule, back to the approval queue (editors)."""
        return super().post(request, slug, pk)

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "unschedule", {}


class PinView(PostActionView):
    gated = "pin"
    input = PinInput

    @action_schema("Pin or unpin a published post", PinInput)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Pin above the stream (replacing any other pin) or unpin (editors only)."""
        return super().post(request, slug, pk)

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return ("pin" if data["pinned"] else "unpin"), {}


class KeyEventView(PostActionView):
    gated = "mark_key_event"
    input = KeyEventInput

    @action_schema("Mark or unmark a key event", KeyEventInput)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Mark or unmark a key event (editors only)."""
        return super().post(request, slug, pk)

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return ("mark_key_event" if data["key_event"] else "unmark_key_event"), {}


class RetractView(PostActionView):
    gated = "retract"
    input = RetractInput

    @action_schema("Retract a published post", RetractInput)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Take a post down for good; the reason stays on record (editors only).

        Followers of the change feed get a tombstone for it.
        """
        return super().post(request, slug, pk)

    def step(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "retract", {"reason": data["reason"]}


class ImagesView(PostActionView):
    input = ImageInput
    parser_classes = [MultiPartParser]
    success_status = 201

    @action_schema("Add a photo (multipart upload)", ImageInput, status=201)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Attach a photo with its alt text, caption and credit (who may edit the post).

        ``multipart/form-data`` with ``file``; answers 201 with the post.
        """
        return super().post(request, slug, pk)

    def perform(
        self, *, post: Post, by: User | AnonymousUser, data: dict[str, Any], version: int
    ) -> Post:
        services.post_add_image(
            post=post,
            by=by,
            file=data["file"],
            alt_text=data["alt_text"],
            caption=data.get("caption", ""),
            credit=data.get("credit", ""),
            placement=data["placement"],
            expected_version=version,
        )
        return post


class EmbedsView(PostActionView):
    input = EmbedInput
    success_status = 201

    @action_schema("Embed a post, video or chart by its link", EmbedInput, status=201)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        """Attach a post from X, Bluesky, Mastodon…, a video or a chart by its link (who
        may edit the post). The link is read through its provider now, once; when the
        provider cannot be read it is kept as a plain link. Answers 201 with the post."""
        return super().post(request, slug, pk)

    def perform(
        self, *, post: Post, by: User | AnonymousUser, data: dict[str, Any], version: int
    ) -> Post:
        services.post_add_embed(post=post, by=by, url=data["url"], placement=data["placement"],
                                expected_version=version)  # fmt: skip
        return post


class AllowedActionsSerializer(serializers.Serializer[dict[str, Any]]):
    post = serializers.IntegerField()
    version = serializers.IntegerField()
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(actions.REGISTRY)),
        help_text="What you may do to this post now: the services' own checks.",
    )


class AllowedActionsView(ApiView):
    """GET /blogs/<slug>/posts/<id>/actions/: may I? Which actions the caller may take."""

    read_scope = scopes.READ

    @extend_schema(
        operation_id="post_actions",
        summary="The workflow actions you may take on this post now",
        responses={200: AllowedActionsSerializer, **errors(401, 403, 404, 410, 429)},
        tags=["Workflow"],
    )
    def get(self, request: Request, slug: str, pk: int) -> Response:
        """The actions (``edit``, ``submit``, ``publish``, ``pin``, ``retract``…) the
        services would accept from you for this post now, so a client shows only those.
        A partner's key may take none (``liveblog:read``)."""
        post = post_for(request, slug, pk)
        offered = actions.offered(reader(request), post)
        return Response({"post": post.pk, "version": post.version, "actions": offered})
