"""The OpenAPI schema and the interactive docs, served from our own static files."""

from __future__ import annotations

import re

import yaml
from django.core.management import call_command
from rest_framework.test import APIClient


def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn: an unannotated view or an ambiguous field would fail here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")

    schema = yaml.safe_load((tmp_path / "s.yaml").read_text())
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }


def test_schema_is_public_and_describes_every_endpoint(db):
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths) == {
        "/api/v1/blogs/",
        "/api/v1/blogs/{slug}/",
        "/api/v1/blogs/{slug}/changes/",
        "/api/v1/blogs/{slug}/posts/",
        "/api/v1/blogs/{slug}/posts/{id}/",
        "/api/v1/blogs/{slug}/posts/{id}/submit/",
        "/api/v1/blogs/{slug}/posts/{id}/return-to-draft/",
        "/api/v1/blogs/{slug}/posts/{id}/publish/",
        "/api/v1/blogs/{slug}/posts/{id}/unschedule/",
        "/api/v1/blogs/{slug}/posts/{id}/pin/",
        "/api/v1/blogs/{slug}/posts/{id}/key-event/",
        "/api/v1/blogs/{slug}/posts/{id}/retract/",
        "/api/v1/blogs/{slug}/posts/{id}/actions/",
        "/api/v1/blogs/{slug}/posts/{id}/images/",
        "/api/v1/blogs/{slug}/posts/{id}/embeds/",
        "/api/v1/races/",
        "/api/v1/races/{slug}/",
        "/api/v1/races/{slug}/snapshots/",
        "/api/v1/races/{slug}/snapshots/latest/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
    }
    update = paths["/api/v1/blogs/{slug}/posts/{id}/"]["patch"]
    headers = {p["name"]: p for p in update["parameters"] if p["in"] == "header"}
    assert headers["If-Match"]["required"] is True
    assert {"412", "428"} <= set(update["responses"])
    create = paths["/api/v1/blogs/{slug}/posts/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    read = paths["/api/v1/blogs/{slug}/changes/"]["get"]["responses"]
    assert "ETag" in read["200"]["headers"]
    assert "Retry-After" in read["429"]["headers"]


def test_docs_page_runs_no_inline_script_under_the_csp(db):
    client = APIClient()

    page = client.get("/api/v1/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    # Every <script> has a src: the site's CSP (script-src 'self' + nonce) allows them.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "script-src 'self'" in page["Content-Security-Policy"]
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert all(src.startswith("/") for src in sources)  # our own static files, no CDN
    init = client.get(sources[-1].replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
    assert '"/api/v1/schema/"' in init.content.decode()


def test_swagger_ui_assets_come_from_the_sidecar():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_the_schema_says_which_text_is_plain_and_which_is_html(db):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    components = schema.json()["components"]["schemas"]
    text_fields = {
        "Post": ["title", "body", "correction_note"],
        "Image": ["alt_text", "caption", "credit"],
        "Video": ["caption"],
        "Contributor": ["name", "role_title", "byline"],
        "Blog": ["title", "description"],
        "PostCreateInputRequest": ["title", "body"],
        "PatchedPostUpdateInputRequest": ["title", "body", "correction_note"],
    }

    for component, names in text_fields.items():
        for name in names:
            said = components[component]["properties"][name].get("description", "")
            assert "Plain text" in said or said.startswith(("Sanitised HTML", "HTML")), (
                f"{component}.{name}: {said!r}"
            )
    assert components["Post"]["properties"]["body"]["description"].startswith("Sanitised HTML")
    assert "Plain text" in components["Post"]["properties"]["title"]["description"]


def test_the_schema_version_is_a_plain_release_a_client_generator_can_install(db):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert re.fullmatch(r"\d+\.\d+\.\d+", schema.json()["info"]["version"])
