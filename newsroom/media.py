"""User media that cannot be guessed and cannot run.

Every uploaded file is stored under a name the server chooses: 128 random bits and an
extension from the type the content was *detected* as (never the uploader's name, which
is kept as metadata only). Every media response carries its type from the allowlist
below, ``X-Content-Type-Options: nosniff`` and a CSP that forbids everything
(``default-src 'none'; sandbox``), so a file that slipped through as something else
still cannot run script on the site's origin. A toolkit module: it names no app; who
may fetch which file is the apps' decision (``liveblog.views.media``).
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.utils.deconstruct import deconstructible

# What may be served, by extension (the extension comes from detected content).
MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",  # renditions
    "png": "image/png",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
MEDIA_CSP = "default-src 'none'; sandbox"
_NAME_BYTES = 16  # 128 bits


def unguessable_name(folder: str, extension: str) -> str:
    """``<folder>/<32 hex digits>.<extension>`` for a detected, allowed extension."""
    extension = extension.lower().lstrip(".")
    if extension not in MEDIA_TYPES:
        raise ValueError(f"not a media type we store: {extension!r}")
    return f"{folder}/{secrets.token_hex(_NAME_BYTES)}.{extension}"


@deconstructible
class UploadTo:
    """A FileField ``upload_to`` that ignores the offered name but for its extension
    (which our own checks set from the detected content)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        return unguessable_name(self.folder, PurePosixPath(filename).suffix)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadTo) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def upload_to(folder: str) -> UploadTo:
    return UploadTo(folder)


def media_response(path: str, *, public: bool) -> HttpResponseBase:
    """The stored file at ``path`` with the headers every media response carries.

    ``public``: cacheable by browsers and CDNs; otherwise private and never stored.
    With ``NEWSROOM_MEDIA_ACCEL_PREFIX`` set (production behind nginx), the answer is an
    empty ``X-Accel-Redirect`` and nginx sends the bytes (docs/deployment.md).
    """
    extension = PurePosixPath(path).suffix.lower().lstrip(".")
    content_type = MEDIA_TYPES.get(extension)
    if content_type is None or ".." in PurePosixPath(path).parts or path.startswith("/"):
        raise Http404("No such file.")
    response: HttpResponseBase
    prefix = settings.NEWSROOM_MEDIA_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{path}"
    else:
        try:
            handle = default_storage.open(path, "rb")
        except (FileNotFoundError, OSError):
            raise Http404("No such file.") from None
        response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cache-Control"] = "public, max-age=60" if public else "private, no-store, max-age=0"
    return response
