"""The secretariat imports a NATO edition in the browser: the same reader and service as
``manage.py import_nato_expenditure`` (every row checked first, all or nothing, per-row messages;
a re-upload changes nothing; a corrected file updates that edition only, audited)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.expenditure_import import MAX_FILE_BYTES, ImportRejected, decode, kind_of, read_edition_texts
from pledges.models_dip import YEAR_MAX, YEAR_MIN, ExpenditureDataset
from pledges.rules import MANAGE_EDITIONS
from pledges.services_dip import nato_edition_import
from portal.permissions import may
from portal.web import add_service_errors, scope_errors

KINDS = {
    "national_currency": (
        "nc",
        gettext_lazy("This looks like the USD file (Tables 2 and 5); use the other box."),
    ),
    "usd": ("usd", gettext_lazy("This looks like the national-currency file (Table 1); use the other box.")),
}


class EditionImportForm(forms.Form):
    edition_year = forms.IntegerField(label=gettext_lazy("Edition"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    price_base_year = forms.IntegerField(
        label=gettext_lazy("Price base year"), min_value=YEAR_MIN, max_value=YEAR_MAX, initial=2021
    )
    published_on = forms.DateField(
        label=gettext_lazy("Published on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    national_currency = forms.FileField(
        label=gettext_lazy("Table 1 file: national currency (defence-expenditure-YYYY-edition.csv)"),
        required=False,
    )
    usd = forms.FileField(
        label=gettext_lazy("Tables 2 and 5 file: USD (defence-expenditure-YYYY-edition-usd.csv)"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        self.texts: dict[str, tuple[str, str]] = {}
        for field, (kind, wrong_box) in KINDS.items():
            upload = data.get(field)
            if not upload:
                continue
            if upload.size > MAX_FILE_BYTES:
                self.add_error(
                    field, _("The file is larger than %(n)s bytes.") % {"n": f"{MAX_FILE_BYTES:,}"}
                )
                continue
            try:
                text = decode(upload.name, upload.read())
            except ImportRejected as exc:
                self.add_error(field, exc.errors)
                continue
            if kind_of(text) != kind:
                self.add_error(field, wrong_box)
                continue
            self.texts[kind] = (upload.name, text)
        if not self.errors and not self.texts:
            raise ValidationError(_("Choose at least one of the edition's files."))
        return data


def _may_import(user) -> bool:
    # The service decides too (``nato_edition_import``); this only keeps others off the page.
    return may(user, ExpenditureDataset, MANAGE_EDITIONS)


def edition_import(request: HttpRequest) -> HttpResponse:
    if not _may_import(request.user):
        raise PermissionDenied
    errors: list[str] = []
    if request.method == "POST":
        form = EditionImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rows = read_edition_texts(form.texts, price_base=data["price_base_year"])
                names = ", ".join(name for name, _text in form.texts.values())
                with scope_errors():
                    outcome = nato_edition_import(
                        actor=request.user,
                        edition_year=data["edition_year"],
                        price_base_year=data["price_base_year"],
                        rows=rows,
                        published_on=data["published_on"],
                        notes=_("Uploaded: %(files)s.") % {"files": names},
                    )
            except ImportRejected as exc:
                errors = exc.errors
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if outcome.changed:
                    messages.success(
                        request,
                        _(
                            "%(title)s: %(created)s created, %(updated)s updated, %(deleted)s deleted, "
                            "%(unchanged)s unchanged. The figures are being recomputed."
                        )
                        % {
                            "title": outcome.dataset.title,
                            "created": outcome.created,
                            "updated": outcome.updated,
                            "deleted": outcome.deleted,
                            "unchanged": outcome.unchanged,
                        },
                    )
                else:
                    messages.info(request, _("Nothing changed: the edition already holds these figures."))
                return redirect("pledges:dip-dataset", pk=outcome.dataset.pk)
        status = 400
    else:
        form, status = EditionImportForm(), 200
    return render(
        request,
        "pledges/returns/import.html",
        {"form": form, "errors": errors, "max_bytes": MAX_FILE_BYTES},
        status=status,
    )


urlpatterns = [path("expenditure/import/", edition_import, name="dip-edition-import")]
