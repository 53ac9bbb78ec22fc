"""Filters for procurement lists, one per model, shared by the HTML lists and the API.

The same parameters work in both: a list page's URL is also a query of the API.

- Nations are given by code (``?nation=POL``, any case), the same code the API shows.
- Parents are given by id (``?framework=3``). An id must be a whole number, else the filter is
  invalid (the page shows the message; the API answers 400). An id the user may not see, or that
  does not exist, matches nothing: it is not an error, and costs no query.

Choice lists shown on the HTML forms (frameworks, items, programmes) come from the selectors for
the requesting user, so a form never offers a row the user may not see. With no request (a script)
they are empty rather than unscoped. The API never renders them, so it never queries them.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filtersets import IdChoiceFilter, NationFilter, WholeNumberFilter
from procurement import selectors
from procurement.choices import AmendmentRationale, CapabilityArea, Firmness, FrameworkStatus, ProgrammeKind
from procurement.models import (
    Amendment,
    CallOff,
    CallOffLine,
    Delivery,
    DeliveryImport,
    DemandSignal,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    Item,
    Programme,
    ProgrammeMembership,
    Supplier,
)


def _user(request):
    return getattr(request, "user", None)


def visible_items(request):
    return selectors.item_list(user=_user(request))


def visible_frameworks(request):
    return (
        selectors.framework_list(user=_user(request))
        .select_related(None)
        .prefetch_related(None)
        .only("pk", "reference", "title")
    )


def visible_programmes(request):
    return selectors.programme_list(user=_user(request)).prefetch_related(None)


# --- Filter sets ----------------------------------------------------------------------------


class ItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Code or name"))
    capability_area = django_filters.ChoiceFilter(choices=CapabilityArea.choices)
    code = django_filters.CharFilter(lookup_expr="iexact", label=_("Code (exact)"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Item
        fields = ["q", "capability_area", "unit", "code", "name"]

    def search(self, queryset, name, value: str):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ProgrammeFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=ProgrammeKind.choices)
    member = NationFilter(field_name="memberships__nation", label=_("Member"), distinct=True)

    class Meta:
        model = Programme
        fields = ["name", "kind", "member"]


class ProgrammeMembershipFilterSet(django_filters.FilterSet):
    programme = WholeNumberFilter(label=_("Programme id"))
    nation = NationFilter()
    joined_after = django_filters.DateFilter(field_name="joined_on", lookup_expr="gte")

    class Meta:
        model = ProgrammeMembership
        fields = ["programme", "nation", "joined_after"]


class SupplierFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    country = django_filters.CharFilter(lookup_expr="iexact", label=_("Country (alpha-3)"))

    class Meta:
        model = Supplier
        fields = ["name", "country"]


class DemandSignalFilterSet(django_filters.FilterSet):
    nation = NationFilter()
    item = IdChoiceFilter(queryset=visible_items)
    year = WholeNumberFilter()
    year_from = WholeNumberFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = WholeNumberFilter(field_name="year", lookup_expr="lte", label=_("To year"))
    firmness = django_filters.ChoiceFilter(choices=Firmness.choices)

    class Meta:
        model = DemandSignal
        fields = ["nation", "item", "year", "year_from", "year_to", "firmness"]


class FrameworkContractFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Reference or title"))
    reference = django_filters.CharFilter(lookup_expr="icontains", label=_("Reference contains"))
    status = django_filters.ChoiceFilter(choices=FrameworkStatus.choices)
    programme = IdChoiceFilter(queryset=visible_programmes)
    participant = NationFilter(field_name="participations__nation", label=_("Participant"), distinct=True)
    currency = django_filters.CharFilter(lookup_expr="iexact", label=_("Currency (ISO 4217)"))
    active_on = django_filters.DateFilter(method="active_on_date", label=_("In force on"))

    class Meta:
        model = FrameworkContract
        fields = ["q", "reference", "status", "programme", "participant", "currency", "active_on"]

    def search(self, queryset, name, value: str):
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value))

    def active_on_date(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


class FrameworkParticipantFilterSet(django_filters.FilterSet):
    framework = WholeNumberFilter(label=_("Framework id"))
    nation = NationFilter()

    class Meta:
        model = FrameworkParticipant
        fields = ["framework", "nation"]


class FrameworkLineFilterSet(django_filters.FilterSet):
    framework = WholeNumberFilter(label=_("Framework id"))
    item = IdChoiceFilter(queryset=visible_items)

    class Meta:
        model = FrameworkLine
        fields = ["framework", "item"]


class AmendmentFilterSet(django_filters.FilterSet):
    framework = WholeNumberFilter(label=_("Framework id"))
    rationale = django_filters.ChoiceFilter(choices=AmendmentRationale.choices)
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte")

    class Meta:
        model = Amendment
        fields = ["framework", "rationale", "since"]


class CallOffFilterSet(django_filters.FilterSet):
    reference = django_filters.CharFilter(lookup_expr="icontains")
    framework = IdChoiceFilter(queryset=visible_frameworks)
    nation = NationFilter()
    ordered_after = django_filters.DateFilter(
        field_name="order_date", lookup_expr="gte", label=_("Ordered on or after")
    )
    ordered_before = django_filters.DateFilter(
        field_name="order_date", lookup_expr="lte", label=_("Ordered on or before")
    )

    class Meta:
        model = CallOff
        fields = ["reference", "framework", "nation", "ordered_after", "ordered_before", "illustrative"]


class CallOffLineFilterSet(django_filters.FilterSet):
    call_off = WholeNumberFilter(label=_("Call-off id"))
    item = IdChoiceFilter(field_name="framework_line__item", queryset=visible_items)

    class Meta:
        model = CallOffLine
        fields = ["call_off", "item"]


class DeliveryFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        given_call_off = data.get("call_off_reference") or data.get("call_off") is not None
        if data.get("line_number") is not None and not given_call_off and "line_number" not in self.errors:
            self.add_error("line_number", _("Give the call-off reference with the line number."))
        return data


class DeliveryFilterSet(django_filters.FilterSet):
    """Deliveries by framework, call-off (its reference, and the line's number as the call-off
    page shows it), nation, item, date, lot and rejection. Scripts may still give the call-off and
    the line by id (``call_off``, ``call_off_line``); the page's form offers those two only when
    the query gives them, as people find a call-off by its reference."""

    ID_FILTERS = ("call_off", "call_off_line")

    framework = IdChoiceFilter(
        field_name="call_off_line__call_off__framework", queryset=visible_frameworks, label=_("Framework")
    )
    call_off_reference = django_filters.CharFilter(
        field_name="call_off_line__call_off__reference",
        lookup_expr="iexact",
        label=_("Call-off reference"),
    )
    line_number = WholeNumberFilter(
        method="on_line_number",
        min_value=1,
        label=_("Line number"),
    )
    call_off = WholeNumberFilter(field_name="call_off_line__call_off", label=_("Call-off id"))
    call_off_line = WholeNumberFilter(label=_("Call-off line id"))
    nation = NationFilter(field_name="call_off_line__call_off__nation")
    item = IdChoiceFilter(
        field_name="call_off_line__framework_line__item", queryset=visible_items, label=_("Item")
    )
    delivered_after = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="gte", label=_("Delivered on or after")
    )
    delivered_before = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="lte", label=_("Delivered on or before")
    )
    lot_number = django_filters.CharFilter(lookup_expr="icontains", label=_("Lot"))
    rejected = django_filters.BooleanFilter(method="with_rejections", label=_("With rejections"))

    class Meta:
        model = Delivery
        form = DeliveryFilterForm
        fields = [
            "framework",
            "call_off_reference",
            "line_number",
            "call_off",
            "call_off_line",
            "nation",
            "item",
            "delivered_after",
            "delivered_before",
            "lot_number",
            "rejected",
        ]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name in self.ID_FILTERS:
                if not (self.data or {}).get(name):
                    del form.fields[name]
        return self._form

    def on_line_number(self, queryset, name, value: int):
        return queryset.alias(call_off_line_number=selectors.line_position("call_off_line")).filter(
            call_off_line_number=value
        )

    def with_rejections(self, queryset, name, value: bool):
        return queryset.filter(quantity_rejected__gt=0) if value else queryset.filter(quantity_rejected=0)


class DeliveryImportFilterSet(django_filters.FilterSet):
    file_name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = DeliveryImport
        fields = ["file_name", "sha256"]
