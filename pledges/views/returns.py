"""Expenditure datasets and national expenditure returns in the browser.

``/pledges/expenditure/`` lists the datasets the user may read: NATO editions for every role that
reads dashboards, a director's own nation's returns, and the returns submitted to the secretariat.
A director starts their nation's return there; the secretariat picks the reference edition.

A return's page shows its years with the DIP figures computed from them (the recompute job runs
after each save; a figure whose inputs changed since is marked stale until it has run). While the
return is a draft its director edits, adds and deletes years and submits it. Every write goes
through ``pledges.services`` (audited, recompute queued); a stale edit is a 409 that names the
fields changed since and who changed them. Another nation's return is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pledges import display, selectors, services
from pledges.forms import LABELS, TABLE_FIELDS, RecordForm, ReturnStartForm, VersionForm
from pledges.models import ExpenditureDataset, ExpenditureRecord
from pledges.rules import FILE_RETURN, MANAGE_EDITIONS
from portal.exceptions import Conflict, NotFound
from portal.permissions import ADD, CHANGE, VIEW, may
from portal.web import add_service_errors, require, scope_errors


def _may_start(user) -> bool:
    return bool(user.nation_id) and may(user, ExpenditureDataset, FILE_RETURN)


def _may_pick_reference(user) -> bool:
    # A display choice only: ``dataset_set_reference`` enforces it.
    return may(user, ExpenditureDataset, MANAGE_EDITIONS)


def _return_url(dataset: ExpenditureDataset) -> str:
    return reverse("pledges:dip-dataset", kwargs={"pk": dataset.pk})


# --- The dataset list -----------------------------------------------------------------------


def _render_list(request: HttpRequest, start_form: ReturnStartForm | None = None, status: int = 200):
    user = request.user
    if start_form is None and _may_start(user):
        start_form = ReturnStartForm()
    return render(
        request,
        "pledges/returns/list.html",
        {
            "datasets": selectors.dataset_list(user=user),
            "start_form": start_form,
            "may_pick_reference": _may_pick_reference(user),
        },
        status=status,
    )


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    require(request.user, ExpenditureDataset, VIEW)
    return _render_list(request)


@require_POST
def return_start(request: HttpRequest) -> HttpResponse:
    require(request.user, ExpenditureDataset, ADD)
    form = ReturnStartForm(request.POST)
    if form.is_valid():
        try:
            with scope_errors():
                dataset = services.return_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Return started. Add a row for each year."))
            return redirect(_return_url(dataset))
    return _render_list(request, start_form=form, status=400)


@require_POST
def dataset_make_reference(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, ExpenditureDataset, CHANGE)
    dataset = selectors.dataset_get(user=request.user, pk=pk)
    try:
        with scope_errors():
            services.dataset_set_reference(actor=request.user, dataset=dataset)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The dashboard now opens on “%(title)s”.") % {"title": dataset.title})
    return redirect("pledges:dip-datasets")


# --- One dataset (a return's editor) --------------------------------------------------------


def _render_dataset(
    request: HttpRequest,
    dataset: ExpenditureDataset,
    *,
    bound: RecordForm | None = None,
    conflict: Conflict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The dataset's years with their figures; while it is its director's draft, a form per year.
    ``bound`` is the form just posted (with its errors or conflict), shown in place of a fresh one."""
    user = request.user
    editable = dataset.is_national_return and dataset.is_editable and may(user, ExpenditureDataset, CHANGE)
    records = list(selectors.record_list(user=user, dataset=dataset))
    metrics = {
        (m.nation_id, m.year): m
        for m in selectors.metric_list(user=user).filter(dataset=dataset, nation__isnull=False)
    }
    bound_record = bound.record.pk if bound is not None and bound.record is not None else None
    rows = []
    for record in records:
        form = None
        if editable:
            form = bound if bound_record == record.pk else RecordForm(record=record)
        rows.append(
            {
                "record": record,
                "cells": [getattr(record, name) for name in TABLE_FIELDS],
                "metric": metrics.get((record.nation_id, record.year)),
                "form": form,
                "conflict": conflict if bound_record == record.pk else None,
            }
        )
    add_form = None
    if editable:
        add_form = bound if bound is not None and bound.record is None else RecordForm()
    return render(
        request,
        "pledges/returns/dataset.html",
        {
            "dataset": dataset,
            "rows": rows,
            "headers": [LABELS[name] for name in TABLE_FIELDS],
            "editable": editable,
            "add_form": add_form,
            "add_conflict": conflict if bound is not None and bound.record is None else None,
            "rules": display.RULES,
            "show_nation": not dataset.is_national_return,
        },
        status=status,
    )


@require_GET
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, ExpenditureDataset, VIEW)
    return _render_dataset(request, selectors.dataset_get(user=request.user, pk=pk))


def _save(request: HttpRequest, dataset: ExpenditureDataset, form: RecordForm) -> HttpResponse:
    """Save a posted year through ``record_save``: redirect when saved, else the page with the
    form's errors (400) or the conflict (409), the input kept."""
    if not form.is_valid():
        return _render_dataset(request, dataset, bound=form, status=400)
    record = form.record
    try:
        with scope_errors():
            services.record_save(
                actor=request.user,
                dataset=dataset,
                year=form.cleaned_data["year"],
                values=form.values(),
                record_id=record and record.pk,
                expected_version=form.cleaned_data["version"] if record else None,
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_dataset(request, dataset, bound=form, status=400)
    except Conflict as conflict:
        if record is not None and "current_version" in conflict.detail:
            # Keep the editor's input, now based on the current version: saving again after
            # reviewing the changed fields is a deliberate overwrite, not another conflict.
            data = request.POST.copy()
            data[form.add_prefix("version")] = conflict.detail["current_version"]
            form = RecordForm(data, record=record)
            form.is_valid()
        return _render_dataset(request, dataset, bound=form, conflict=conflict, status=409)
    messages.success(request, _("%(year)s saved; its figures are being recomputed.") % form.cleaned_data)
    return redirect(_return_url(dataset))


def _posted_dataset(request: HttpRequest, pk: int) -> ExpenditureDataset:
    require(request.user, ExpenditureDataset, CHANGE)
    return selectors.dataset_get(user=request.user, pk=pk)


def _posted_record(request: HttpRequest, dataset: ExpenditureDataset, record_pk: int) -> ExpenditureRecord:
    record = selectors.record_list(user=request.user, dataset=dataset).filter(pk=record_pk).first()
    if record is None:
        with scope_errors():
            raise NotFound(_("No such year in this return."))
    return record


@require_POST
def record_add(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = _posted_dataset(request, pk)
    return _save(request, dataset, RecordForm(request.POST))


@require_POST
def record_edit(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    dataset = _posted_dataset(request, pk)
    record = _posted_record(request, dataset, record_pk)
    return _save(request, dataset, RecordForm(request.POST, record=record))


def _version(request: HttpRequest) -> int | None:
    """The posted ``version`` (None when absent: no lock asked for); garbage is a 400, never
    silently "no lock"."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise BadRequest(" ".join(form.errors["version"]))
    return form.cleaned_data["version"]


@require_POST
def record_delete(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    dataset = _posted_dataset(request, pk)
    record = _posted_record(request, dataset, record_pk)
    try:
        with scope_errors():
            services.record_delete(actor=request.user, record=record, expected_version=_version(request))
    except Conflict as conflict:
        return _render_dataset(
            request, dataset, bound=RecordForm(record=record), conflict=conflict, status=409
        )
    messages.success(request, _("%(year)s deleted.") % {"year": record.year})
    return redirect(_return_url(dataset))


@require_POST
def return_submit(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = _posted_dataset(request, pk)
    try:
        with scope_errors():
            services.return_submit(actor=request.user, dataset=dataset, expected_version=_version(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render_dataset(request, dataset, status=400)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return _render_dataset(request, selectors.dataset_get(user=request.user, pk=pk), status=409)
    messages.success(request, _("Return submitted to the CNAD secretariat."))
    return redirect(_return_url(dataset))
