"""Create the Reporter and Editor groups with their permissions (see staff.roles)."""

from django.db import migrations

from newsroom.staff.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("liveblog", "0001_initial"),
        ("results", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
