"""Filters for standards lists, one per model, shared by the HTML lists and the API (the same
parameters in both; nations by code, editions and domains by id; see procurement/filtersets.py).
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.filtersets import IdChoiceFilter, NationFilter, WholeNumberFilter
from standards import selectors
from standards.choices import (
    DocumentType,
    Implementation,
    Level,
    ProposalStatus,
    Ratification,
    ReviewStatus,
    StandardStatus,
)
from standards.models import (
    ChangeProposal,
    Domain,
    ItemRequirement,
    NationalResponse,
    ReviewCycle,
    Standard,
    UnmatchedDesignation,
)

# "Review due within N days": up to ten years ahead, so the date stays in every backend's range.
MAX_DAYS = 3660


def visible_domains(request):
    return selectors.domain_list(user=getattr(request, "user", None))


DESIGNATION_PREFIX = re.compile(r"^(STANAG|STANREC)\s*", re.IGNORECASE)


class StandardFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Number, title or domain"))
    doc_type = django_filters.ChoiceFilter(choices=DocumentType.choices, label=_("Type"))
    status = django_filters.ChoiceFilter(choices=StandardStatus.choices, label=_("Status"))
    domain = IdChoiceFilter(queryset=visible_domains, label=_("Domain"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    review_due_within = WholeNumberFilter(
        method="due_within", label=_("Review due within (days)"), min_value=0, max_value=MAX_DAYS
    )
    review_overdue = django_filters.BooleanFilter(method="overdue", label=_("Review overdue"))

    class Meta:
        model = Standard
        fields = ["q", "doc_type", "status", "domain", "level", "review_due_within", "review_overdue"]

    def search(self, queryset, name, value: str):
        value = value.strip()
        # "STANAG 4425" is how people cite it; the number field holds "4425".
        number = DESIGNATION_PREFIX.sub("", value)
        return queryset.filter(
            Q(number__icontains=number)
            | Q(title__icontains=value)
            | Q(title_fr__icontains=value)
            | Q(domain__name__icontains=value)
            | Q(domain__name_fr__icontains=value)
            | Q(covering_publication__icontains=value)
        )

    def due_within(self, queryset, name, value: int | None):
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            next_review_due__gte=today, next_review_due__lte=today + dt.timedelta(days=value)
        )

    def overdue(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        today = timezone.localdate()
        overdue = Q(next_review_due__lt=today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class NationalResponseFilterSet(django_filters.FilterSet):
    nation = NationFilter()
    standard = WholeNumberFilter(field_name="standard", label=_("Edition (id)"))
    domain = IdChoiceFilter(field_name="standard__domain", queryset=visible_domains, label=_("Domain"))
    ratification = django_filters.ChoiceFilter(choices=Ratification.choices, label=_("Ratification"))
    implementation = django_filters.ChoiceFilter(choices=Implementation.choices, label=_("Implementation"))

    class Meta:
        model = NationalResponse
        fields = ["nation", "standard", "domain", "ratification", "implementation"]


class ReviewCycleFilterSet(django_filters.FilterSet):
    standard = WholeNumberFilter(field_name="standard", label=_("Edition (id)"))
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("Status"))

    class Meta:
        model = ReviewCycle
        fields = ["standard", "status"]


class ChangeProposalFilterSet(django_filters.FilterSet):
    standard = WholeNumberFilter(field_name="standard", label=_("Edition (id)"))
    nation = NationFilter()
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("Status"))

    class Meta:
        model = ChangeProposal
        fields = ["standard", "nation", "status"]


# Domains and unmatched designations have no API list: only their pages filter them.


class DomainFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Code or name"))

    class Meta:
        model = Domain
        fields = ["q"]

    def search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(name_fr__icontains=value)
        )


class UnmatchedDesignationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Item or designation"))

    class Meta:
        model = UnmatchedDesignation
        fields = ["q"]

    def search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(
            Q(designation__icontains=value) | Q(item__name__icontains=value) | Q(item__code__icontains=value)
        )


class RequirementFilterSet(django_filters.FilterSet):
    # Only the API lists requirements on their own; the pages show them on the item and the edition.
    item = WholeNumberFilter(field_name="item", label=_("Item (id)"))
    standard = WholeNumberFilter(field_name="standard", label=_("Edition (id)"))

    class Meta:
        model = ItemRequirement
        fields = ["item", "standard"]
