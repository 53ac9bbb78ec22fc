"""The CNAD compliance dashboard's filters: which dataset, years and nations to show."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.models import YEAR_MAX, YEAR_MIN, ExpenditureDataset
from pledges.selectors.dashboard import ALL, EU, EUROPE_CANADA, NORTH_AMERICA_GROUP, Selection

GROUPS = [
    (ALL, gettext_lazy("All Allies")),
    (EUROPE_CANADA, gettext_lazy("NATO Europe and Canada")),
    (NORTH_AMERICA_GROUP, gettext_lazy("North America")),
    (EU, gettext_lazy("EU members among the Allies")),
]


class DatasetForm(forms.Form):
    """The choice of dataset among those the user may read (an unreadable one is a 404 before the
    form is consulted, so its choices only serve the rendering)."""

    dataset = forms.ChoiceField(label=gettext_lazy("Dataset"), required=False)

    def __init__(self, *args, datasets: list[ExpenditureDataset], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [(str(d.pk), _dataset_label(d)) for d in datasets]


class DashboardFilter(DatasetForm):
    """The dashboard's GET filters. Bad years are field errors, and the page falls back to the
    defaults for them."""

    year_from = forms.IntegerField(
        label=gettext_lazy("From"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    group = forms.ChoiceField(label=gettext_lazy("Nations"), required=False, choices=GROUPS)
    year = forms.IntegerField(
        label=gettext_lazy("Selected year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=gettext_lazy("Counters, ranking and equipment chart."),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("year_from"), data.get("year_to")
        if low is not None and high is not None and low > high:
            self.add_error("year_to", _("The end of the range is before its start."))
            data.pop("year_from", None)
            data.pop("year_to", None)
        year = data.get("year")
        low, high = data.get("year_from"), data.get("year_to")
        if year is not None and ((low is not None and year < low) or (high is not None and year > high)):
            self.add_error("year", _("Choose a year within the range."))
        return data


def _dataset_label(dataset: ExpenditureDataset) -> str:
    label = f"{dataset.title} ({dataset.edition_year}, {dataset.get_status_display()})"
    return f"★ {label}" if dataset.is_reference else label


def selection_from(form: DashboardFilter, dataset: ExpenditureDataset | None) -> Selection:
    """Apply ``form`` (validated) to ``dataset``'s year span; invalid or missing fields take the
    default: the dataset's whole range, every Ally, its latest year in range. A range wider than
    the dataset is cut to it silently; a selected year outside it is a form error."""
    data = form.cleaned_data if form.is_bound else {}
    group = data.get("group") or ALL
    if dataset is None or dataset.first_year is None:
        return Selection(dataset, None, None, group, None)
    first, last = dataset.first_year, dataset.last_year
    low = data.get("year_from") if "year_from" not in form.errors else None
    high = data.get("year_to") if "year_to" not in form.errors else None
    # Years outside the dataset hold nothing: the range is cut to the dataset's span.
    low = min(max(low if low is not None else first, first), last)
    high = max(min(high if high is not None else last, last), first)
    if low > high:
        low, high = first, last
    year = data.get("year") if "year" not in form.errors else None
    if year is not None and not low <= year <= high:
        form.add_error("year", _("This dataset has no figures for %(year)s in the range.") % {"year": year})
        year = None
    if year is None:
        year = high
    return Selection(dataset, low, high, group, year)
