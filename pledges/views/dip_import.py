"""The secretariat imports a NATO edition in the browser: the same reader and service as
``manage.py import_nato_expenditure`` (every row checked first, all or nothing, per-row messages;
a re-upload changes nothing; a corrected file updates that edition only, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pledges.expenditure_import import MAX_FILE_BYTES, read_edition_texts
from pledges.forms.uploads import EditionImportForm
from pledges.models import ExpenditureDataset
from pledges.rules import MANAGE_EDITIONS
from pledges.services import nato_edition_import
from portal.permissions import may
from portal.uploads import ImportRejected, RowError
from portal.web import add_service_errors, scope_errors


def _may_import(user) -> bool:
    # The service decides too (``nato_edition_import``); this only keeps others off the page.
    return may(user, ExpenditureDataset, MANAGE_EDITIONS)


def edition_import(request: HttpRequest) -> HttpResponse:
    if not _may_import(request.user):
        raise PermissionDenied
    errors: list[RowError] = []
    if request.method == "POST":
        form = EditionImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                edition = read_edition_texts(form.texts, price_base=data["price_base_year"])
                names = ", ".join(name for name, _text in form.texts.values())
                with scope_errors():
                    outcome = nato_edition_import(
                        actor=request.user,
                        edition_year=data["edition_year"],
                        price_base_year=data["price_base_year"],
                        rows=edition.rows,
                        aggregates=edition.aggregates,
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
