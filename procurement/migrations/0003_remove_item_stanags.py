"""Items' free STANAG lists moved to ``standards.ItemRequirement`` (standards.0002); the field goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0002_idempotencyrecord_to_portal"),
        ("standards", "0002_item_requirements_from_stanags"),
    ]

    operations = [migrations.RemoveField(model_name="item", name="stanags")]
