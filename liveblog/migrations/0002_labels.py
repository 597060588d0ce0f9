"""The labels newsrooms use most, so a new install can label posts at once."""

from django.db import migrations

LABELS = [
    ("Analysis", "analysis"),
    ("Breaking", "breaking"),
    ("Fact check", "fact-check"),
    ("Watch", "watch"),
    ("Explainer", "explainer"),
]


def add_labels(apps, schema_editor):
    Label = apps.get_model("liveblog", "Label")
    for name, slug in LABELS:
        Label.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("liveblog", "0001_initial")]

    operations = [migrations.RunPython(add_labels, migrations.RunPython.noop)]
