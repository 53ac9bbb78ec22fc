"""Filters for the plan list, shared by the secretariat's HTML list and the API.

``?cycle=2026`` is a cycle's year, ``?nation=POL`` a nation's code (any case), ``?status=returned``
a workflow state and ``?overdue=true`` the plans past their cycle's due date.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from pledges.choices import PlanStatus
from pledges.models import NationalPlan
from portal.filtersets import NationFilter, WholeNumberFilter


class PlanFilterSet(django_filters.FilterSet):
    cycle = WholeNumberFilter(field_name="cycle__year", label=_("Cycle (year)"))
    nation = NationFilter()
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"))

    class Meta:
        model = NationalPlan
        fields = ["cycle", "nation", "status", "overdue"]
