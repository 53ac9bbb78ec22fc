"""IdempotencyRecord now belongs to the core (portal.0004): forget it here, in the state only.

Deleting it from the database would drop the table portal's model now uses, with its rows.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0001_initial"),
        # Portal's model must exist in the state first, so the table always has an owner.
        ("portal", "0004_idempotencyrecord"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
