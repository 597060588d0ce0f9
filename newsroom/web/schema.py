"""OpenAPI pieces shared by every endpoint: the error body and the common headers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .caching import CACHE_CONTROL


class ErrorBodySerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField(
        help_text="Stable, machine-readable: branch on this (see the partner guide)."
    )
    message = serializers.CharField(help_text="For people: what went wrong and what to do.")
    details = serializers.DictField(help_text="More about the error, e.g. field errors.")


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    error = ErrorBodySerializer()


_ERROR_TEXT = {
    400: "Bad input: `invalid` (see details.fields), `malformed_request`, `invalid_cursor`, "
    "`invalid_if_match`, `invalid_idempotency_key`.",
    401: "`not_authenticated`, `invalid_key`, `key_revoked`, `key_expired`, `inactive_user`.",
    403: "`forbidden` (the services refused this user) or `insufficient_scope` (the key).",
    404: "`not_found`.",
    410: "`retracted`: the post was taken down.",
    412: "`stale_version`: the post changed since the ETag you sent in If-Match.",
    413: "`too_large`.",
    415: "`unsupported_media_type`.",
    422: "`idempotency_key_reused` with a different request.",
    428: "`precondition_required`: send If-Match.",
    429: "`throttled`: wait Retry-After seconds.",
}

RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429],
    description="Seconds to wait before trying again.",
)  # fmt: skip
ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200], required=True,
    description="Send it back as If-None-Match to get 304 when nothing changed.",
)  # fmt: skip
POST_ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 201], required=True,
    description='The post\'s version, e.g. `"v3"`: send it as If-Match to change the post.',
)  # fmt: skip
CACHE = OpenApiParameter(
    "Cache-Control", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304],
    description=f"`{CACHE_CONTROL}`: keep the body, revalidate with If-None-Match.",
)  # fmt: skip
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag you hold: 304 Not Modified if it is still current.",
)  # fmt: skip
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    pattern=r'^"v[1-9][0-9]{0,8}"$',
    description='The post\'s ETag as you last read it, e.g. `"v3"`. 412 if the post has '
    "changed since, 428 if missing.",
)  # fmt: skip
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
    pattern=r"^[\x21-\x7e]{1,255}$",
    description="Any unique string (a UUID): retrying with the same key replays the first "
    "successful response instead of writing twice. Kept 24 hours, per caller.",
)  # fmt: skip
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 201],
    description="`true` when this response is a replay of an earlier one (Idempotency-Key).",
)  # fmt: skip

READ_HEADERS = [IF_NONE_MATCH, ETAG, CACHE, RETRY_AFTER]


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses in the common shape, for the statuses an operation can return."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT.get(code, "Error."))
        for code in statuses
    }


def read_responses(body: Any, *extra_errors: int) -> dict[int, Any]:
    """A read: 200 with ``body``, 304, and the errors every read can answer."""
    return {
        200: body,
        304: OpenApiResponse(description="Not modified: the ETag you sent is current."),
        **errors(400, 401, 403, 404, 429, *extra_errors),
    }


def plain_version(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular's postprocessing hook: ``info.version`` is the plain release
    ("1.0.0"), not "1.0.0 (v1)", which client generators (openapi-python-client) turn
    into a package version that will not install. The URL carries the API's version."""
    from django.conf import settings

    result["info"]["version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
    return result
