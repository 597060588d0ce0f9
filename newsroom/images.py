"""Check reporters' photo uploads and turn them into safe, re-encoded copies.

Uploads come from the open internet, so they are judged by their bytes alone: the client's
file name and content type are never trusted, and only a fresh re-encoding is ever stored.
Re-encoding drops EXIF/GPS/XMP/comments (which can reveal a source's location) and anything
hidden inside the original. The checks before it exist so that hostile files (decompression
bombs, polyglots, truncated files) are refused with a clear message before Pillow decodes them.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

_FORMATS = ["JPEG", "PNG", "WEBP"]
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 88, "progressive": True, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}
# Some cameras pad files with zeros after the image; a short run of them hides nothing.
_MAX_ZERO_PADDING = 4096
# Tags a browser or PHP would act on. The tag name must be followed by what ends a tag name in
# HTML/PHP (whitespace, "/", ">"): without that, random compressed pixel data matches "<svg"
# about once per 500 MB, i.e. roughly one ordinary 5 MB photo in a hundred would be refused.
_ACTIVE_CONTENT = re.compile(
    rb"<(?:script|html|\?php|svg|iframe|!doctype)(?:[\s/>]|\Z)", re.IGNORECASE
)
_BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
_MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("The image is %(size)s; the limit is %(limit)s."),
    "too_large_unknown": _("The image is larger than the %(limit)s limit."),
    "unsupported_format": _("Unsupported image type: upload a JPEG, PNG or WebP photo."),
    "too_many_pixels": _(
        "The image is %(width)s x %(height)s pixels (%(megapixels)s megapixels); "
        "the limit is %(limit)s megapixels."
    ),
    "too_many_pixels_unknown": _("The image has too many pixels to be processed safely."),
    "too_many_pixels_lossless": _(
        "The image is %(width)s x %(height)s pixels (%(megapixels)s megapixels); PNG and "
        "WebP images can be up to %(limit)s megapixels. Save it as a JPEG, or smaller."
    ),
    "animated": _(
        "Animated images cannot be posted here: upload a still photo (video has its own field)."
    ),
    "polyglot": _("This file hides other content inside the image and was refused."),
    "corrupt": _("The image file is damaged or incomplete."),
}


@dataclass(frozen=True)
class CleanImage:
    """A validated upload, re-encoded from its pixels: the only form in which it is stored."""

    content: ContentFile[bytes]  # re-encoded bytes, .name "upload.<jpg|png|webp>"
    width: int
    height: int
    format: str  # "JPEG" | "PNG" | "WEBP"
    original_name: str  # the uploader's file name, cleaned: metadata, never a path


def _error(code: str, message_key: str | None = None, **params: Any) -> ValidationError:
    return ValidationError(_MESSAGES[message_key or code], code=code, params=params or None)


def clean_image(upload: File[bytes] | IO[bytes], *, name: str | None = None) -> CleanImage:
    """Validate an uploaded image by its content and return a safe re-encoded copy.

    Raises ``django.core.exceptions.ValidationError`` with a stable ``code``.
    """
    data = _read_capped(upload, settings.NEWSROOM_IMAGE_MAX_BYTES)
    original = uploaders_name(name if name is not None else getattr(upload, "name", None))
    with warnings.catch_warnings():
        # Pillow's own bomb guard is only a warning below 2x its limit; make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img = _open(data)
        fmt = "JPEG" if img.format == "MPO" else str(img.format)
        _check_pixels(*img.size, fmt=fmt)  # from the header: nothing has been decoded yet
        if fmt in ("PNG", "WEBP") and getattr(img, "n_frames", 1) > 1:
            raise _error("animated")
        _check_polyglot(data, fmt, has_mpf="mp" in img.info)
        try:
            if fmt == "JPEG":
                # Decode at the smallest of 1/1, 1/2, 1/4, 1/8 scale that still covers the
                # stored size: a 45-megapixel camera JPEG costs what a 12-megapixel one does.
                img.draft(img.mode, _fitted(img.size))
            img.load()  # decodes everything; truncation raises (LOAD_TRUNCATED_IMAGES is off)
            out, icc = _normalise(img, fmt)
            if max(out.size) > settings.NEWSROOM_IMAGE_MAX_EDGE:
                out = out.resize(_fitted(out.size), Image.Resampling.LANCZOS)
        except _BOMB_ERRORS as exc:
            raise _error("too_many_pixels", "too_many_pixels_unknown") from exc
        except Exception as exc:  # hostile input makes Pillow raise many exception types
            raise _error("corrupt") from exc
    options = dict(_SAVE_OPTIONS[fmt])
    if icc:
        options["icc_profile"] = icc
    buffer = io.BytesIO()
    out.save(buffer, format=fmt, **options)
    # The stored name is the server's (newsroom.media.upload_to): only the extension,
    # from the detected format, survives from here.
    content = ContentFile(buffer.getvalue(), name=f"upload.{_EXTENSIONS[fmt]}")
    return CleanImage(
        content=content, width=out.width, height=out.height, format=fmt, original_name=original
    )


def clean_form_upload(upload: Any) -> Any:
    """For a form's ``clean_<field>``: a new upload checked and re-encoded (stored under
    the server's name, ``newsroom.media.upload_to``); the stored file left as it is."""
    if upload and hasattr(upload, "content_type"):
        return clean_image(upload).content
    return upload


def _read_capped(upload: File[bytes] | IO[bytes], limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes: enough to refuse a huge file without holding it."""
    if isinstance(upload, File) and upload.closed:
        upload.open("rb")
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)  # a form may already have read the upload
    chunks: list[bytes] = []
    total = 0
    while total <= limit and (chunk := upload.read(min(limit + 1 - total, 1 << 20))):
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        size = getattr(upload, "size", None)
        if not isinstance(size, int) or size <= limit:
            try:
                size = int(upload.seek(0, io.SEEK_END))
            except (AttributeError, OSError, TypeError, ValueError):
                size = None
        if size is None:
            raise _error("too_large", "too_large_unknown", limit=_human_size(limit))
        raise _error("too_large", size=_human_size(size), limit=_human_size(limit))
    if not total:
        raise _error("empty")
    return b"".join(chunks)


def _human_size(n: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:  # round up, so a file just over the limit never reads as equal to it
            return f"{math.ceil(n * 10 / scale) / 10:g} {unit}"
    return f"{n} bytes"


def uploaders_name(name: object) -> str:
    """The uploader's file name without any path, for the record (never used to store)."""
    if not isinstance(name, str):
        return ""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200]


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=_FORMATS)
    except UnidentifiedImageError as exc:
        raise _error("unsupported_format") from exc
    except _BOMB_ERRORS as exc:  # beyond Pillow's own limit: refused before we see the size
        raise _error("too_many_pixels", "too_many_pixels_unknown") from exc
    except Exception as exc:
        raise _error("corrupt") from exc


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled down to fit ``NEWSROOM_IMAGE_MAX_EDGE`` (the longest stored side)."""
    edge = settings.NEWSROOM_IMAGE_MAX_EDGE
    scale = min(1.0, edge / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _check_pixels(width: int, height: int, *, fmt: str) -> None:
    """JPEGs decode at a reduced scale (``draft``), PNG and WebP only whole: each has its
    own limit, so that no accepted upload costs more than about 200 MB to decode."""
    lossless = fmt != "JPEG"
    limit = (
        settings.NEWSROOM_IMAGE_MAX_PIXELS_LOSSLESS
        if lossless
        else settings.NEWSROOM_IMAGE_MAX_PIXELS
    )
    if width * height > limit:
        raise _error(
            "too_many_pixels",
            "too_many_pixels_lossless" if lossless else None,
            width=width,
            height=height,
            megapixels=f"{width * height / 1e6:.1f}",
            limit=f"{limit / 1e6:g}",
        )


def _check_polyglot(data: bytes, fmt: str, *, has_mpf: bool) -> None:
    """Refuse bytes after the image's logical end and markup that a browser or PHP would run."""
    if fmt == "PNG":
        end = _png_end(data)
    elif fmt == "WEBP":
        end = 8 + int.from_bytes(data[4:8], "little")  # RIFF size counts from byte 8
        if end > len(data):
            raise _error("corrupt")
    else:
        end = _jpeg_end(data, 0)
        # Phones append extra JPEGs listed in an MPF index (HDR gain maps, depth maps); they
        # are images, not payloads, so walk them too.
        while has_mpf and data.startswith(b"\xff\xd8", end):
            end = _jpeg_end(data, end)
    if len(data) - end > _MAX_ZERO_PADDING or data[end:].strip(b"\0"):
        raise _error("polyglot")
    if _ACTIVE_CONTENT.search(data):
        raise _error("polyglot")


def _png_end(data: bytes) -> int:
    """Offset just past the IEND chunk."""
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        pos += 12 + length
        if chunk_type == b"IEND" and pos <= len(data):
            return pos
    raise _error("corrupt")


def _jpeg_end(data: bytes, pos: int) -> int:
    """Offset just past the EOI ending the JPEG stream that starts at ``pos``.

    Segments are skipped by their length, so an EXIF thumbnail's EOI (inside APP1) is never
    mistaken for the main one; after each SOS, the entropy-coded data is scanned for the next
    real marker (0xFF00 is a stuffed byte, RSTn are restart markers, 0xFFFF is fill).
    """
    if not data.startswith(b"\xff\xd8", pos):
        raise _error("corrupt")
    pos += 2
    size = len(data)
    while pos + 1 < size and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
        elif marker == 0xD9:
            return pos + 2
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
        elif marker in (0x00, 0xD8) or pos + 4 > size:
            break
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
            if marker == 0xDA:
                while (pos := data.find(b"\xff", pos)) != -1 and pos + 1 < size:
                    following = data[pos + 1]
                    if following != 0 and not 0xD0 <= following <= 0xD7 and following != 0xFF:
                        break
                    pos += 1 if following == 0xFF else 2
                else:
                    break
    raise _error("corrupt")


def _normalise(img: Image.Image, fmt: str) -> tuple[Image.Image, bytes | None]:
    """Return an upright RGB/RGBA copy with no metadata, and the ICC profile still valid for it."""
    icc: bytes | None = img.info.get("icc_profile") or None
    img = ImageOps.exif_transpose(img)
    if img.mode == "CMYK" and icc and icc[16:20] == b"CMYK":
        # A naive CMYK->RGB conversion shifts colours badly; use the embedded profile instead.
        with contextlib.suppress(ImageCms.PyCMSError):
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            img = ImageCms.profileToProfile(img, source, srgb, outputMode="RGB") or img
    if img.mode.startswith("I"):  # 16-bit greyscale PNG: convert() would clip, so scale down
        img = img.point(lambda value: value / 256, "L")
    alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    img = img.convert("RGBA" if alpha and fmt != "JPEG" else "RGB")
    img.info = {}  # Pillow re-writes info (JPEG comment, PNG ICC) on save unless cleared
    if icc and icc[16:20] != b"RGB ":  # a CMYK or grey profile would misdescribe RGB pixels
        icc = None
    return img, icc
