"""Migration tests move the test database to an older state, write rows as they were, and migrate
forward again; this moves it and hands back the models of that state."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets=None):
    """Migrate to ``targets`` ((app, migration) pairs) and return that state's app registry. No
    targets: every app to its latest migration, where the tests that follow expect it."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps
