"""``manage.py recompute_dip_metrics [--dataset ID]``: the Celery job's code, run here and now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from pledges.models import ExpenditureDataset
from pledges.tasks import recompute_dip_metrics


class Command(BaseCommand):
    help = "Recompute the Defence Investment Pledge metrics synchronously (all datasets, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=int, default=None, help="Dataset id (default: every dataset)")

    def handle(self, *args, dataset: int | None, **options):
        ids = list(ExpenditureDataset.objects.order_by("pk").values_list("pk", flat=True))
        if dataset is not None:
            if dataset not in ids:
                raise CommandError(f"No expenditure dataset {dataset}.")
            ids = [dataset]
        for pk in ids:
            # Run the task body in this process (no broker), recorded in JobRun like any run.
            result = recompute_dip_metrics.apply(kwargs={"dataset_id": pk}, throw=True).get()
            self.stdout.write(
                f"dataset {pk}: {result['written']} metrics written, {result['deleted']} removed."
            )
