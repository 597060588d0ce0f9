"""Who may call the API: keys (partner and staff), sessions, and everyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import PartnerKey, Scope
from tests import factories

from .conftest import READ, client_for, error_code


def test_anonymous_request_is_refused_with_401_json(blog):
    response = APIClient().get("/api/v1/blogs/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Api-Key")


def test_partner_key_reads(partner, blog):
    assert partner.get("/api/v1/blogs/").status_code == 200


def test_unknown_key_is_refused(blog):
    response = client_for("abcdefgh.notarealkeynotarealkeynotarealkey").get("/api/v1/blogs/")

    assert response.status_code == 401
    assert error_code(response) == "invalid_key"


def test_garbage_authorization_header_is_refused_not_crashed(blog):
    for value in ["Api-Key", "Api-Key ", "Api-Key " + "x" * 5000, "Api-Key ....", "Bearer x"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=value)
        response = client.get("/api/v1/blogs/")
        assert response.status_code == 401, value


def test_revoked_key_is_refused(make_key, blog):
    secret = make_key(READ)
    PartnerKey.objects.filter(prefix=secret.split(".")[0]).update(revoked=True)

    response = client_for(secret).get("/api/v1/blogs/")

    assert response.status_code == 401
    assert error_code(response) == "key_revoked"


def test_expired_key_is_refused(make_key, blog):
    secret = make_key(READ, expiry_date=timezone.now() - timedelta(minutes=1))

    response = client_for(secret).get("/api/v1/blogs/")

    assert response.status_code == 401
    assert error_code(response) == "key_expired"


def test_key_of_a_disabled_user_is_refused(make_key, editor, blog):
    secret = make_key([*READ, Scope.LIVEBLOG_WRITE], user=editor)
    editor.is_active = False
    editor.save()

    response = client_for(secret).get("/api/v1/blogs/")

    assert response.status_code == 401
    assert error_code(response) == "inactive_user"


def test_key_without_the_scope_gets_403_insufficient_scope(make_key, blog):
    secret = make_key([Scope.LIVEBLOG_READ])

    response = client_for(secret).get("/api/v1/races/")

    assert response.status_code == 403
    assert error_code(response) == "insufficient_scope"
    assert response.json()["error"]["details"]["required_scope"] == "results:read"


def test_key_cannot_be_given_write_scope_without_a_user(db):
    from django.core.exceptions import ValidationError

    key = PartnerKey(name="x", partner="p", scopes=[Scope.LIVEBLOG_WRITE])
    with pytest.raises(ValidationError):
        key.full_clean(exclude=["id", "prefix", "hashed_key"])


def test_staff_session_reads(client, editor, blog):
    client.force_login(editor)

    response = client.get("/api/v1/blogs/")

    assert response.status_code == 200


def test_non_staff_session_is_refused(client, blog):
    user = factories.UserFactory(username="reader", is_staff=False)
    client.force_login(user)

    response = client.get("/api/v1/blogs/")

    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_session_write_needs_the_csrf_token(editor, blog):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(f"/api/v1/blogs/{blog.slug}/posts/", {"title": "x"}, format="json")

    assert response.status_code == 403
    assert error_code(response) == "csrf_failed"


def test_create_partner_key_command_prints_a_working_key(blog, capsys):
    from django.core.management import call_command

    call_command("create_partner_key", "Feed", "--scopes", "liveblog:read")
    secret = capsys.readouterr().out.strip()

    assert client_for(secret).get("/api/v1/blogs/").status_code == 200
    key = PartnerKey.objects.get(prefix=secret.split(".")[0])
    assert key.scopes == ["liveblog:read"]
    assert secret not in key.hashed_key


def test_create_partner_key_command_binds_a_user(editor, capsys):
    from django.core.management import call_command

    call_command(
        "create_partner_key",
        "Ed's token",
        "--scopes",
        "liveblog:read,liveblog:write",
        "--user",
        "ed",
    )

    key = PartnerKey.objects.get(prefix=capsys.readouterr().out.strip().split(".")[0])
    assert key.user == editor


def test_a_read_only_key_bound_to_a_reporter_reads_what_partners_read(
    make_key, reporter, other_reporter, blog
):
    from liveblog.models import Post

    theirs = Post.objects.create(blog=blog, author=other_reporter, title="Their scoop")
    mine = Post.objects.create(blog=blog, author=reporter, title="My draft")
    read_only = client_for(make_key(READ, user=reporter, name="reporter's reader"))

    for draft in (theirs, mine):
        assert read_only.get(f"/api/v1/blogs/{blog.slug}/posts/{draft.pk}/").status_code == 404
    assert read_only.get(f"/api/v1/blogs/{blog.slug}/posts/{mine.pk}/actions/").status_code == 404
