# The partners app created this table (partners 0001); the model now belongs to the API
# toolkit. Only Django's record of the model moves: the table and its rows stay.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('partners', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('caller', models.CharField(help_text='"key:<prefix>" or "user:<id>".', max_length=80)),
                        ('key', models.CharField(max_length=255)),
                        ('fingerprint', models.CharField(help_text='SHA-256 of the method, path and request body.', max_length=64)),
                        ('status_code', models.PositiveSmallIntegerField()),
                        ('body', models.TextField(blank=True)),
                        ('headers', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        'db_table': 'partners_idempotencyrecord',
                        'constraints': [models.UniqueConstraint(fields=('caller', 'key'), name='idempotency_key_per_caller')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
