"""What every app's browser forms share: a form whose cleaned data becomes a service call, the
version an editor started from, and the date input."""

from __future__ import annotations

from django import forms

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(**kwargs) -> forms.DateField:
    return forms.DateField(widget=DATE_INPUT, **kwargs)


class ServiceForm(forms.Form):
    """A form whose cleaned data becomes a service call; ``service_kwargs`` is what the service takes."""

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class VersionedForm(ServiceForm):
    """Carries the version the editor started from: a stale save is a 409, not a silent overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["expected_version"] = data.pop("version")
        return data
