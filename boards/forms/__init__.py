"""The boards pages' forms: input only; every write goes to a service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from boards.choices import ActionStatus, RecommendationState
from portal.forms import ServiceForm, VersionedForm, date_field


class MinutesDraftForm(ServiceForm):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}), max_length=100_000)


class MinutesEditForm(VersionedForm):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}), max_length=100_000)


class MinutesApproveForm(VersionedForm):
    at_meeting = forms.ModelChoiceField(
        label=_("Approved at the meeting"), queryset=None, help_text=_("A later meeting of the same body.")
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at_meeting"].queryset = meetings


class MinutesCorrectForm(ServiceForm):
    text = forms.CharField(
        label=_("Corrected minutes"), widget=forms.Textarea(attrs={"rows": 14}), max_length=100_000
    )
    reason = forms.CharField(
        label=_("What the correction changes, and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ActionForm(ServiceForm):
    text = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    is_decision = forms.BooleanField(label=_("A decision, not an action"), required=False)
    owner_user = forms.ModelChoiceField(label=_("Owner (a person)"), queryset=None, required=False)
    owner_nation = forms.ModelChoiceField(
        label=_("Owner (a nation)"), queryset=None, required=False, to_field_name="code"
    )
    due_on = date_field(label=_("Due"))

    def __init__(self, *args, people, nations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = people
        self.fields["owner_nation"].queryset = nations


class ActionEditForm(ActionForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["expected_version"] = data.pop("version")
        return data


class RecommendationMoveForm(VersionedForm):
    to = forms.ChoiceField(label=_("Move to"), choices=())
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("CNAD's note; required when CNAD returns the recommendation."),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        # The select offers the moves open now, but any state is taken: a move that the state no
        # longer allows (someone moved it since the page was opened) is the service's 409, which
        # names the current state, not a "not one of the choices" message.
        field = self.fields["to"]
        field.choices = RecommendationState.choices
        field.widget.choices = [(state, RecommendationState(state).label) for state in targets]


class DocumentForm(ServiceForm):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False)

    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = agenda
