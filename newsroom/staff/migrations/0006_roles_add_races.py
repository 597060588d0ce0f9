"""Editors set up races (a national race that adds up its states): bring the role groups
up to date (see staff.roles)."""

from django.db import migrations

from newsroom.staff.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0005_roles_manage_staff"),
        ("results", "0008_national_rollup_and_unit_keys"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
