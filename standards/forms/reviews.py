"""Forms of the review process, the domains, change proposals and what items require. They parse
input only: every rule (a state, a duplicate, an outcome's needs) is the service's, and its field
messages land on these forms' fields of the same names."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import ServiceForm, VersionedForm, date_field
from procurement.models import Item
from standards.choices import ProposalStatus, ReviewOutcome
from standards.models import Domain, Standard

TEXT_ROWS = forms.Textarea(attrs={"rows": 4})


# --- Domains ----------------------------------------------------------------------------------


class DomainForm(ServiceForm):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits and hyphens, e.g. lbdm.")
    )
    name = forms.CharField(label=_("Name (English)"), max_length=120)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), widget=TEXT_ROWS, required=False)
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=32767, initial=100, help_text=_("Lower comes first.")
    )

    @staticmethod
    def initial_from(domain: Domain) -> dict:
        return {name: getattr(domain, name) for name in (*DomainForm.base_fields, "version")}


class DomainEditForm(DomainForm, VersionedForm):
    """The same fields, plus the version the editor started from (a stale save is a 409)."""


# --- Reviews ----------------------------------------------------------------------------------


class ReviewOpenForm(ServiceForm):
    due_on = date_field(label=_("Review due"))
    notes = forms.CharField(label=_("Notes"), widget=TEXT_ROWS, required=False)


class ReviewStartForm(VersionedForm):
    """Only the version: starting a review asks nothing but that nobody moved it meanwhile."""

    submit_label = _("Start the review")


class ReviewCompleteForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    completed_on = date_field(label=_("Completed on"), required=False, help_text=_("Empty for today."))
    # Required only for a "new edition" outcome; the service says so beside this field.
    new_edition = forms.CharField(
        label=_("New edition"),
        max_length=12,
        required=False,
        help_text=_(
            "For a “new edition” outcome: the new edition's number, e.g. 3. It is created in Study "
            "status with this edition's title, domain and level, and supersedes this edition once "
            "promulgated."
        ),
    )
    notes = forms.CharField(label=_("Notes"), widget=TEXT_ROWS, required=False)


# --- Change proposals -------------------------------------------------------------------------


class ProposalSubmitForm(ServiceForm):
    """``nation`` is offered only to who may propose for any nation; a director's is their own."""

    nation = forms.ModelChoiceField(label=_("Proposer nation"), queryset=None)
    text = forms.CharField(label=_("Proposal"), widget=TEXT_ROWS, max_length=20000)

    def __init__(self, *args, nations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if nations is None:
            del self.fields["nation"]
        else:
            self.fields["nation"].queryset = nations


DECISION_CHOICES = [
    (value, label) for value, label in ProposalStatus.choices if value != ProposalStatus.SUBMITTED
]


class ProposalDecideForm(VersionedForm):
    status = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES)
    decision = forms.CharField(
        label=_("Decision text"),
        widget=TEXT_ROWS,
        required=False,
        help_text=_("Required to accept or reject."),
    )
    decided_on = date_field(label=_("Decision date"), required=False, help_text=_("Empty for today."))


# --- Item requirements ------------------------------------------------------------------------


class RequirementAddForm(ServiceForm):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none())

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class RequirementRemoveForm(ServiceForm):
    """Nothing to type: the confirmation is the POST itself."""

    submit_label = _("Remove the requirement")


class UnmatchedResolveForm(ServiceForm):
    """The edition the designation meant, or an explicit "none" for a designation that was wrong:
    an empty form decides nothing."""

    standard = forms.ModelChoiceField(
        label=_("Edition it meant"), queryset=Standard.objects.none(), required=False
    )
    no_standard = forms.BooleanField(
        label=_("None: the designation was wrong; drop it without a requirement"), required=False
    )

    def __init__(self, *args, editions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = editions

    def clean(self):
        data = super().clean()
        chosen, none = data.get("standard"), data.get("no_standard")
        if chosen is None and not none and "standard" not in self.errors:
            raise ValidationError(_("Choose the edition it meant, or tick “none”."))
        if chosen is not None and none:
            raise ValidationError(_("Choose an edition or “none”, not both."))
        return data

    def service_kwargs(self) -> dict:
        return {"standard": self.cleaned_data["standard"]}
