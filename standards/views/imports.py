"""The browser uploads of a catalogue file (the CNAD secretariat) and of a national-responses file
(a director, their own nation's; the secretariat, any nation's). Parsing and rules live in
``standards/importers/``; a refused file shows every problem by row and column, and keeps nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.exceptions import Forbidden
from portal.permissions import ADD
from portal.uploads import ImportRejected, RowError, read_upload
from portal.web import FORM_METHODS, require
from standards import importers
from standards.models import NationalResponse, Standard


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


@dataclass(frozen=True)
class ImportPage:
    """What differs between the two upload pages."""

    url_name: str
    model: type[Model]
    run: Callable
    columns: tuple
    title: str | Promise
    intro: str | Promise
    back: str


CATALOGUE = ImportPage(
    url_name="standards:catalogue-import",
    model=Standard,
    run=importers.import_catalogue,
    columns=importers.catalogue.COLUMNS,
    title=gettext_lazy("Import the catalogue"),
    intro=gettext_lazy(
        "Upload a CSV or XLSX file of editions. Each row creates an edition, or updates the one with "
        "the same type, number and edition. The whole file is checked first: every row is imported, "
        "or none."
    ),
    back="standards:standard-list",
)
RESPONSES = ImportPage(
    url_name="standards:responses-import",
    model=NationalResponse,
    run=importers.import_responses,
    columns=importers.responses.COLUMNS,
    title=gettext_lazy("Import national responses"),
    intro=gettext_lazy(
        "Upload a CSV or XLSX file of national responses, one nation and edition a row. A director "
        "imports their own nation's; the CNAD secretariat any nation's, recorded on its behalf. The "
        "whole file is checked first: every row is imported, or none."
    ),
    back="standards:matrix",
)


def _page(request, page: ImportPage):
    require(request.user, page.model, ADD)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    errors: list[RowError] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                counts = page.run(
                    actor=request.user,
                    data=read_upload(upload, importers.MAX_UPLOAD_BYTES),
                    file_name=upload.name,
                )
            except ImportRejected as exc:
                errors = exc.errors
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                messages.success(
                    request,
                    _(
                        "Imported %(rows)s rows: %(created)s new, %(updated)s changed, "
                        "%(unchanged)s already recorded."
                    )
                    % counts.summary(),
                )
                return redirect(page.url_name)
    return render(
        request,
        "standards/import.html",
        {"form": form, "errors": errors, "page": page, "back_url": reverse(page.back)},
        status=status,
    )


@FORM_METHODS
def catalogue_import(request):
    return _page(request, CATALOGUE)


@FORM_METHODS
def responses_import(request):
    return _page(request, RESPONSES)
