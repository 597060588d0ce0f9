"""Security basics: login lockout, a nonce-based CSP, production settings that pass
``check --deploy``."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_repeated_failures_lock_the_login_for_that_user_and_address(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ed", "wrong")
    response = login(client, "ed", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_does_not_block_the_same_user_from_another_address(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ed", "wrong")
    response = login(client, "ed", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_pages_send_a_content_security_policy(client, blog):
    response = client.get(blog.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.django_db
def test_pages_refuse_powerful_browser_features(client, blog):
    policy = client.get(blog.get_absolute_url())["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy
    assert "fullscreen" not in policy  # video players may still go fullscreen


def test_the_shipped_placeholder_secret_key_is_refused_at_start_up():
    shipped = (ROOT / "docs" / "deploy" / "newsroom.env").read_text()
    placeholder = shipped.split("DJANGO_SECRET_KEY=", 1)[1].split("\n", 1)[0]

    for key in (placeholder, "too-short-a-key"):
        result = settings_in_fresh_process("print('started')", DJANGO_SECRET_KEY=key)
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY is a placeholder or too short" in result.stderr
        assert "started" not in result.stdout


def run_check_deploy(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE", "REDIS"))
    }
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_check_deploy(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="live.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check_deploy(DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="live.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


# --- Fail closed -------------------------------------------------------------------------


def settings_in_fresh_process(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE", "REDIS"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_fresh_start_without_variables_refuses_to_serve_rather_than_debug():
    result = settings_in_fresh_process("print('started')")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr
    assert "started" not in result.stdout


def test_debug_is_off_unless_asked_for():
    from django.conf import settings

    key = secrets.token_urlsafe(50)
    code = "from django.conf import settings; print(settings.DEBUG)"

    assert settings_in_fresh_process(code, DJANGO_SECRET_KEY=key).stdout.strip() == "False"
    assert settings_in_fresh_process(code, DJANGO_DEBUG="true").stdout.strip() == "True"
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "newsroom.reporting.NewsroomReporterFilter"


LEAKY = {
    "DATABASE_URL": "postgres://newsroom:" + "hunter2" + "@db.internal:5432/newsroom",
    "REDIS_URL": "redis://:" + "s3cret" + "@redis.internal:6379/0",
    "NEWSROOM_RESULTS_FEED_URL": "https://api.ap.org/v2/elections?apiKey=" + "abc123",
}


@pytest.fixture
def leaky_settings(settings):
    settings.DEBUG = True
    for name, value in LEAKY.items():
        setattr(settings, name, value)


def _fail() -> None:
    raise RuntimeError("boom")


def test_error_pages_mask_url_shaped_settings(rf, leaky_settings):
    import sys as _sys

    from django.views.debug import technical_500_response

    try:
        _fail()
    except RuntimeError:
        page = technical_500_response(rf.get("/"), *_sys.exc_info()).content.decode()

    for value in LEAKY.values():
        assert value not in page
    assert "hunter2" + "@" not in page


def leaky_caches() -> dict:
    location = "redis://:" + "cache" + "pass" + "@redis:6379/0"
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": location}}  # fmt: skip


def test_the_debug_page_shows_no_cache_password_authorisation_or_cookie(rf, settings):
    settings.DEBUG = True
    # No secret in a local variable of this frame: the page lists a frame's locals.
    settings.CACHES = leaky_caches()
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"sentinel": "redis://u:" + "broker" + "pass@s"}
    request = rf.get("/api/v1/blogs/", HTTP_AUTHORIZATION="Api-Key " + "partner" + "secret",
                     HTTP_COOKIE="sessionid=" + "cookie" + "secret")  # fmt: skip
    from django.views.debug import technical_500_response

    try:
        _fail()
    except RuntimeError:
        import sys as _sys

        page = technical_500_response(request, *_sys.exc_info()).content.decode()

    for part in ("cache", "broker", "partner", "cookie"):  # the secrets, spelt whole
        assert part + ("pass" if part in {"cache", "broker"} else "secret") not in page, part
    assert "HTTP_AUTHORIZATION" in page  # named, with its value masked


# --- Real client addresses behind the proxy -----------------------------------------------


def via_proxy(client, username, password, forwarded_for):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",  # every request reaches Django from nginx
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
def test_behind_the_proxy_an_attacker_cannot_lock_the_editor_out(client, editor, settings):
    from django.test import Client

    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        via_proxy(attacker, "ed", "guess", "203.0.113.9")
    assert via_proxy(attacker, "ed", PASSWORD, "203.0.113.9").status_code == 429

    response = via_proxy(client, "ed", PASSWORD, "198.51.100.7")  # the editor, at work

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_dodge_the_lockout(client, editor, settings):
    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker writes its own X-Forwarded-For; nginx appends the real address.
        via_proxy(client, "ed", "guess", f"192.0.2.{n}, 203.0.113.9")

    assert via_proxy(client, "ed", PASSWORD, "192.0.2.99, 203.0.113.9").status_code == 429


def test_forwarded_for_is_believed_only_from_trusted_proxies(settings):
    from newsroom.proxies import client_address

    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_address("127.0.0.1", "203.0.113.9") == "203.0.113.9"
    assert client_address("127.0.0.1", "203.0.113.9, 10.1.2.3") == "203.0.113.9"  # CDN hop
    assert client_address("198.51.100.7", "203.0.113.9") == "198.51.100.7"  # not a proxy
    assert client_address("127.0.0.1", "") == "127.0.0.1"
    assert client_address("127.0.0.1", "not-an-address") == "127.0.0.1"
    settings.NEWSROOM_TRUSTED_PROXIES = []
    assert client_address("127.0.0.1", "203.0.113.9") == "127.0.0.1"
