"""Filters for the boards lists, shared by the HTML lists and the API: bodies and records by id,
nations by code, as in procurement/filtersets.py."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards import selectors
from boards.choices import (
    ActionStatus,
    MeetingStatus,
    MinutesState,
    RecommendationState,
    RiskStatus,
    RiskType,
    Tier,
)
from boards.models import ActionItem, Document, Meeting, Membership, Minutes, Recommendation, Risk
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


class MembershipFilterSet(django_filters.FilterSet):
    body = IdChoiceFilter(queryset=visible_bodies, label=_("Body"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("Seated today"))

    class Meta:
        model = Membership
        fields = ["body", "current"]

    def filter_current(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        seated = Membership.current_q(timezone.localdate())
        return queryset.filter(seated) if value else queryset.exclude(seated)


class MeetingFilterSet(django_filters.FilterSet):
    body = IdChoiceFilter(queryset=visible_bodies, label=_("Body"))
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label=_("Status"))
    starts_after = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Starting on or after")
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Starting on or before")
    )

    class Meta:
        model = Meeting
        fields = ["body", "status", "starts_after", "starts_before"]


class MinutesFilterSet(django_filters.FilterSet):
    meeting = WholeNumberFilter(field_name="meeting", label=_("Meeting (id)"))
    state = django_filters.ChoiceFilter(choices=MinutesState.choices, label=_("State"))

    class Meta:
        model = Minutes
        fields = ["meeting", "state"]


class DocumentFilterSet(django_filters.FilterSet):
    meeting = WholeNumberFilter(field_name="meeting", label=_("Meeting (id)"))

    class Meta:
        model = Document
        fields = ["meeting"]


class RecommendationFilterSet(django_filters.FilterSet):
    body = IdChoiceFilter(queryset=visible_bodies, label=_("Body"))
    state = django_filters.ChoiceFilter(choices=RecommendationState.choices, label=_("State"))

    class Meta:
        model = Recommendation
        fields = ["body", "state"]
