"""What every app's browser forms share: a form whose cleaned data becomes a service call, the
version an editor started from, and the date input."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

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


class QuickSelect(forms.Select):
    """A select that writes its options in Python. Django's own includes a template for every
    option, and a list of 200 items cost the capacity page a third of its render time
    (bench/boards.py). The same markup: the attributes as Django's attrs.html writes them (True
    bare, False and None left out), values and labels escaped."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    str(option["value"]),
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  (every part is built by format_html)


class PreferencesForm(forms.Form):
    """The signed-in user's own settings on their profile page."""

    field_order = ["time_zone", "language"]
    language = forms.ChoiceField(
        label=_("Language of your emails"),
        required=False,
        help_text=_("Notifications and digests are written in this language."),
    )

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times across the portal are shown in this zone, with its name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.models import time_zones

        self.fields["language"].choices = [("", _("The portal's default (English)")), *settings.LANGUAGES]

        self.fields["time_zone"].choices = [
            ("", _("UTC (the default)")),
            *((zone, zone.replace("_", " ")) for zone in sorted(time_zones())),
        ]


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notification, grouped by theme: at once, daily digest or no email.
    A compulsory kind offers no "no email"."""

    def __init__(self, *args, channels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        from portal.models import NotificationPreference
        from portal.notifications import GROUPS, KINDS

        Channel = NotificationPreference.Channel
        self.groups = []
        for group, title in GROUPS.items():
            names = []
            for kind in sorted((k for k in KINDS.values() if k.group == group), key=lambda k: str(k.label)):
                choices = [c for c in Channel.choices if not (kind.compulsory and c[0] == Channel.OFF)]
                self.fields[kind.key] = forms.ChoiceField(
                    label=kind.label,
                    choices=choices,
                    initial=channels.get(kind.key, kind.default),
                    help_text=_("Compulsory: it cannot be turned off.") if kind.compulsory else "",
                )
                names.append(kind.key)
            if names:
                self.groups.append((title, [self[name] for name in names]))
