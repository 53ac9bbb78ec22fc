"""A covering index for aggregated demand: its GROUP BY item and year reads the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0007_verbose_names"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="demandsignal",
            index=models.Index(
                fields=["item", "year"],
                include=("nation", "firmness", "quantity"),
                name="demand_item_year_idx",
            ),
        ),
    ]
