"""The director's response form: one row per edition for one nation, saved in bulk.

Each row carries what it showed when the page was loaded (its values and the response's version),
so only the rows the user changed are saved, and a row someone else saved meanwhile is a 409 that
names the change instead of a silent overwrite.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import date_field
from standards.choices import Implementation, Ratification, Service
from standards.models import NationalResponse, Standard
from standards.services import ResponseInput, ServiceLine

MAX_VERSION = 2**31 - 1
# The fields of a row, as the service names them; a row's input is compared on these.
VALUE_FIELDS = (
    "ratification",
    "ratification_reference",
    "ratified_on",
    "reservations",
    "implementation",
    "implementation_date",
    "implemented_without_ratification",
    "without_ratification_reason",
)
SAME_AS_NATION = ""


class ResponseRowForm(forms.Form):
    """One edition's row. The per-service lines are optional: blank means "as for the nation"."""

    # What changed since the page was loaded, when a save found the row stale (the 409's detail).
    stale: dict | None = None

    ratification = forms.ChoiceField(label=_("Ratification"), choices=Ratification.choices)
    ratification_reference = forms.CharField(label=_("Reference"), max_length=120, required=False)
    ratified_on = date_field(label=_("Ratification date"), required=False)
    reservations = forms.CharField(
        label=_("Reservations"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    implementation = forms.ChoiceField(label=_("Implementation"), choices=Implementation.choices)
    implementation_date = date_field(label=_("Implementation date"), required=False)
    implemented_without_ratification = forms.BooleanField(
        label=_("Implemented without ratification"), required=False
    )
    without_ratification_reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)
    original = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, standard: Standard, response: NationalResponse | None, **kwargs):
        self.standard, self.response = standard, response
        kwargs.setdefault("initial", self.initial_from(response))
        super().__init__(*args, **kwargs)
        for service, label in Service.choices:
            self.fields[f"service_{service}"] = forms.ChoiceField(
                label=label,
                choices=[(SAME_AS_NATION, _("As for the nation")), *Implementation.choices],
                required=False,
            )
            self.fields[f"service_{service}_date"] = date_field(
                label=_("%(service)s implementation date") % {"service": label}, required=False
            )
        if response is not None:
            for line in response.services.all():
                self.initial[f"service_{line.service}"] = line.implementation
                self.initial[f"service_{line.service}_date"] = line.implementation_date

    @classmethod
    def initial_from(cls, response: NationalResponse | None) -> dict:
        if response is None:
            initial = {
                "ratification": Ratification.NO_RESPONSE,
                "implementation": Implementation.NOT_IMPLEMENTED,
                "version": 0,
            }
        else:
            initial = {name: getattr(response, name) for name in VALUE_FIELDS}
            initial["version"] = response.version
        initial["original"] = cls.fingerprint(initial, cls._service_values(response))
        return initial

    @staticmethod
    def _service_values(response: NationalResponse | None) -> list:
        if response is None:
            return []
        return sorted(
            (line.service, line.implementation, str(line.implementation_date or ""))
            for line in response.services.all()
        )

    @staticmethod
    def fingerprint(values: dict, services: list) -> str:
        """The row as loaded, to tell an edited row from an untouched one."""
        parts = [str(values.get(name) or "") for name in VALUE_FIELDS]
        parts.append(str(bool(values.get("implemented_without_ratification"))))
        parts.extend("/".join(line) for line in services)
        return "|".join(parts)

    def service_lines(self) -> list[ServiceLine]:
        lines = []
        for service, _label in Service.choices:
            implementation = self.cleaned_data.get(f"service_{service}") or SAME_AS_NATION
            if implementation != SAME_AS_NATION:
                lines.append(
                    ServiceLine(
                        service=service,
                        implementation=implementation,
                        implementation_date=self.cleaned_data.get(f"service_{service}_date"),
                    )
                )
        return lines

    def changed(self) -> bool:
        now = self.fingerprint(
            self.cleaned_data,
            sorted(
                (line.service, line.implementation, str(line.implementation_date or ""))
                for line in self.service_lines()
            ),
        )
        return now != (self.cleaned_data.get("original") or "")

    def to_input(self) -> ResponseInput:
        data = self.cleaned_data
        return ResponseInput(
            standard=self.standard,
            **{name: data[name] for name in VALUE_FIELDS},
            services=self.service_lines(),
            expected_version=data["version"],
        )

    @property
    def details_open(self) -> bool:
        """Show the row's extra fields when they hold something or carry an error."""
        extra = ["implemented_without_ratification", "without_ratification_reason", "services"]
        if any(name in self.errors for name in extra):
            return True
        names = [name for name in self.fields if name.startswith("service_")] + extra[:2]
        return any(self[name].value() for name in names if name in self.fields)

    def service_fields(self):
        return [
            (self[f"service_{service}"], self[f"service_{service}_date"]) for service, _ in Service.choices
        ]

    def add_service_errors(self, field: str, messages: list[str]) -> None:
        """A service's message on this row: on its field when the row has it, else at the top."""
        self.add_error(field if field in self.fields else None, messages)
