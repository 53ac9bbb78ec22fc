"""Each tranche of a schedule keeps the quantity scheduled through it, and two indexes serve the
home workspace: the tranches in due order, and the deliveries awaiting acceptance."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery, Sum


def fill(apps, schema_editor):
    """``quantity_through`` of the tranches already scheduled (later ones come from calloff_create),
    in one UPDATE: each tranche sums its line's tranches up to itself, by due date then pk."""
    ScheduledDelivery = apps.get_model("procurement", "ScheduledDelivery")
    through = (
        ScheduledDelivery.objects.filter(call_off_line=OuterRef("call_off_line"))
        .filter(
            Q(due_date__lt=OuterRef("due_date")) | Q(due_date=OuterRef("due_date"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("call_off_line")
        .annotate(total=Sum("quantity"))
        .values("total")[:1]
    )
    ScheduledDelivery.objects.update(quantity_through=Subquery(through))


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0005_ordered_per_year"),
    ]

    operations = [
        migrations.AddField(
            model_name="scheduleddelivery",
            name="quantity_through",
            field=models.PositiveBigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="scheduleddelivery",
            index=models.Index(fields=["due_date", "id"], name="schedule_due_idx"),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("accepted_on__isnull", True), ("quantity_accepted__gt", 0)),
                fields=["delivered_on", "id"],
                name="delivery_awaiting_idx",
            ),
        ),
    ]
