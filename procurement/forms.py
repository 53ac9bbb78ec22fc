"""Browser forms for procurement. They only parse input: every write goes through a service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.forms import ServiceForm, VersionedForm, date_field
from portal.models import Nation
from procurement import analytics
from procurement.choices import AmendmentRationale, Firmness, FrameworkStatus
from procurement.models import MONEY, CallOff, CallOffLine, FrameworkContract, Item, Programme, Supplier
from procurement.selectors import calloff_line_list, calloff_list, item_list, supplier_list
from procurement.services import AMENDABLE_FIELDS

MAX_QUANTITY = 2**63 - 1


def money_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"], **kwargs
    )


def quantity_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(max_value=MAX_QUANTITY, **kwargs)


def nation_choices():
    return Nation.objects.order_by("name", "pk")


# --- Catalogue, programmes, suppliers ---------------------------------------------------------


class ItemForm(ServiceForm):
    code = forms.SlugField(max_length=40)
    name = forms.CharField(max_length=200)
    capability_area = forms.ChoiceField(choices=Item._meta.get_field("capability_area").choices)
    unit = forms.CharField(max_length=30, help_text=_("Unit of measure, e.g. round, missile, fuze."))
    nato_stock_number = forms.CharField(max_length=16, required=False, label=_("NATO stock number"))

    @classmethod
    def initial_from(cls, item: Item) -> dict:
        return {name: getattr(item, name) for name in cls.base_fields}


class ProgrammeForm(ServiceForm):
    code = forms.SlugField(max_length=40)
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Programme._meta.get_field("kind").choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ProgrammeEditForm(ServiceForm):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Programme._meta.get_field("kind").choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MembershipForm(ServiceForm):
    nation = forms.ModelChoiceField(queryset=nation_choices())
    joined_on = date_field(label=_("Joined on"))


class SupplierForm(ServiceForm):
    name = forms.CharField(max_length=200)
    country = forms.CharField(max_length=3, help_text=_("ISO 3166 alpha-3, e.g. DEU."))

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()


# --- Frameworks -----------------------------------------------------------------------------


class FrameworkChoicesMixin:
    """Programme and supplier choices: Alliance reference data, read through the selectors."""

    def set_choices(self, programmes, suppliers) -> None:
        self.fields["programme"].queryset = programmes
        self.fields["suppliers"].queryset = suppliers


class FrameworkCreateForm(FrameworkChoicesMixin, ServiceForm):
    reference = forms.CharField(max_length=60)
    title = forms.CharField(max_length=300)
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), required=False)
    suppliers = forms.ModelMultipleChoiceField(queryset=Supplier.objects.none(), required=False)
    currency = forms.CharField(max_length=3, initial="EUR", help_text=_("ISO 4217, e.g. EUR."))
    ceiling_value = money_field(label=_("Ceiling value"))
    firm_order_value = money_field(label=_("Firm-order value"), initial=Decimal("0"))
    period_start = date_field()
    period_end = date_field()
    status = forms.ChoiceField(choices=FrameworkStatus.choices, initial=FrameworkStatus.DRAFT)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


class FrameworkEditForm(FrameworkChoicesMixin, VersionedForm):
    title = forms.CharField(max_length=300)
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), required=False)
    suppliers = forms.ModelMultipleChoiceField(queryset=Supplier.objects.none(), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    @staticmethod
    def initial_from(framework: FrameworkContract) -> dict:
        return {
            "title": framework.title,
            "programme": framework.programme_id,
            "suppliers": [s.pk for s in framework.suppliers.all()],
            "notes": framework.notes,
            "version": framework.version,
        }


class FrameworkAmendForm(VersionedForm):
    """An amendment: why and what, plus the new contract values (pre-filled with the current ones)."""

    date = date_field(initial=dt.date.today)
    rationale = forms.ChoiceField(choices=AmendmentRationale.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    title = forms.CharField(max_length=300)
    ceiling_value = money_field(label=_("Ceiling value"))
    firm_order_value = money_field(label=_("Firm-order value"))
    period_start = date_field()
    period_end = date_field()
    status = forms.ChoiceField(choices=FrameworkStatus.choices)

    def __init__(self, *args, framework: FrameworkContract, **kwargs):
        self.framework = framework
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_from(framework: FrameworkContract) -> dict:
        return {
            **{name: getattr(framework, name) for name in AMENDABLE_FIELDS},
            "version": framework.version,
        }

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        # Only what the user changed goes into the amendment; the service records old and new.
        changes = {
            name: data.pop(name)
            for name in sorted(AMENDABLE_FIELDS)
            if data.get(name) != getattr(self.framework, name)
        }
        for name in AMENDABLE_FIELDS:
            data.pop(name, None)
        return {**data, "changes": changes}


class ParticipantForm(ServiceForm):
    nation = forms.ModelChoiceField(queryset=nation_choices())
    joined_on = date_field(label=_("Joined on"))


class FrameworkLineForm(ServiceForm):
    item = forms.ModelChoiceField(queryset=Item.objects.none())
    unit_price = money_field(min_value=Decimal("0.01"))
    max_quantity = quantity_field(min_value=1, label=_("Maximum quantity"))


# --- Call-offs ------------------------------------------------------------------------------


class CallOffForm(ServiceForm):
    nation = forms.ModelChoiceField(queryset=Nation.objects.none())
    reference = forms.CharField(max_length=60)
    order_date = date_field()
    illustrative = forms.BooleanField(required=False, help_text=_("Demo data, not a real order."))

    def __init__(self, *args, framework: FrameworkContract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nation"].queryset = Nation.objects.filter(
            pk__in=[p.nation_id for p in framework.participations.all()]
        ).order_by("name", "pk")


class ScheduleEntryForm(forms.Form):
    """One requested delivery of a call-off line: when it is due and how many. A blank entry is
    ignored; half of one is an error on the missing half."""

    due_date = date_field(required=False, label=_("Due date"))
    quantity = quantity_field(min_value=1, required=False, label=_("Quantity"))

    def clean(self):
        data = super().clean()
        due, quantity = data.get("due_date"), data.get("quantity")
        if due is not None and quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", _("How many are due on this date?"))
        if quantity is not None and due is None and "due_date" not in self.errors:
            self.add_error("due_date", _("When are they due?"))
        return data

    @property
    def entry(self) -> tuple[dt.date, int] | None:
        """``(due date, quantity)``, or None for a blank entry."""
        due, quantity = self.cleaned_data.get("due_date"), self.cleaned_data.get("quantity")
        return (due, quantity) if due is not None and quantity is not None else None


# Entries each line row shows; static/js/calloff-form.js adds more, up to the maximum.
SCHEDULE_ROWS = 3
MAX_SCHEDULE_ROWS = 60
ScheduleFormSet = forms.formset_factory(
    ScheduleEntryForm,
    extra=SCHEDULE_ROWS,
    max_num=MAX_SCHEDULE_ROWS,
    absolute_max=MAX_SCHEDULE_ROWS,
    validate_max=True,
)


class CallOffLineRowForm(forms.Form):
    """One line of the order: an item, a quantity and its delivery schedule (``self.schedule``, a
    formset of due date and quantity entries, nested under the row's prefix). ``cleaned_data``
    gives the schedule as the ``(date, quantity)`` pairs ``services.CallOffLineInput`` takes."""

    framework_line = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Item"))
    quantity = quantity_field(min_value=1, required=False)

    def __init__(self, *args, framework_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.framework_lines = {line.pk: line for line in framework_lines}
        self.fields["framework_line"].choices = [
            ("", "—"),
            *((line.pk, f"{line.item} ({line.unit_price})") for line in framework_lines),
        ]
        self.schedule = ScheduleFormSet(
            self.data if self.is_bound else None, prefix=self.add_prefix("schedule")
        )

    def has_changed(self) -> bool:
        # A row with only schedule entries is validated too (and told to choose its item).
        return super().has_changed() or self.schedule.has_changed()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return self.schedule.is_valid() and valid

    def clean_framework_line(self):
        """The chosen line itself (the choices are the framework's lines, read once)."""
        pk = self.cleaned_data.get("framework_line")
        return None if pk is None else self.framework_lines[pk]

    def clean(self):
        data = super().clean()
        schedule = [form.entry for form in self.schedule if form.entry] if self.schedule.is_valid() else []
        data["schedule"] = schedule
        if data.get("framework_line") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("How many?"))
        wants_item = data.get("quantity") or schedule
        if wants_item and not data.get("framework_line") and "framework_line" not in self.errors:
            self.add_error("framework_line", _("Choose the item."))
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("framework_line"))


CALLOFF_LINE_ROWS = 5
CallOffLineFormSet = forms.formset_factory(CallOffLineRowForm, extra=CALLOFF_LINE_ROWS, max_num=50)


# --- Deliveries -----------------------------------------------------------------------------


def numbered_lines(call_off: CallOff) -> list[tuple[int, CallOffLine]]:
    """``(number, line)`` for each of a call-off's lines, numbered from 1 as its page numbers them:
    in pk order, the order ``selectors.calloff_get`` prefetches them in."""
    return list(enumerate(call_off.lines.all(), start=1))


def line_choices(call_off: CallOff) -> list[tuple[int, str]]:
    """A call-off's lines as a choice list, numbered as its page numbers them."""
    return [
        (
            line.pk,
            _("Line %(number)s: %(item)s, %(delivered)s of %(quantity)s delivered")
            % {
                "number": number,
                "item": line.framework_line.item,
                "delivered": line.delivered_quantity,
                "quantity": line.quantity,
            },
        )
        for number, line in numbered_lines(call_off)
    ]


class DeliveryForm(ServiceForm):
    """A delivery under a call-off: today's date unless changed, and the accepted quantity the
    delivered one less any rejected, when left empty (static/js/delivery-form.js fills it in as
    the quantities are typed). ``line`` (a line number, as the call-off page shows it) chooses the
    line for a new form."""

    call_off_line = forms.TypedChoiceField(coerce=int, label=_("Call-off line"))
    delivered_on = date_field(initial=timezone.localdate)
    accepted_on = date_field(required=False, help_text=_("Defaults to the delivery date if any is accepted."))
    quantity_delivered = quantity_field(min_value=1)
    quantity_accepted = quantity_field(
        min_value=0,
        required=False,
        help_text=_("The quantity delivered less any rejected, unless you change it."),
    )
    quantity_rejected = quantity_field(min_value=0, initial=0, required=False)
    rejection_reason = forms.CharField(max_length=300, required=False)
    lot_number = forms.CharField(max_length=60)
    location = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, call_off, line: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = line_choices(call_off)
        self.fields["call_off_line"].choices = choices
        if line is not None and 1 <= line <= len(choices):
            self.initial["call_off_line"] = choices[line - 1][0]

    def clean(self):
        data = super().clean()
        if data.get("quantity_rejected") is None and "quantity_rejected" not in self.errors:
            data["quantity_rejected"] = 0
        delivered, rejected = data.get("quantity_delivered"), data.get("quantity_rejected")
        derive = data.get("quantity_accepted") is None and "quantity_accepted" not in self.errors
        if derive and delivered is not None and rejected is not None:
            if rejected > delivered:
                self.add_error("quantity_rejected", _("More are rejected than were delivered."))
            else:
                data["quantity_accepted"] = delivered - rejected
        return data


class DeliveryStartForm(forms.Form):
    """Recording a delivery from the deliveries list: which call-off (by its reference) and,
    optionally, which of its lines (by number, as the call-off page shows them)."""

    call_off = forms.CharField(max_length=60, label=_("Call-off reference"))
    line = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        label=_("Line number"),
        help_text=_("Optional: the line's number on the call-off page; else you choose the line next."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_call_off(self):
        """The call-off itself: the reference as typed, else the only one that differs in case."""
        reference = self.cleaned_data["call_off"].strip()
        found = list(calloff_list(user=self.user).filter(reference__iexact=reference)[:2])
        exact = [call_off for call_off in found if call_off.reference == reference] or found
        if len(exact) != 1:
            raise ValidationError(
                _("No call-off with the reference %(reference)s."), params={"reference": reference}
            )
        return exact[0]

    def clean(self):
        data = super().clean()
        call_off, number = data.get("call_off"), data.get("line")
        if call_off is not None and number is not None:
            count = calloff_line_list(user=self.user).filter(call_off=call_off).count()
            if number > count:
                self.add_error(
                    "line",
                    ngettext(
                        "%(reference)s has %(count)s line; there is no line %(number)s.",
                        "%(reference)s has %(count)s lines; there is no line %(number)s.",
                        count,
                    )
                    % {"reference": call_off.reference, "count": count, "number": number},
                )
        return data


class DeliveryCorrectionForm(ServiceForm):
    accepted_on = date_field(required=False, help_text=_("Defaults to the delivery date if any is accepted."))
    rejection_reason = forms.CharField(max_length=300, required=False)
    location = forms.CharField(max_length=120, required=False)


# --- Demand entry grid -----------------------------------------------------------------------


class DemandCell:
    """One item-by-year cell of the grid, with the bound fields the template renders."""

    def __init__(self, form: DemandGridForm, item: Item, year: int, signal):
        self.item, self.year, self.signal = item, year, signal
        self.prefix = f"c{item.pk}_{year}"
        self.quantity = form[f"{self.prefix}_quantity"]
        self.firmness = form[f"{self.prefix}_firmness"]
        self.version = form[f"{self.prefix}_version"]
        self.original = form[f"{self.prefix}_original"]

    @property
    def label(self) -> str:
        return f"{self.item.name} {self.year}"

    @property
    def errors(self) -> list[str]:
        return [*self.quantity.errors, *self.firmness.errors]


class DemandGridForm(forms.Form):
    """Quantity and firmness for every item-by-year of one nation.

    Each cell also carries what it showed when the page was loaded (value and the row's version):
    only cells the user changed are saved, and a cell someone else changed meanwhile is a conflict.
    """

    def __init__(self, *args, items, years, signals, **kwargs):
        super().__init__(*args, **kwargs)
        self.items, self.years = list(items), list(years)
        self.signals = {(s.item_id, s.year): s for s in signals}
        for item in self.items:
            for year in self.years:
                signal = self.signals.get((item.pk, year))
                prefix = f"c{item.pk}_{year}"
                self.fields[f"{prefix}_quantity"] = quantity_field(
                    min_value=0,
                    required=False,
                    initial=signal.quantity if signal else None,
                    label=f"{item.name} {year}",
                    widget=forms.NumberInput(attrs={"class": "demand-quantity", "min": 0}),
                )
                self.fields[f"{prefix}_firmness"] = forms.ChoiceField(
                    choices=[("", "—"), *Firmness.choices],
                    required=False,
                    initial=signal.firmness if signal else "",
                    label=_("Firmness"),
                )
                self.fields[f"{prefix}_version"] = forms.IntegerField(
                    widget=forms.HiddenInput,
                    required=False,
                    min_value=0,
                    max_value=2**31 - 1,
                    initial=signal.version if signal else None,
                )
                self.fields[f"{prefix}_original"] = forms.CharField(
                    widget=forms.HiddenInput, required=False, initial=self.cell_value(signal)
                )

    @staticmethod
    def cell_value(signal) -> str:
        return f"{signal.quantity}|{signal.firmness}" if signal else ""

    def rows(self):
        for item in self.items:
            yield (
                item,
                [DemandCell(self, item, year, self.signals.get((item.pk, year))) for year in self.years],
            )

    def clean(self):
        data = super().clean()
        for item in self.items:
            for year in self.years:
                prefix = f"c{item.pk}_{year}"
                if data.get(f"{prefix}_quantity") is not None and not data.get(f"{prefix}_firmness"):
                    self.add_error(f"{prefix}_firmness", _("Choose firm, planned or indicative."))
        return data

    def changed_cells(self):
        """``(item, year, quantity or None, firmness, version)`` for every cell the user changed."""
        for item in self.items:
            for year in self.years:
                prefix = f"c{item.pk}_{year}"
                quantity = self.cleaned_data.get(f"{prefix}_quantity")
                firmness = self.cleaned_data.get(f"{prefix}_firmness") or ""
                now = "" if quantity is None else f"{quantity}|{firmness}"
                if now != (self.cleaned_data.get(f"{prefix}_original") or ""):
                    yield item, year, quantity, firmness, self.cleaned_data.get(f"{prefix}_version")


# --- Imports -----------------------------------------------------------------------------------


class DeliveryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Delivery file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


# --- Analytics filters -------------------------------------------------------------------------

YEAR_MIN, YEAR_MAX = 1949, 2100


class ItemFilterForm(forms.Form):
    """A filter form with an item choice whose items also name the result rows: the catalogue is
    read once (a ModelChoiceField would query it again to render its options)."""

    item = forms.TypedChoiceField(label=_("Item"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in item_list(user=user)}
        self.fields["item"].choices = [("", "---------")] + [
            (pk, str(item)) for pk, item in self.items.items()
        ]

    def clean_item(self):
        value = self.cleaned_data.get("item")
        return None if value is None else self.items[value]


class DemandAggregateForm(ItemFilterForm):
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)

    field_order = ["year_from", "year_to", "item"]

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and end < start:
            self.add_error("year_to", _("The range must end on or after its start."))
        return data


class DeliveryPerformanceForm(ItemFilterForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if analytics.frameworks_named(user):
            self.fields["supplier"].queryset = supplier_list(user=user)
        else:
            del self.fields["supplier"]  # delivery_performance ignores it for this reader
