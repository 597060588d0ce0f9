"""Editors manage the newsroom's accounts in the admin, within the Editor role: add a
reporter or an editor, change a role, turn an account off. Never an administrator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from liveblog.demo.loader import load_demo
from newsroom.staff import services
from newsroom.staff.models import Reporter, StaffMember
from newsroom.staff.roles import EDITOR, REPORTER, ROLE_PERMISSIONS
from results import services as results_services
from results.models import Race
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"


def add(client, **overrides):
    data = {"username": "jo", "display_name": "Jo Bloggs", "byline": "Reporting from Ohio",
            "role": REPORTER, "password1": PASSWORD, "password2": PASSWORD} | overrides  # fmt: skip
    return client.post(reverse("admin:staff_staffmember_add"), data, follow=True)


def test_the_role_groups_hold_exactly_the_roles_permissions():
    factories.editor(username="any")  # makes sure the groups exist as migrations left them
    for role, names in ROLE_PERMISSIONS.items():
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=role).permissions.select_related("content_type")
        }
        assert held == set(names), role


def test_an_editor_adds_a_reporter_who_can_sign_in_and_file(client, editor):
    client.force_login(editor)
    response = add(client)
    assert "Jo can now sign in as reporter." in response.content.decode()
    jo = User.objects.get(username="jo")
    assert jo.is_staff
    assert not jo.is_superuser
    assert list(jo.groups.values_list("name", flat=True)) == [REPORTER]
    assert jo.check_password(PASSWORD)
    assert jo.has_perm("liveblog.add_post")
    assert not jo.has_perm("liveblog.publish_post")
    assert Reporter.objects.get(user=jo).default_location == "Reporting from Ohio"
    client.logout()
    response = client.post(reverse("admin:login"), {"username": "jo", "password": PASSWORD})
    assert response.status_code == 302  # signed in


def test_an_editor_makes_a_second_editor_who_can_confirm_a_call(client, editor):
    client.force_login(editor)
    add(client, username="sam", role=EDITOR)
    sam = User.objects.get(username="sam")
    race = factories.RaceFactory()
    winner = factories.CandidateFactory(race=race)
    call = results_services.winner_call(race=race, candidate=winner, by=editor, source="Desk")
    assert results_services.winner_confirm(call=call, by=sam).is_confirmed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-9"}, "The two passwords differ."),
        ({"password1": "123", "password2": "123"}, "too short"),
        ({"username": "ed"}, "There is already an account called ed."),  # the editor's own
        ({"username": "ED"}, "There is already an account called ED."),
        ({"role": "Administrator"}, "Select a valid choice"),
        ({"username": "no spaces"}, "Enter a valid value"),
    ],
)
def test_a_bad_new_account_is_refused_with_a_clear_error(client, editor, overrides, message):
    client.force_login(editor)
    before = User.objects.count()
    response = add(client, **overrides)
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_an_editor_changes_a_role_and_turns_an_account_off(client, editor, reporter):
    client.force_login(editor)
    url = reverse("admin:staff_staffmember_change", args=[reporter.pk])
    assert 'value="Reporter" selected' in client.get(url).content.decode()
    client.post(url, {"role": EDITOR, "is_active": "on"})
    reporter = User.objects.get(pk=reporter.pk)
    assert reporter.has_perm("liveblog.publish_post")
    client.post(url, {"role": REPORTER})  # the box unticked: turned off
    reporter = User.objects.get(pk=reporter.pk)
    assert not reporter.is_active
    assert list(reporter.groups.values_list("name", flat=True)) == [REPORTER]


def test_nobody_takes_away_their_own_editor_role(client, editor):
    client.force_login(editor)
    url = reverse("admin:staff_staffmember_change", args=[editor.pk])
    response = client.post(url, {"role": REPORTER, "is_active": "on"}, follow=True)
    assert "You cannot take away your own editor role" in response.content.decode()
    assert User.objects.get(pk=editor.pk).has_perm("liveblog.publish_post")


def test_administrators_are_out_of_an_editors_reach(client, editor):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(editor)
    changelist = client.get(reverse("admin:staff_staffmember_changelist")).content.decode()
    assert "root" not in changelist
    url = reverse("admin:staff_staffmember_change", args=[admin.pk])
    assert client.post(url, {"role": REPORTER}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.staff_update(by=editor, member=admin, role=REPORTER, is_active=False)
    assert User.objects.get(pk=admin.pk).is_superuser
    # Editors cannot reach Django's own user and group screens either.
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert not editor.has_perm("auth.change_user")
    assert not Permission.objects.filter(group__name=EDITOR, content_type__app_label="auth")


def test_reporters_cannot_manage_staff(client, reporter):
    client.force_login(reporter)
    assert client.get(reverse("admin:staff_staffmember_changelist")).status_code == 403
    assert client.post(reverse("admin:staff_staffmember_add"), {}).status_code == 403
    assert "Staff members" not in client.get(reverse("admin:index")).content.decode()
    with pytest.raises(PermissionDenied):
        services.staff_create(by=reporter, username="x", password=PASSWORD, role=EDITOR,
                              display_name="X")  # fmt: skip


def test_the_admin_home_offers_editors_the_staff_screen(client, editor):
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:staff_staffmember_changelist") in html


def test_the_demo_ships_a_second_editor(settings):
    settings.NEWSROOM_DEMO_PASSWORD = "demo-pass-123"
    load_demo()
    editor2 = StaffMember.objects.get(username="editor2")
    assert editor2.role == EDITOR
    race = Race.objects.get(slug="us-president-2024")
    editor = User.objects.get(username="editor")
    candidate = race.candidates.get(name="Kamala Harris")
    standing = race.calls.get(withdrawn_at__isnull=True)
    correction = results_services.winner_correct(call=standing, candidate=candidate, by=editor,
                                                 note="Demo correction")  # fmt: skip
    assert results_services.winner_confirm(call=correction, by=editor2).is_confirmed
