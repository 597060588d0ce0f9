"""The takeover an attacker's pass found: a reporter stores a script as a "video", an
editor opens the media link, and the script acts with the editor's session. Upload
checks now refuse such files (tests/liveblog/test_media_access.py); here, a hostile file
that got stored anyway must still not run when an editor opens it in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .support import Newsroom, Server, start_post_in_admin, unique

pytestmark = pytest.mark.browser

PAYLOAD = """<!doctype html><html><body><script>
document.title = "pwned";
fetch("/admin/liveblog/post/", {credentials: "include"}).then(() => { document.title = "pwned"; });
</script><p>hostile</p></body></html>"""


@pytest.mark.parametrize("extension", ["jpg", "mp4", "webm"])
def test_a_hostile_file_opened_by_an_editor_runs_nothing(
    newsroom: Newsroom, server: Server, editor_page: Callable[[Server], Any], extension: str
) -> None:
    post = newsroom.publish(title=unique("Photo of the count"))
    address = newsroom.plant_media(post["id"], PAYLOAD, extension)
    page = editor_page(server)
    admin_requests: list[str] = []
    page.on("request", lambda r: admin_requests.append(r.url) if "/admin/" in r.url else None)

    response = page.goto(server.page(address))
    page.wait_for_timeout(500)

    assert response is not None
    assert response.status == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert page.title() != "pwned"
    assert admin_requests == []


def test_a_reporter_cannot_store_a_script_as_a_video_through_the_admin(
    new_context: Callable[..., Any], server: Server, browser_db: Any, tmp_path: Any
) -> None:
    """The attack as found: the admin's video row with a file named ``pics.html`` whose
    bytes 4-8 say "ftyp". It is refused with the reason beside the file, nothing stored."""
    page = new_context().new_page()
    page.goto(server.page("/admin/login/?next=/admin/"))
    page.fill("#id_username", "reporter")
    page.fill("#id_password", browser_db.password)
    with page.expect_navigation():
        page.click("input[type=submit]")
    start_post_in_admin(page, server, unique("Video of the queues"))
    page.keyboard.type("Queues at the polling station.")
    page.click("#videos-group .add-row a")
    hostile = tmp_path / "pics.html"
    hostile.write_bytes(b"\x00\x00\x00\x18ftypisom" + PAYLOAD.encode())
    page.set_input_files("#id_videos-0-file", str(hostile))
    page.fill("#id_videos-0-caption", "Queues")
    with page.expect_navigation():
        page.click("input[name=_continue]")

    assert "Unsupported video: upload an MP4 or WebM file." in page.content()
    assert "/change/" not in page.url  # nothing was saved: the add page is shown again
