"""Browser forms for the plan editor. They only parse input: every write goes through
``pledges.services``.

Entry forms are built from the models' own fields (limits, choices and validators stay in one
place). Several entry forms share one page, so each carries a prefix and binds its inputs to its
own ``<form>`` element through the HTML ``form`` attribute: a table row cannot hold a ``<form>``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from pledges.choices import Commitment
from pledges.models import CapacityLine, Investment, Measure, PlanSection

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SectionForm(forms.Form):
    """One section's narrative and the save it started from (``version``, the section's lock counter)."""

    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        strip=False,
        max_length=PlanSection._meta.get_field("narrative").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, commitment: int, **kwargs):
        super().__init__(*args, prefix=f"section-{commitment}", **kwargs)
        self.form_id = f"section-form-{commitment}"


class EntryForm(forms.Form):
    """A capacity line, investment or measure: one row of an inline table."""

    model: type | None = None
    entry_kind: str = ""
    default_commitment: int = Commitment.COOPERATION

    def __init__(self, *args, entry_id: int | None = None, items=None, **kwargs):
        row = entry_id if entry_id is not None else "new"
        super().__init__(*args, prefix=f"{self.entry_kind}-{row}", **kwargs)
        self.entry_id = entry_id
        self.form_id = f"entry-form-{self.entry_kind}-{row}"
        if entry_id is None and not self.is_bound:
            self.initial.setdefault("commitment", self.default_commitment)
        if "item" in self.fields:
            self.fields["item"].queryset = items
        for field in self.fields.values():
            field.widget.attrs["form"] = self.form_id

    @classmethod
    def initial_from(cls, entry) -> dict:
        return {name: getattr(entry, f"{name}_id" if name == "item" else name) for name in cls.base_fields}


def _entry_form(model, fields: list[str], default_commitment: int, widgets=None) -> type[EntryForm]:
    declared = fields_for_model(model, fields=fields, widgets=widgets or {})
    declared["commitment"].label = _("Section")
    attrs = {
        "model": model,
        "entry_kind": model.entry_kind,
        "default_commitment": default_commitment,
        "__module__": __name__,
        **declared,
    }
    return type(f"{model.__name__}Form", (EntryForm,), attrs)


CapacityLineForm = _entry_form(
    CapacityLine,
    [
        "item",
        "site",
        "commitment",
        "baseline_output",
        "baseline_year",
        "current_output",
        "target_output",
        "target_year",
        "surge_capacity",
        "lead_time_months",
    ],
    Commitment.CRITICAL_CAPABILITIES,
)


class InvestmentForm(
    _entry_form(
        Investment,
        ["description", "kind", "value", "currency", "year", "commitment"],
        Commitment.INDUSTRIAL_DEVELOPMENT,
        widgets={"currency": forms.TextInput(attrs={"size": 4, "placeholder": "EUR"})},
    )
):
    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


MeasureForm = _entry_form(
    Measure,
    ["title", "commitment", "status", "due_date"],
    Commitment.COOPERATION,
    widgets={"due_date": DATE_INPUT},
)

# Keyed on the model; the kind's name comes from pledges.models.ENTRY_KINDS.
ENTRY_FORMS: dict[type, type[EntryForm]] = {
    form.model: form for form in (CapacityLineForm, InvestmentForm, MeasureForm)
}


class SubmitForm(forms.Form):
    """The submission page's form: a note for the reviewer and ``confirm``, the empty sections the
    page listed (``"2,5,7"``). A plan with empty sections is submitted only when every section empty
    now was among those confirmed: a bare POST, or one from before another section was emptied,
    brings the page back instead."""

    comment = forms.CharField(
        label=_("Note for the reviewer (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    @staticmethod
    def confirmation(commitments: Iterable[int]) -> str:
        """The ``confirm`` value that confirms submitting with ``commitments`` empty."""
        return ",".join(str(commitment) for commitment in commitments)

    def confirms(self, empty: Iterable[int]) -> bool:
        """Whether the director confirmed submitting with every section of ``empty`` empty."""
        confirmed = {part.strip() for part in self.cleaned_data.get("confirm", "").split(",")}
        return all(str(commitment) in confirmed for commitment in empty)
