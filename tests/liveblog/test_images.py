"""Tests for newsroom.images.clean_image: every input is generated here, nothing is stored."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import ExifTags, Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from newsroom import images
from newsroom.images import CleanImage, clean_image

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def encode(img: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **options: object) -> bytes:
    return encode(Image.new("RGB", size, BLUE), fmt, **options)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def bilevel_png(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG: all-black rows compress about 1000:1."""
    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = bytearray()
    for start in range(0, height, 256):
        idat += compressor.compress(row * min(256, height - start))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", bytes(idat))
        + png_chunk(b"IEND", b"")
    )


def exif_with_thumbnail(thumbnail: bytes) -> bytes:
    """EXIF (APP1) whose IFD1 carries a JPEG thumbnail, as cameras write it."""
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, 1) + struct.pack("<I", 26)
    ifd1 = (
        struct.pack("<H", 2)
        + struct.pack("<HHII", 0x0201, 4, 1, 56)
        + struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail))
        + struct.pack("<I", 0)
    )
    return b"Exif\0\0" + b"II*\0" + struct.pack("<I", 8) + ifd0 + ifd1 + thumbnail


def rejection(data: bytes, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        clean_image(io.BytesIO(data), **kwargs)
    return excinfo.value


def reopen(result: CleanImage) -> Image.Image:
    result.content.seek(0)
    img = Image.open(io.BytesIO(result.content.read()))
    img.load()
    return img


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 200 and pixel[1] < 60 and pixel[2] < 60


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepts_each_supported_format_with_its_dimensions(fmt: str, extension: str) -> None:
    result = clean_image(io.BytesIO(photo(fmt, (64, 48))), name="Match report.bin")

    assert (result.width, result.height, result.format) == (64, 48, fmt)
    assert result.content.name == f"upload.{extension}"  # the storage names it (media.py)
    assert result.original_name == "Match report.bin"
    out = reopen(result)
    assert (out.format, out.size) == (fmt, (64, 48))


def test_extension_comes_from_content_not_client_name() -> None:
    upload = SimpleUploadedFile("Reporter Photo.JPG", photo("PNG"), content_type="image/jpeg")

    result = clean_image(upload)

    assert result.format == "PNG"
    assert result.content.name == "upload.png"
    assert result.original_name == "Reporter Photo.JPG"


def test_unsafe_client_name_is_kept_only_as_metadata_without_its_path() -> None:
    result = clean_image(io.BytesIO(photo()), name="..\\..\\etc/Passwd Photo!.php.jpg")

    assert result.content.name == "upload.jpg"
    assert result.original_name == "Passwd Photo!.php.jpg"


def test_no_client_name_is_no_original_name() -> None:
    result = clean_image(io.BytesIO(photo()))

    assert (result.content.name, result.original_name) == ("upload.jpg", "")


def test_long_names_are_shortened() -> None:
    result = clean_image(io.BytesIO(photo()), name="a" * 300 + ".jpg")

    assert len(result.original_name) == 200
    assert result.content.name == "upload.jpg"


def test_svg_is_refused() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><script>1</script></svg>'

    error = rejection(svg, name="photo.svg")

    assert error.code == "unsupported_format"
    assert error.messages == ["Unsupported image type: upload a JPEG, PNG or WebP photo."]


def test_gif_is_refused() -> None:
    assert rejection(photo("GIF")).code == "unsupported_format"


def test_html_renamed_to_jpg_is_refused() -> None:
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    upload = SimpleUploadedFile("photo.jpg", html, content_type="image/jpeg")

    with pytest.raises(ValidationError) as excinfo:
        clean_image(upload)

    assert excinfo.value.code == "unsupported_format"


def test_pdf_is_refused() -> None:
    assert rejection(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n").code == "unsupported_format"


def test_empty_file_is_refused() -> None:
    error = rejection(b"")

    assert error.code == "empty"
    assert error.messages == ["The file is empty."]


def test_file_over_size_limit_is_refused(settings) -> None:
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    data = photo("PNG", (400, 400), optimize=False, compress_level=0)

    assert rejection(data).code == "too_large"


def test_too_large_message_gives_size_and_limit() -> None:
    error = rejection(b"\0" * int(22.3 * 2**20))

    assert error.messages == ["The image is 22.3 MB; the limit is 15 MB."]


def test_oversized_upload_is_not_read_in_full(settings) -> None:
    settings.NEWSROOM_IMAGE_MAX_BYTES = 10_000

    class CountingReader(io.BytesIO):
        bytes_read = 0

        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            self.bytes_read += len(chunk)
            return chunk

    reader = CountingReader(b"\xff" * 1_000_000)
    with pytest.raises(ValidationError, match="limit"):
        clean_image(reader)

    assert reader.bytes_read <= 10_001


def test_decompression_bomb_beyond_pillow_limit_is_refused_without_decoding(monkeypatch) -> None:
    decoded: list[object] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda img: decoded.append(img))
    bomb = bilevel_png(30_000, 30_000)  # 900 megapixels in about 110 KB
    assert len(bomb) < 200_000

    assert rejection(bomb).code == "too_many_pixels"
    assert decoded == []


def test_image_over_pixel_limit_is_refused_from_its_header(monkeypatch) -> None:
    decoded: list[object] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda img: decoded.append(img))

    error = rejection(bilevel_png(8000, 6000))  # 48 MP: under Pillow's limit, over ours

    assert error.code == "too_many_pixels"
    assert "8000 x 6000" in error.messages[0]
    assert "PNG and WebP images can be up to 16.7772 megapixels" in error.messages[0]
    assert decoded == []


def test_a_small_png_of_many_pixels_is_refused_before_it_costs_memory(monkeypatch) -> None:
    """A 150 KB PNG of 6,200 x 6,200 pixels once cost ~450 MB to check: PNG decodes whole,
    so its limit is lower than a JPEG's, and it is refused from the header."""
    decoded: list[object] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda img: decoded.append(img))
    bomb = bilevel_png(6200, 6200)
    assert len(bomb) < 200_000

    assert rejection(bomb).code == "too_many_pixels"
    assert decoded == []


def test_a_large_jpeg_decodes_at_a_reduced_scale_and_is_stored_at_the_edge_limit(
    settings, monkeypatch
) -> None:
    settings.NEWSROOM_IMAGE_MAX_EDGE = 500
    decoded: list[tuple[int, int]] = []
    real = images._normalise

    def spy(img, fmt):
        decoded.append(img.size)
        return real(img, fmt)

    monkeypatch.setattr(images, "_normalise", spy)
    result = clean_image(io.BytesIO(photo(size=(2400, 1600))))

    assert decoded == [(600, 400)]  # DCT scaling: a quarter of the pixels on each side
    assert (result.width, result.height) == (500, 333)
    assert reopen(result).size == (500, 333)


def test_a_png_above_the_edge_limit_is_stored_scaled_down(settings) -> None:
    settings.NEWSROOM_IMAGE_MAX_EDGE = 100
    result = clean_image(io.BytesIO(photo("PNG", size=(300, 150))))
    assert (result.width, result.height) == (100, 50)


# Ignored outside clean_image, so the test proves clean_image escalates it itself.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillow_bomb_warning_is_turned_into_a_refusal(settings) -> None:
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 500_000_000  # above Pillow's own 89.5 MP warning

    assert rejection(bilevel_png(10_000, 10_000)).code == "too_many_pixels"


def test_pixel_limit_is_read_from_settings_at_call_time(settings) -> None:
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 1000

    assert rejection(photo(size=(64, 48))).code == "too_many_pixels"


def test_truncated_jpeg_is_refused() -> None:
    data = photo(size=(256, 256))
    error = rejection(data[: len(data) // 2])

    assert error.code == "corrupt"
    assert error.messages == ["The image file is damaged or incomplete."]


def test_truncated_png_is_refused() -> None:
    data = Image.effect_noise((128, 128), 64).convert("RGB")
    png = encode(data, "PNG")

    assert rejection(png[: len(png) - 200]).code == "corrupt"


def test_jpeg_zip_polyglot_is_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("payload.txt", "hidden")

    error = rejection(photo() + archive.getvalue())

    assert error.code == "polyglot"
    assert error.messages == ["This file hides other content inside the image and was refused."]


def test_png_with_script_in_text_chunk_is_refused() -> None:
    info = PngInfo()
    info.add_text("Comment", "<ScRiPt>alert(document.cookie)</script>")

    assert rejection(photo("PNG", pnginfo=info)).code == "polyglot"


def test_jpeg_with_svg_in_comment_is_refused() -> None:
    assert rejection(photo(comment=b"<svg onload=alert(1)>")).code == "polyglot"


def test_tag_like_text_that_is_not_a_tag_is_accepted() -> None:
    info = PngInfo()
    info.add_text("Comment", "<svgs and <scripted notes")

    assert clean_image(io.BytesIO(photo("PNG", pnginfo=info))).format == "PNG"


def test_png_with_data_after_iend_is_refused() -> None:
    assert rejection(photo("PNG") + b"<?php system($_GET['c']); ?>").code == "polyglot"
    assert rejection(photo("PNG") + b"MZ\x90\x00").code == "polyglot"


def test_webp_with_data_after_riff_is_refused() -> None:
    assert rejection(photo("WEBP") + b"PK\x03\x04extra").code == "polyglot"


def test_short_zero_padding_after_image_is_accepted() -> None:
    assert clean_image(io.BytesIO(photo() + b"\0" * 512)).format == "JPEG"


def test_long_zero_padding_after_image_is_refused() -> None:
    assert rejection(photo() + b"\0" * 100_000).code == "polyglot"


def test_exif_thumbnail_inside_app1_is_not_mistaken_for_trailing_data() -> None:
    thumbnail = photo(size=(16, 12))
    data = photo(size=(64, 48), exif=exif_with_thumbnail(thumbnail))
    assert data.index(b"\xff\xd9") < len(data) - 2  # the thumbnail's EOI comes first

    result = clean_image(io.BytesIO(data))

    assert (result.width, result.height) == (64, 48)


def test_gps_tagged_rotated_photo_comes_back_upright_without_metadata() -> None:
    img = Image.new("RGB", (80, 40), BLUE)
    img.paste(RED, (0, 0, 16, 16))  # marker in the stored top-left corner
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # display rotated 90 degrees clockwise
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    data = encode(img, "JPEG", exif=exif, quality=95)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    result = clean_image(io.BytesIO(data))
    out = reopen(result)

    assert (result.width, result.height) == out.size == (40, 80)
    assert is_red(out.getpixel((40 - 8, 8)))  # the marker is now top-right
    assert not is_red(out.getpixel((8, 8)))
    assert not out.getexif()
    assert "exif" not in out.info
    result.content.seek(0)
    assert b"Exif" not in result.content.read()


def test_comments_and_text_chunks_are_stripped() -> None:
    info = PngInfo()
    info.add_text("Author", "Source who must stay anonymous")

    jpeg = reopen(clean_image(io.BytesIO(photo(comment=b"shot at the safe house"))))
    png = reopen(clean_image(io.BytesIO(photo("PNG", pnginfo=info))))

    assert "comment" not in jpeg.info
    assert "Author" not in png.info


def test_icc_profile_is_kept() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    out = reopen(clean_image(io.BytesIO(photo(icc_profile=icc))))

    assert out.info["icc_profile"] == icc


def test_progressive_jpeg_is_accepted() -> None:
    data = photo(size=(128, 96), progressive=True)
    assert data.count(b"\xff\xda") > 1  # several scans

    result = clean_image(io.BytesIO(data))

    assert (result.format, result.width, result.height) == ("JPEG", 128, 96)


def test_jpeg_with_restart_markers_is_accepted() -> None:
    data = encode(Image.effect_noise((64, 64), 50).convert("RGB"), "JPEG", restart_marker_rows=1)
    assert b"\xff\xd0" in data

    assert clean_image(io.BytesIO(data)).height == 64


def test_cmyk_jpeg_comes_back_as_rgb() -> None:
    data = encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG")
    assert Image.open(io.BytesIO(data)).mode == "CMYK"

    out = reopen(clean_image(io.BytesIO(data)))

    assert out.mode == "RGB"
    assert is_red(out.getpixel((16, 16)))


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped() -> None:
    img = Image.new("I;16", (8, 8), 32768)

    out = reopen(clean_image(io.BytesIO(encode(img, "PNG"))))

    assert out.mode == "RGB"
    assert out.getpixel((4, 4)) == (128, 128, 128)


def test_transparent_palette_png_keeps_alpha() -> None:
    img = Image.new("P", (8, 8), 0)
    img.putpalette([255, 0, 0, 0, 0, 255])

    out = reopen(clean_image(io.BytesIO(encode(img, "PNG", transparency=0))))

    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0


def test_animated_webp_is_refused() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in (RED, BLUE)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)

    error = rejection(data)

    assert error.code == "animated"


def test_animated_png_is_refused() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in (RED, BLUE)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)

    assert rejection(data).code == "animated"


def test_multi_picture_jpeg_from_phone_is_accepted_as_its_primary_image() -> None:
    primary, secondary = Image.new("RGB", (64, 48), RED), Image.new("RGB", (32, 24), BLUE)
    data = encode(primary, "MPO", save_all=True, append_images=[secondary])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    result = clean_image(io.BytesIO(data))

    assert (result.format, result.width, result.height) == ("JPEG", 64, 48)
    assert is_red(reopen(result).getpixel((32, 24)))


def test_plain_bytesio_input_works() -> None:
    result = clean_image(io.BytesIO(photo("PNG")))

    assert isinstance(result, CleanImage)
    assert result.format == "PNG"


def test_simple_uploaded_file_works() -> None:
    upload = SimpleUploadedFile("goal.webp", photo("WEBP"), content_type="image/webp")
    upload.read()  # as if a form had already looked at it

    result = clean_image(upload)

    assert (result.format, result.original_name) == ("WEBP", "goal.webp")


def test_temporary_uploaded_file_works() -> None:
    data = photo()
    upload = TemporaryUploadedFile("crowd.jpg", "image/jpeg", len(data), None)
    try:
        upload.write(data)
        upload.seek(0)

        assert clean_image(upload).original_name == "crowd.jpg"
    finally:
        upload.close()


def test_closed_django_file_is_reopened(tmp_path) -> None:
    path = tmp_path / "Finish Line.png"
    path.write_bytes(photo("PNG"))
    django_file = File(path.open("rb"), name=str(path))
    django_file.close()

    assert clean_image(django_file).original_name == "Finish Line.png"
