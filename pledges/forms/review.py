"""The secretariat's forms: the filing list's filters (with the filing states and sort keys they
offer) and the comments of a return."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy

from pledges.choices import FILING_STATES, Commitment
from pledges.services import CommentInput

SORT_KEYS = {
    "nation": lambda r: r.nation.name.lower(),
    "status": lambda r: [key for key, _label in FILING_STATES].index(r.status),
    "due": lambda r: r.due_date,
    "overdue": lambda r: r.days_overdue or 0,
    "updated": lambda r: r.last_change or dt.datetime.min.replace(tzinfo=dt.UTC),
    "reviewer": lambda r: r.reviewer.lower(),
}


class FilingFilter(forms.Form):
    cycle = forms.TypedChoiceField(label=gettext_lazy("Cycle"), coerce=int, required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *FILING_STATES],
    )
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("", "")] + [(f"{sign}{key}", key) for key in SORT_KEYS for sign in ("", "-")],
    )

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [(c.year, str(c.year)) for c in cycles]


class ReturnForm(forms.Form):
    """One comment box per section and one on the plan as a whole; at least one must be filled."""

    plan_comment = forms.CharField(
        label=gettext_lazy("Comment on the plan as a whole"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for commitment in Commitment:
            self.fields[f"section_{commitment.value}"] = forms.CharField(
                label=gettext_lazy("Comment on section %(n)s") % {"n": commitment.value},
                required=False,
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def comments(self) -> list[CommentInput]:
        data = self.cleaned_data
        return [CommentInput(data["plan_comment"])] + [
            CommentInput(data[f"section_{c.value}"], commitment=c.value) for c in Commitment
        ]
