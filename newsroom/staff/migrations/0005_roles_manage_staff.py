"""Editors manage staff accounts: bring the role groups up to date (see staff.roles)."""

from django.db import migrations

from newsroom.staff.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_staff_member"),
        ("liveblog", "0006_live_desk"),
        ("results", "0007_winner_call_corrections"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
