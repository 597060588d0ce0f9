"""The two newsroom roles and the permissions each one holds.

Groups are created by a data migration from this table, so a fresh database and the
running product agree on who may do what; the rules themselves are enforced by the
services through these permissions (see ``liveblog.permissions``).
"""

from __future__ import annotations

REPORTER = "Reporter"
EDITOR = "Editor"
ROLES = (REPORTER, EDITOR)

_REPORTER_PERMISSIONS = [
    "liveblog.view_liveblog",
    "liveblog.view_label",
    "liveblog.add_post",
    "liveblog.change_post",
    "liveblog.view_post",
    "liveblog.submit_post",
    "liveblog.add_postimage",
    "liveblog.change_postimage",
    "liveblog.delete_postimage",
    "liveblog.view_postimage",
    "liveblog.add_postvideo",
    "liveblog.change_postvideo",
    "liveblog.delete_postvideo",
    "liveblog.view_postvideo",
    "liveblog.add_postcontributor",
    "liveblog.change_postcontributor",
    "liveblog.delete_postcontributor",
    "liveblog.view_postcontributor",
    "staff.view_reporter",
    "results.view_race",
    "results.view_candidate",
    "results.view_resultsnapshot",
]

_EDITOR_EXTRA_PERMISSIONS = [
    "liveblog.change_liveblog",
    "liveblog.edit_summary",
    "liveblog.add_label",
    "liveblog.change_label",
    "liveblog.delete_post",
    "liveblog.publish_post",
    "liveblog.pin_post",
    "liveblog.correct_post",
    "liveblog.retract_post",
    "liveblog.edit_any_post",
    "liveblog.view_change",
    "staff.add_reporter",
    "staff.change_reporter",
    "results.add_resultsnapshot",
    "results.add_winnercall",
    "results.change_winnercall",
    "results.view_winnercall",
    "results.add_race",
    "results.change_race",
    "results.add_candidate",
    "results.change_candidate",
    "staff.manage_staff",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    REPORTER: _REPORTER_PERMISSIONS,
    EDITOR: _REPORTER_PERMISSIONS + _EDITOR_EXTRA_PERMISSIONS,
}


def sync_role_groups(apps, schema_editor=None) -> None:  # type: ignore[no-untyped-def]
    """Create or update the role groups with exactly their permissions (migration helper).

    A permission whose model a later migration creates is left out here; that migration
    runs this again (the last one, ``staff.0005``, with every model in place; a test
    holds the groups to the table exactly)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Permissions are normally made after migrations (post_migrate); make them now.
        # Historical app configs have no models_module, which create_permissions skips.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
