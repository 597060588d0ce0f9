"""Every /api/ address answers JSON, not only those under /api/v1/."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api", "/api/", "/api/v2/blogs/", "/api/nothing"])
def test_unknown_api_addresses_are_json_404s(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def _boom(request):
    raise RuntimeError("middleware or view failure outside DRF")


urlpatterns = [path("api/boom/", _boom), path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_under_api_is_json_and_elsewhere_html():
    from newsroom import urls

    globals()["handler500"] = urls.handler500
    client = Client(raise_request_exception=False)
    api = client.get("/api/boom/")
    assert (api.status_code, api.json()["error"]["code"]) == (500, "server_error")
    page = client.get("/boom/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_the_api_root_lists_what_it_offers(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["schema"].endswith("/api/v1/schema/")
    assert body["docs"].endswith("/api/v1/docs/")
    assert body["resources"]["blogs"].endswith("/api/v1/blogs/")
