"""Browser forms for procurement. They only parse input: every write goes through a service."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import ServiceForm, VersionedForm, date_field
from portal.models import Nation
from procurement import analytics
from procurement.choices import AmendmentRationale, Firmness, FrameworkStatus
from procurement.models import MONEY, FrameworkContract, Item, Programme, Supplier
from procurement.selectors import item_list, supplier_list
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

SCHEDULE_ENTRY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[:=]\s*(\d{1,18})\s*$")


class ScheduleField(forms.CharField):
    """A delivery schedule typed as "2025-06-30: 100; 2025-12-31: 200" -> [(date, quantity)]."""

    def to_python(self, value):
        text = super().to_python(value)
        schedule = []
        for part in filter(str.strip, re.split(r"[;\n]", text)):
            match = SCHEDULE_ENTRY.match(part)
            if not match:
                raise ValidationError(
                    _("Write each delivery as YYYY-MM-DD: quantity, separated by semicolons; not %(part)r."),
                    params={"part": part.strip()[:40]},
                )
            try:
                due = dt.date.fromisoformat(match[1])
            except ValueError:
                raise ValidationError(_("%(day)s is not a date."), params={"day": match[1]}) from None
            schedule.append((due, int(match[2])))
        return schedule

    def prepare_value(self, value):
        if isinstance(value, list):
            return "; ".join(f"{due.isoformat()}: {quantity}" for due, quantity in value)
        return value


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


class CallOffLineRowForm(forms.Form):
    framework_line = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Item"))
    quantity = quantity_field(min_value=1, required=False)
    schedule = ScheduleField(
        required=False,
        label=_("Delivery schedule"),
        help_text=_("Optional: YYYY-MM-DD: quantity; …"),
    )

    def __init__(self, *args, framework_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.framework_lines = {line.pk: line for line in framework_lines}
        self.fields["framework_line"].choices = [
            ("", "—"),
            *((line.pk, f"{line.item} ({line.unit_price})") for line in framework_lines),
        ]

    def clean_framework_line(self):
        """The chosen line itself (the choices are the framework's lines, read once)."""
        pk = self.cleaned_data.get("framework_line")
        return None if pk is None else self.framework_lines[pk]

    def clean(self):
        data = super().clean()
        if data.get("framework_line") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("How many?"))
        if data.get("quantity") and not data.get("framework_line") and "framework_line" not in self.errors:
            self.add_error("framework_line", _("Choose the item."))
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("framework_line"))


CALLOFF_LINE_ROWS = 5
CallOffLineFormSet = forms.formset_factory(CallOffLineRowForm, extra=CALLOFF_LINE_ROWS, max_num=50)


# --- Deliveries -----------------------------------------------------------------------------


class DeliveryForm(ServiceForm):
    call_off_line = forms.TypedChoiceField(coerce=int, label=_("Call-off line"))
    delivered_on = date_field()
    accepted_on = date_field(required=False, help_text=_("Defaults to the delivery date if any is accepted."))
    quantity_delivered = quantity_field(min_value=1)
    quantity_accepted = quantity_field(min_value=0)
    quantity_rejected = quantity_field(min_value=0, initial=0)
    rejection_reason = forms.CharField(max_length=300, required=False)
    lot_number = forms.CharField(max_length=60)
    location = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, call_off, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call_off_line"].choices = [
            (
                line.pk,
                f"{line.framework_line.item}: {line.delivered_quantity} of {line.quantity} delivered",
            )
            for line in call_off.lines.all()
        ]


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
