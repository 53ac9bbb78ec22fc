"""The edition form of the catalogue (the secretariat's). It parses input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import VersionedForm, date_field
from standards.choices import DocumentType, Level, StandardStatus
from standards.models import Domain, Standard
from standards.services.catalogue import STANDARD_FIELDS


class StandardForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Number"), max_length=30, help_text=_("For example 4425 or AOP-29."))
    edition = forms.CharField(label=_("Edition"), max_length=12)
    title = forms.CharField(label=_("Title"), max_length=300)
    title_fr = forms.CharField(label=_("French title"), max_length=300, required=False)
    covering_publication = forms.CharField(label=_("Covering publication"), max_length=40, required=False)
    covering_edition = forms.CharField(label=_("Covering publication edition"), max_length=12, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=StandardStatus.choices)
    promulgated_on = date_field(label=_("Promulgation date"), required=False)
    effective_on = date_field(label=_("Effective date"), required=False)
    custodian = forms.CharField(label=_("Custodian"), max_length=120, required=False)
    domain = forms.ModelChoiceField(label=_("Domain"), queryset=Domain.objects.none())
    level = forms.ChoiceField(label=_("Level of standardisation"), choices=Level.choices)
    supersedes = forms.ModelChoiceField(
        label=_("Supersedes"),
        queryset=Standard.objects.none(),
        required=False,
        help_text=_("The promulgated edition this one replaces, if any."),
    )
    review_cycle_months = forms.IntegerField(
        label=_("Review cycle (months)"), min_value=1, max_value=240, initial=60
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, domains, editions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains
        self.fields["supersedes"].queryset = editions

    def service_kwargs(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name in STANDARD_FIELDS}

    @staticmethod
    def initial_from(standard: Standard) -> dict:
        return {
            **{name: getattr(standard, name) for name in STANDARD_FIELDS - {"domain", "supersedes"}},
            "domain": standard.domain_id,
            "supersedes": standard.supersedes_id,
            "version": standard.version,
        }


class StandardEditForm(StandardForm, VersionedForm):
    """The same fields, plus the version the editor started from (a stale save is a 409)."""

    def service_kwargs(self) -> dict:
        data = StandardForm.service_kwargs(self)
        data["expected_version"] = self.cleaned_data["version"]
        return data
