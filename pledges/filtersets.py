"""Filters for the plan list, shared by the secretariat's HTML list and the API.

``?cycle=2026`` is a cycle's year, ``?nation=POL`` a nation's code (any case), ``?status=returned``
a workflow state and ``?overdue=true`` the plans past their cycle's due date.

The DIP metrics filter on one dataset at a time (``?dataset=<id>``, else the default dataset),
nation or subject (an aggregate's code), year or year range, and the pledge flags;
``?reconcile=true`` gives the reconciliation (published figures their recomputation differs from).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from pledges.choices import DatasetSource, DatasetStatus, PlanStatus
from pledges.models import YEAR_MAX, YEAR_MIN, DipMetric, ExpenditureDataset, NationalPlan
from pledges.selectors import dataset_default_get, dataset_list
from portal.filtersets import IdChoiceFilter, NationFilter, WholeNumberFilter


class PlanFilterSet(django_filters.FilterSet):
    cycle = WholeNumberFilter(field_name="cycle__year", label=_("Cycle (year)"))
    nation = NationFilter()
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"))

    class Meta:
        model = NationalPlan
        fields = ["cycle", "nation", "status", "overdue"]


# --- Expenditure datasets and DIP metrics -----------------------------------------------------


def _readable_datasets(request):
    user = getattr(request, "user", None)
    return dataset_list(user=user) if user is not None else ExpenditureDataset.objects.none()


class SubjectField(forms.CharField):
    """A nation's ISO code or an aggregate's code (``NATO_EU_CA``, ``NATO``), any case."""

    def to_python(self, value):
        return super().to_python(value).upper()


class SubjectFilter(django_filters.CharFilter):
    field_class = SubjectField


class ExpenditureDatasetFilterSet(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=DatasetSource.choices)
    status = django_filters.ChoiceFilter(choices=DatasetStatus.choices)
    edition_year = WholeNumberFilter(min_value=YEAR_MIN, max_value=YEAR_MAX, label=_("Edition (year)"))
    nation = NationFilter()

    class Meta:
        model = ExpenditureDataset
        fields = ["source", "status", "edition_year", "nation"]


class YearRangeForm(forms.Form):
    """``year_from`` after ``year_to`` is a mistake worth saying, not an empty answer."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _("The last year is before the first year."))
        return cleaned


class DipMetricFilterSet(django_filters.FilterSet):
    """``?dataset=`` picks exactly one dataset (default: the one the dashboard opens on), so figures
    of two editions never mix in one answer; the other filters narrow within it."""

    dataset = IdChoiceFilter(
        queryset=_readable_datasets,
        label=_("Dataset"),
        help_text=_("Dataset id; default: the reference dataset (or the newest one you may read)."),
    )
    nation = NationFilter()
    subject = SubjectFilter(
        max_length=12,
        label=_("Subject"),
        help_text=_("A nation's ISO code, or NATO_EU_CA (NATO Europe and Canada) or NATO (NATO total)."),
    )
    year = WholeNumberFilter(min_value=YEAR_MIN, max_value=YEAR_MAX, label=_("Year"))
    year_from = WholeNumberFilter(
        field_name="year", lookup_expr="gte", min_value=YEAR_MIN, max_value=YEAR_MAX, label=_("From year")
    )
    year_to = WholeNumberFilter(
        field_name="year", lookup_expr="lte", min_value=YEAR_MIN, max_value=YEAR_MAX, label=_("To year")
    )
    meets_2pct = django_filters.BooleanFilter(label=_("Meets 2% of GDP"))
    meets_20pct = django_filters.BooleanFilter(label=_("Meets 20% on equipment"))
    on_track = django_filters.BooleanFilter(label=_("On track for 2035"))
    reconcile = django_filters.BooleanFilter(
        label=_("Differs from its recomputation"),
        help_text=_(
            "true: the figures NATO published whose recomputation from the inputs differs by more "
            "than 0.005 points or prints differently (the reconciliation)."
        ),
    )

    class Meta:
        model = DipMetric
        fields = [
            "dataset", "nation", "subject", "year", "year_from", "year_to", "meets_2pct", "on_track",
            "reconcile",
        ]  # fmt: skip
        form = YearRangeForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("dataset") is None:
            user = getattr(self.request, "user", None)
            default = dataset_default_get(user=user) if user is not None else None
            queryset = queryset.filter(dataset=default) if default is not None else queryset.none()
        return queryset
