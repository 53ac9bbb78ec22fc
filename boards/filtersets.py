"""Filters for the boards lists, shared by the HTML lists and (later) the API: bodies and records by
id, nations by code, as in procurement/filtersets.py."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards import selectors
from boards.choices import ActionStatus, RiskStatus, RiskType, Tier
from boards.models import ActionItem, Risk
from portal.filtersets import IdChoiceFilter, NationFilter, WholeNumberFilter


def visible_bodies(request):
    return selectors.body_list(user=getattr(request, "user", None))


class ActionFilterSet(django_filters.FilterSet):
    body = IdChoiceFilter(queryset=visible_bodies, label=_("Body"))
    owner = WholeNumberFilter(field_name="owner_user", label=_("Owner (user id)"))
    nation = NationFilter(field_name="owner_nation", label=_("Owner nation"))
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = ActionItem
        fields = ["body", "owner", "nation", "status", "overdue"]

    def filter_overdue(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        late = ActionItem.late_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class RiskFilterSet(django_filters.FilterSet):
    item = WholeNumberFilter(field_name="item", label=_("Item (id)"))
    framework = WholeNumberFilter(field_name="frameworks", label=_("Framework (id)"), distinct=True)
    risk_type = django_filters.ChoiceFilter(choices=RiskType.choices, label=_("Type"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    status = django_filters.ChoiceFilter(choices=RiskStatus.choices, label=_("Status"))
    sensitive = django_filters.BooleanFilter(label=_("Sensitive"))

    class Meta:
        model = Risk
        fields = ["item", "framework", "risk_type", "tier", "status", "sensitive"]
