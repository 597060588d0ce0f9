"""Webhooks over the API and in the admin: registered per key, secrets shown once."""

from __future__ import annotations

import socket

import pytest

from partners.models import (
    PartnerKey,
    Webhook,
)
from partners.webhooks import transport
from partners.webhooks.services import webhook_create

from .conftest import MANAGE, READ, client_for, error_code


# --- The API --------------------------------------------------------------------------
def test_register_list_show_and_remove(hooks, blog):
    created = hooks.post(
        "/api/v1/webhooks/",
        {
            "url": "https://partner.example/hook",
            "events": ["published", "retracted"],
            "blog": blog.slug,
        },
        format="json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert (body["events"], body["blog"], body["active"]) == (
        ["published", "retracted"],
        "election",
        True,
    )
    listing = hooks.get("/api/v1/webhooks/").json()["results"]
    assert [w["id"] for w in listing] == [body["id"]]
    assert "secret" not in listing[0]
    detail = hooks.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in detail
    assert detail["recent_deliveries"] == []
    assert hooks.delete(f"/api/v1/webhooks/{body['id']}/").status_code == 204
    assert not Webhook.objects.exists()


def test_a_key_sees_only_its_own_webhooks(hooks, make_key, key):
    other, _ = webhook_create(key=key, url="https://other.example/", events=["published"])

    assert hooks.get("/api/v1/webhooks/").json()["results"] == []
    assert hooks.get(f"/api/v1/webhooks/{other.pk}/").status_code == 404
    assert hooks.delete(f"/api/v1/webhooks/{other.pk}/").status_code == 404


def test_managing_webhooks_needs_the_scope(partner, client, editor):
    assert error_code(partner.get("/api/v1/webhooks/")) == "insufficient_scope"
    client.force_login(editor)
    assert client.get("/api/v1/webhooks/").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://partner.example/", "events": ["published"]}, "url"),
        ({"url": "https://partner.example/", "events": []}, "events"),
        ({"url": "https://partner.example/", "events": ["exploded"]}, "events"),
        ({"url": "https://user:pw@partner.example/", "events": ["published"]}, "url"),
        ({"url": "https://partner.example/", "events": ["published"], "secret": "x"}, "secret"),
    ],
)
def test_bad_registrations_are_refused(hooks, body, field):
    response = hooks.post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://localhost:8000/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://db.internal/",
    ],
)
def test_private_targets_are_refused_in_production(make_key, settings, url):
    settings.DEBUG, settings.NEWSROOM_WEBHOOK_ALLOW_PRIVATE = False, False
    client = client_for(make_key(MANAGE))

    response = client.post(
        "/api/v1/webhooks/", {"url": url, "events": ["published"]}, format="json"
    )

    assert response.status_code == 400


def test_a_name_resolving_to_a_private_address_is_not_sent_to(settings, receiver, monkeypatch):
    """The check happens at delivery, on the address the name resolves to then (DNS can
    change after registration), and the connection goes to that vetted address."""
    settings.DEBUG, settings.NEWSROOM_WEBHOOK_ALLOW_PRIVATE = False, False
    port = receiver.server.server_address[1]
    lookups = []

    def resolve(host, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    answer = transport.post(f"http://partner.example:{port}/hook", b"{}", {}, timeout=1)

    assert lookups == ["partner.example"]
    assert answer.status is None
    assert "private" in answer.error
    assert receiver.requests == []


def test_admin_shows_the_new_secret_once(admin_client, key, settings):
    settings.NEWSROOM_WEBHOOK_ALLOW_PRIVATE = False
    response = admin_client.post(
        "/admin/partners/webhook/add/",
        {
            "key": key.pk,
            "url": "https://partner.example/hook",
            "events": ["published"],
            "active": "on",
        },
        follow=True,
    )

    webhook = Webhook.objects.get()
    assert webhook.secret in response.content.decode()
    assert (
        webhook.secret
        not in admin_client.get(f"/admin/partners/webhook/{webhook.pk}/change/").content.decode()
    )


def test_admin_refuses_a_private_url(admin_client, key, settings):
    settings.DEBUG, settings.NEWSROOM_WEBHOOK_ALLOW_PRIVATE = False, False
    response = admin_client.post(
        "/admin/partners/webhook/add/",
        {"key": key.pk, "url": "http://192.168.1.1/", "events": ["published"]},
    )

    assert response.status_code == 200  # the form again, with the error
    assert not Webhook.objects.exists()


def test_admin_lists_keys_and_deliveries(admin_client, key):
    assert admin_client.get("/admin/partners/partnerkey/").status_code == 200
    assert admin_client.get("/admin/partners/partnerkey/add/").status_code == 200
    assert admin_client.get("/admin/partners/webhookdelivery/").status_code == 200


def test_admin_creates_a_key_and_shows_it_once(admin_client, editor):
    response = admin_client.post(
        "/admin/partners/partnerkey/add/",
        {"name": "Wire", "partner": "Wire Co", "scopes": [*READ]},
        follow=True,
    )

    key = PartnerKey.objects.get()
    assert key.scopes == [*READ]
    assert f"{key.prefix}." in response.content.decode()
