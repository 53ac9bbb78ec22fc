"""Audit rows record the nation their object belongs to and the draft they describe, if any."""

import django.db.models.deletion
from django.db import migrations, models


def nations_from_snapshots(apps, schema_editor):
    # Rows written before this migration: the nation of any object with a ``nation`` field is in
    # its snapshot. Drafts are marked by the apps that have them (pledges.0003).
    ObjectChange = apps.get_model("portal", "ObjectChange")
    Nation = apps.get_model("portal", "Nation")
    known = set(Nation.objects.values_list("pk", flat=True))
    for change in ObjectChange.objects.filter(nation__isnull=True).only("pk", "before", "after").iterator():
        snapshot = change.after if isinstance(change.after, dict) else change.before
        nation_id = snapshot.get("nation_id") if isinstance(snapshot, dict) else None
        if nation_id in known:
            ObjectChange.objects.filter(pk=change.pk).update(nation_id=nation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_load_nations"),
    ]

    operations = [
        migrations.AddField(
            model_name="objectchange",
            name="nation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.nation",
            ),
        ),
        migrations.AddField(
            model_name="objectchange",
            name="draft_key",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddIndex(
            model_name="objectchange",
            index=models.Index(
                condition=models.Q(("draft_key", ""), _negated=True),
                fields=["draft_key"],
                name="objectchange_draft_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="objectchange",
            index=models.Index(fields=["nation", "-time"], name="objectchange_nation_idx"),
        ),
        migrations.RunPython(nations_from_snapshots, migrations.RunPython.noop),
    ]
