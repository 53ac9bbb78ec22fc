"""The boards pages' forms: input only; every write goes to a service."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from boards.choices import (
    ActionStatus,
    MeetingStatus,
    MemberRole,
    Presence,
    RecommendationState,
    RiskStatus,
    RiskType,
    Tier,
)
from boards.models import LINKABLE
from portal.forms import ServiceForm, VersionedForm, date_field
from portal.pdf import DEFAULT_CLASSIFICATION


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


# --- Meetings ----------------------------------------------------------------------------------

DEFAULT_ZONE = "Europe/Brussels"
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a meeting may be scheduled in
WALL_CLOCK = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone the model accepts, by name."""
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


class WallClockField(forms.DateTimeField):
    """A date and time as the clock shows it where the meeting sits (naive): the form places it
    in the time zone chosen beside it, not in the reader's or the server's."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        return forms.fields.BaseTemporalField.to_python(self, str(value))


def wall_clock(moment: dt.datetime, zone: str) -> dt.datetime:
    """``moment`` (aware) as the clocks in ``zone`` show it, for a form's initial value."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


class MeetingForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = WallClockField(label=_("Start"), widget=WALL_CLOCK)
    ends_at = WallClockField(label=_("End"), widget=WALL_CLOCK)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Where the meeting sits: start and end are that place's local times."),
    )
    virtual = forms.BooleanField(label=_("Virtual meeting"), required=False)
    location = forms.CharField(
        label=_("Location, or the link to join"),
        max_length=200,
        required=False,
        help_text=_("A room and building, or for a virtual meeting the link to join it."),
    )
    classification = forms.CharField(
        label=_("Classification"),
        max_length=60,
        required=False,
        help_text=_("The marking on every page of the minutes' PDF; empty means NATO UNCLASSIFIED."),
    )

    def clean_classification(self):
        return self.cleaned_data["classification"].strip() or DEFAULT_CLASSIFICATION

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone")
        for name in ("starts_at", "ends_at"):
            value = data.get(name)
            if value is None or not zone:
                continue
            if not FIRST_YEAR <= value.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
                continue
            placed = value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
            if wall_clock(placed.astimezone(dt.UTC), zone) != value:
                self.add_error(
                    name,
                    _("This time does not exist in %(zone)s: the clocks go forward then.") % {"zone": zone},
                )
                continue
            data[name] = placed.astimezone(dt.UTC)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        # Both placed in the zone by now, or both still naive (no zone): comparable either way.
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A meeting ends after it starts."))
        return data


class MeetingEditForm(MeetingForm, VersionedForm):
    pass


class MeetingStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=MeetingStatus.choices, widget=forms.RadioSelect)


# --- The agenda --------------------------------------------------------------------------------


class AgendaItemForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    presenter = forms.ModelChoiceField(label=_("Presenter"), queryset=None, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10_000
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = people


class AgendaVersionForm(ServiceForm):
    """Carries the agenda's version the editor saw: a change since is a 409, not a surprise."""

    agenda_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["expected_agenda_version"] = data.pop("agenda_version")
        return data


UP, DOWN = "up", "down"


class AgendaReorderForm(AgendaVersionForm):
    item = forms.IntegerField(label=_("Agenda item"), min_value=1, max_value=2**63 - 1, widget=forms.Select)
    direction = forms.ChoiceField(
        label=_("Move it"), choices=[(UP, _("Up")), (DOWN, _("Down"))], widget=forms.RadioSelect
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.choices = [(item.pk, str(item)) for item in items]


class AttendanceForm(ServiceForm):
    """A presence choice for each person listed (the body's members, and anyone recorded already);
    a person left unmarked is left as they were."""

    def __init__(self, *args, people, recorded: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        for person in people:
            self.fields[f"presence_{person.pk}"] = forms.ChoiceField(
                label=person.get_full_name() or person.get_username(),
                choices=Presence.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=recorded.get(person.pk),
            )

    def clean(self):
        data = super().clean()
        if not any(data.get(f"presence_{pk}") for pk in self.people):
            raise ValidationError(_("Mark at least one person."))
        return data

    def service_kwargs(self) -> dict:
        return {
            "marks": [
                (person, self.cleaned_data[f"presence_{pk}"])
                for pk, person in self.people.items()
                if self.cleaned_data.get(f"presence_{pk}")
            ]
        }


class ConfirmForm(ServiceForm):
    """A removal's confirmation: nothing to fill in."""


# --- Links to portal objects -------------------------------------------------------------------

LINK_LABELS = {
    "procurement.frameworkcontract": _("NSPA framework contract"),
    "procurement.item": _("Item"),
    "pledges.nationalplan": _("National plan"),
    "standards.standard": _("Standard"),
    "boards.risk": _("Supply-chain risk"),
}
assert set(LINK_LABELS) == set(LINKABLE)


class LinkForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind of object"), choices=list(LINK_LABELS.items()))
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        help_text=_("Its id, or a framework's reference or an item's code."),
    )


# --- Recommendations ---------------------------------------------------------------------------


class RecommendationForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000
    )


class RecommendationEditForm(RecommendationForm, VersionedForm):
    pass


# --- The risk register -------------------------------------------------------------------------


def _scale(label, help_text):
    message = _("Give a whole number from 1 to 5.")
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=5,
        help_text=help_text,
        error_messages={"min_value": message, "max_value": message, "invalid": message},
    )


class RiskForm(ServiceForm):
    title = forms.CharField(label=_("Risk"), max_length=200)
    item = forms.ModelChoiceField(label=_("Item"), queryset=None, required=False)
    component = forms.CharField(label=_("Component"), max_length=200, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    supplier_country = forms.CharField(
        label=_("Supplier country"), max_length=3, help_text=_("ISO 3166 alpha-3 code, e.g. DEU.")
    )
    risk_type = forms.ChoiceField(label=_("Type"), choices=RiskType.choices)
    likelihood = _scale(_("Likelihood"), _("1 (rare) to 5 (almost certain)."))
    impact = _scale(_("Impact"), _("1 (minor) to 5 (severe)."))
    frameworks = forms.ModelMultipleChoiceField(
        label=_("Dependent frameworks"), queryset=None, required=False
    )
    dependent_items = forms.ModelMultipleChoiceField(
        label=_("Dependent items"), queryset=None, required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    mitigation = forms.CharField(
        label=_("Mitigation"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10_000
    )
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices)
    review_on = date_field(label=_("Review date"))
    sensitive = forms.BooleanField(
        label=_("Sensitive"),
        required=False,
        help_text=_("Read only by the secretariat and the members of the body that keeps the register."),
    )

    def __init__(self, *args, items, frameworks, people, may_mark_sensitive: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["dependent_items"].queryset = items
        self.fields["owner"].queryset = people
        if frameworks is None:
            del self.fields["frameworks"]  # a reader who sees no framework keeps the risk's as they are
        else:
            self.fields["frameworks"].queryset = frameworks
        if not may_mark_sensitive:
            del self.fields["sensitive"]

    def clean_supplier_country(self):
        return self.cleaned_data["supplier_country"].strip().upper()

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        if "frameworks" in data and "frameworks" not in self.changed_data:
            del data["frameworks"]  # unchanged: frameworks the editor may not see stay linked
        return data


class RiskCreateForm(RiskForm):
    body = forms.ModelChoiceField(label=_("Register kept by"), queryset=None)
    field_order = ["body"]

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class RiskEditForm(RiskForm, VersionedForm):
    pass


# --- Seats -------------------------------------------------------------------------------------


class MembershipForm(ServiceForm):
    user = forms.ModelChoiceField(label=_("Member"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    from_date = date_field(label=_("From"))
    to_date = date_field(label=_("To"), required=False, help_text=_("Leave empty for an open-ended seat."))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users

    def clean(self):
        data = super().clean()
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and end < start:
            self.add_error("to_date", _("A seat cannot end before it starts."))
        return data


class MembershipEndForm(ServiceForm):
    to_date = date_field(label=_("Last day on the body"))
