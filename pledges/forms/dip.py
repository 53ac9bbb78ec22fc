"""Browser forms for national expenditure returns. They only parse input: every write goes through
``pledges.services``.

A year's form is built from the record model's own fields, so limits (no negative amounts, shares
between 0 and 100, years 1949-2100) stay in one place. Several year forms share the return page,
so each carries its own prefix.
"""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from pledges.models import (
    AMOUNT_FIELDS,
    INPUT_FIELDS,
    SHARE_FIELDS,
    ExpenditureDataset,
    ExpenditureRecord,
)

# Labels a reader understands (amounts are in millions), also the return table's column heads.
LABELS = {
    "year": _("Year"),
    "is_estimate": _("Estimate"),
    "def_nc_current_m": _("Defence, national currency, current prices (m)"),
    "currency": _("Currency"),
    "def_usd_current_m": _("Defence, USD current (m)"),
    "gdp_usd_current_m": _("GDP, USD current (m)"),
    "def_usd_constant_m": _("Defence, USD constant (m)"),
    "gdp_usd_constant_m": _("GDP, USD constant (m)"),
    "equipment_pct": _("Equipment incl. R&D (%)"),
    "personnel_pct": _("Personnel (%)"),
    "infrastructure_pct": _("Infrastructure (%)"),
    "other_pct": _("Other (%)"),
    "core_defence_usd_constant_m": _("Hague core defence, USD constant (m)"),
    "security_related_usd_constant_m": _("Hague security-related, USD constant (m)"),
}
RECORD_FIELDS = ("year", *INPUT_FIELDS)
# The table's order: year, estimate, national currency with its code, then USD amounts and shares.
TABLE_FIELDS = ("year", "is_estimate", "def_nc_current_m", "currency", *AMOUNT_FIELDS[1:5], *SHARE_FIELDS,
                *AMOUNT_FIELDS[5:])  # fmt: skip


class ReturnStartForm(forms.Form):
    """A director opens their nation's return for a year (the nation is always their own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="start", **kwargs)
        self.fields.update(
            fields_for_model(ExpenditureDataset, fields=["edition_year", "price_base_year", "notes"])
        )
        self.fields["edition_year"].label = _("Year of the return")
        self.fields["price_base_year"].label = _("Price base year")
        self.fields["notes"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["notes"].required = False
        if not self.is_bound:
            self.initial.setdefault("price_base_year", 2021)


class RecordForm(forms.Form):
    """One year of a return; ``version`` is the record's version the editor started from."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, record: ExpenditureRecord | None = None, **kwargs):
        self.record = record
        row = record.pk if record is not None else "new"
        kwargs.setdefault("prefix", f"record-{row}")
        if record is not None and "data" not in kwargs and not args:
            kwargs["initial"] = {
                "version": record.version,
                **{name: getattr(record, name) for name in RECORD_FIELDS},
            }
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(ExpenditureRecord, fields=list(RECORD_FIELDS), labels=LABELS))
        self.fields["currency"].widget.attrs.update({"size": 3, "autocapitalize": "characters"})
        self.form_id = f"record-form-{row}"

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper()

    def values(self) -> dict:
        """The inputs as ``record_save`` takes them (year and version apart)."""
        return {name: self.cleaned_data[name] for name in INPUT_FIELDS}


class VersionForm(forms.Form):
    """The version a delete or submit button was rendered with (a stale one is a conflict)."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
