"""Reads of expenditure datasets, records and DIP metrics, scoped by ``restrict``.

Drafts of national returns never leave their nation; the secretariat reads submitted returns;
NATO editions are readable by every role that reads dashboards (director, secretariat, board).
"""

from __future__ import annotations

from django.db.models import Count, F, QuerySet
from django.http import Http404

from pledges.models import DipMetric, ExpenditureDataset, ExpenditureRecord
from portal.permissions import VIEW, restrict


def dataset_list(*, user) -> QuerySet[ExpenditureDataset]:
    """Datasets the user may read, newest edition first, with their record counts."""
    return (
        restrict(ExpenditureDataset.objects.all(), user, VIEW)
        .select_related("nation", "submitted_by")
        .annotate(records_count=Count("records"))
        .order_by("-is_reference", "-edition_year", "source", "nation__name", "pk")
    )


def dataset_get(*, user, pk) -> ExpenditureDataset:
    """One readable dataset, or the 404 of one that does not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such dataset.") from None
    dataset = restrict(ExpenditureDataset.objects.filter(pk=pk), user, VIEW).select_related("nation").first()
    if dataset is None:
        raise Http404("No such dataset.")
    return dataset


def dataset_default_get(*, user) -> ExpenditureDataset | None:
    """The reference dataset if the user may read it, else the newest readable NATO edition."""
    return (
        restrict(ExpenditureDataset.objects.all(), user, VIEW)
        .select_related("nation")
        # NATO editions (no nation) before any national return, on every database.
        .order_by("-is_reference", F("nation_id").asc(nulls_first=True), "-edition_year", "pk")
        .first()
    )


def record_list(*, user, dataset: ExpenditureDataset) -> QuerySet[ExpenditureRecord]:
    return (
        restrict(ExpenditureRecord.objects.filter(dataset=dataset), user, VIEW)
        .select_related("nation")
        .order_by("nation__name", "year", "pk")
    )


def metric_list(*, user) -> QuerySet[DipMetric]:
    """Every DIP metric the user may read (filter by dataset before use: never mix datasets)."""
    return (
        restrict(DipMetric.objects.all(), user, VIEW)
        .select_related("nation")
        .order_by("dataset_id", "subject", "year")
    )
