"""Bodies stored before the cleaner unwrapped links it had left without an address
(`<a rel="noopener noreferrer">words</a>`, invalid HTML) are cleaned again. Only bodies
with such a link are touched, and the clean is idempotent on every other body."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from liveblog.html import sanitize_body


def unwrap(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Post = apps.get_model("liveblog", "Post")
    for post in Post.objects.filter(body__contains="<a ").only("pk", "body").iterator():
        clean = sanitize_body(post.body)
        if clean != post.body:
            Post.objects.filter(pk=post.pk).update(body=clean)


class Migration(migrations.Migration):
    dependencies = [("liveblog", "0009_desk_change_call")]
    operations = [migrations.RunPython(unwrap, migrations.RunPython.noop)]
