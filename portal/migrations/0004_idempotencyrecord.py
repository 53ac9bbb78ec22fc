"""IdempotencyRecord moves from procurement to the core, in the migration state only.

The table keeps its name (``procurement_idempotencyrecord``, set in the model's Meta), its rows,
its unique constraint and its indexes: no SQL runs. procurement.0002 removes the model from
procurement's state once this has added it here. The record's content type moves with it, as
Django does for a renamed model, so its permissions (and anything else that points at the type)
keep pointing at the model.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, from_app: str, to_app: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    # On a fresh database no type exists yet (post_migrate creates it, under portal); if both exist,
    # the target one is already in use and the other is left stale, as Django leaves any other.
    if not ContentType.objects.filter(app_label=to_app, model="idempotencyrecord").exists():
        ContentType.objects.filter(app_label=from_app, model="idempotencyrecord").update(app_label=to_app)


def content_type_to_portal(apps, schema_editor):
    _move_content_type(apps, "procurement", "portal")


def content_type_to_procurement(apps, schema_editor):
    _move_content_type(apps, "portal", "procurement")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_objectchange_privacy"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The table is created by procurement.0001; this only claims it, so it must come after it.
        ("procurement", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        ("scope", models.CharField(max_length=100)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField()),
                        ("response", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "procurement_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "scope", "key"), name="idempotency_key_once"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_portal, content_type_to_procurement, elidable=True),
    ]
