"""The demo's pictures, drawn locally with Pillow (the reference's photos are not ours to
ship, and the demo never fetches anything).

A photo placeholder is a quiet neutral frame with a camera glyph and the credit, so that
nobody mistakes it for a broken image or for the real photo; a candidate's headshot is a
silhouette on the party's colour, as results pages draw a candidate without a photo.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

PHOTO_SIZE = (1280, 720)
HEADSHOT_SIZE = 400


def _jpeg(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    buffer.seek(0)
    return buffer


def _hex(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))  # fmt: skip


def photo_placeholder(text: str, *, credit: str = "") -> io.BytesIO:
    """A 16:9 placeholder: a light grey (a shade set by ``text``, stable across runs),
    a camera glyph in the middle and, beneath it, the credit the photo would carry."""
    width, height = PHOTO_SIZE
    shade = 214 + hashlib.sha256(text.encode()).digest()[0] % 22  # 214..235: grey, calm
    background = (shade, shade, min(255, shade + 4))
    ink = (shade - 92, shade - 92, shade - 88)
    image = Image.new("RGB", PHOTO_SIZE, background)
    draw = ImageDraw.Draw(image)
    cx, cy = width // 2, height // 2 - 30
    # The glyph: a rounded body, the viewfinder bump and the lens.
    draw.rounded_rectangle([cx - 90, cy - 55, cx + 90, cy + 65], radius=18, outline=ink, width=10)
    draw.rounded_rectangle([cx - 38, cy - 78, cx + 38, cy - 52], radius=8, fill=ink)
    draw.ellipse([cx - 40, cy - 35, cx + 40, cy + 45], outline=ink, width=10)
    draw.ellipse([cx + 52, cy - 38, cx + 66, cy - 24], fill=ink)
    label = f"Photo: {credit}" if credit else "Photo"
    font = ImageFont.load_default(size=34)
    draw.text((cx, cy + 120), label[:60], fill=ink, font=font, anchor="mt")
    return _jpeg(image)


def headshot(colour: str) -> io.BytesIO:
    """A square headshot stand-in: a pale silhouette on the party's colour."""
    size = HEADSHOT_SIZE
    party = _hex(colour)
    image = Image.new("RGB", (size, size), _mix(party, (255, 255, 255), 0.15))
    draw = ImageDraw.Draw(image)
    figure = _mix(party, (255, 255, 255), 0.7)
    draw.ellipse([size * 0.3, size * 0.14, size * 0.7, size * 0.58], fill=figure)
    draw.ellipse([size * 0.1, size * 0.62, size * 0.9, size * 1.3], fill=figure)
    return _jpeg(image)
