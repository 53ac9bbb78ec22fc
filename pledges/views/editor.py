"""The director's plan editor: the list of their nation's plans and the editor of one plan.

Sections and entry tables save without a page reload (htmx): each POST answers with the
re-rendered fragment of what it changed, with a status a script can act on: 200 saved, 400 invalid
(errors next to the fields), 409 conflict (someone saved first, or the plan left the draft state).
Browsers without JavaScript post the same forms and get a redirect, or the fragment on a page.

Reads go through ``pledges.selectors``; writes through ``pledges.services``. A plan the user may
not see is a 404; a plan they may see but not edit (the secretariat's, once submitted) is a 403.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pledges import forms, selectors, services
from pledges.choices import Commitment
from pledges.models import ENTRY_KINDS, CapacityLine, Investment, Measure, NationalPlan, PlanVersion
from pledges.views.export import may_upload_capacity
from pledges.views.review import may_compare
from pledges.workspace import late_note
from portal import formats
from portal.exceptions import Conflict
from portal.permissions import ADD, CHANGE, may
from portal.web import add_service_errors, get_for, scope_errors
from procurement import selectors as procurement_selectors

# --- Entry tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    fields: tuple[str, ...]
    pattern: str = "{0}"  # how the fields' display values combine in a read-only cell
    numeric: bool = False


@dataclass(frozen=True)
class EntryTable:
    """How the editor shows one kind of structured entry: its inline table."""

    title: str
    noun: str
    columns: tuple[Column, ...]


# Keyed on the model: the kinds and their names are pledges.models.ENTRY_KINDS.
ENTRY_TABLES = {
    CapacityLine: EntryTable(
        gettext_lazy("Capacity lines"),
        gettext_lazy("capacity line"),
        (
            Column(gettext_lazy("Item"), ("item",)),
            Column(gettext_lazy("Site or company"), ("site",)),
            Column(gettext_lazy("Section"), ("commitment",)),
            Column(gettext_lazy("Baseline output"), ("baseline_output", "baseline_year"), "{0} in {1}", True),
            Column(gettext_lazy("Current output"), ("current_output",), numeric=True),
            Column(gettext_lazy("Target output"), ("target_output", "target_year"), "{0} by {1}", True),
            Column(gettext_lazy("Surge"), ("surge_capacity",), numeric=True),
            Column(gettext_lazy("Lead time (months)"), ("lead_time_months",), numeric=True),
        ),
    ),
    Investment: EntryTable(
        gettext_lazy("Investments"),
        gettext_lazy("investment"),
        (
            Column(gettext_lazy("Description"), ("description",)),
            Column(gettext_lazy("Kind"), ("kind",)),
            Column(gettext_lazy("Value"), ("value", "currency"), "{0} {1}", True),
            Column(gettext_lazy("Year"), ("year",), numeric=True),
            Column(gettext_lazy("Section"), ("commitment",)),
        ),
    ),
    Measure: EntryTable(
        gettext_lazy("Measures"),
        gettext_lazy("measure"),
        (
            Column(gettext_lazy("Title"), ("title",)),
            Column(gettext_lazy("Section"), ("commitment",)),
            Column(gettext_lazy("Status"), ("status",)),
            Column(gettext_lazy("Due"), ("due_date",)),
        ),
    ),
}


def _items(request: HttpRequest, model) -> object:
    """The catalogue a capacity line picks its item from (the other kinds pick none)."""
    return procurement_selectors.item_list(user=request.user) if model is CapacityLine else None


def _display(entry, name: str) -> str:
    value = getattr(entry, name)
    if value is None or value == "":
        return "—"
    if name == "commitment" or name.endswith("year"):
        return str(value)
    getter = getattr(entry, f"get_{name}_display", None)
    if getter is not None:
        return str(getter())
    if isinstance(value, Decimal):
        return formats.amount(value)  # the one money format of pages and PDFs
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(value)


# --- Shared helpers -----------------------------------------------------------------------


def _detail(
    request: HttpRequest, plan: NationalPlan, *, review_comments: bool = True
) -> selectors.PlanDetail:
    detail = selectors.plan_detail_get(user=request.user, plan=plan, review_comments=review_comments)
    if detail.version is None:
        raise Http404
    return detail


def _is_editable(plan: NationalPlan, version: PlanVersion) -> bool:
    return plan.is_editable and version.pk == plan.current_version_id and not version.frozen


def _plan_url(plan: NationalPlan, anchor: str = "") -> str:
    url = reverse("pledges:plan-edit", kwargs={"pk": plan.pk})
    return f"{url}#{anchor}" if anchor else url


def _fragment(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """The fragment alone for htmx; wrapped in a page for a browser without JavaScript."""
    if not request.htmx:
        context = {**context, "fragment_template": template}
        template = "pledges/editor/fragment_page.html"
    return render(request, template, context, status=status)


# --- Plans by cycle -----------------------------------------------------------------------


@require_GET
def plan_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may(user, NationalPlan, ADD):
        raise PermissionDenied
    by_cycle: dict[int, list[NationalPlan]] = defaultdict(list)
    for plan in selectors.plan_list(user=user):
        by_cycle[plan.cycle_id].append(plan)
    cycles = [
        {
            "cycle": cycle,
            "plans": by_cycle.get(cycle.pk, []),
            "may_start": bool(user.nation_id)
            and not any(p.nation_id == user.nation_id for p in by_cycle.get(cycle.pk, [])),
        }
        for cycle in selectors.cycle_list(user=user)
    ]
    return render(request, "pledges/editor/home.html", {"cycles": cycles, "today": timezone.localdate()})


@require_POST
def plan_start(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = request.user
    if not may(user, NationalPlan, ADD) or not user.nation_id:
        raise PermissionDenied
    cycle = get_object_or_404(selectors.cycle_list(user=user), pk=cycle_pk)
    try:
        with scope_errors():
            plan = services.plan_start(actor=user, nation=user.nation, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pledges:plan-home")
    messages.success(
        request, _("The %(year)s plan is open. Sections save one at a time.") % {"year": cycle.year}
    )
    return redirect(_plan_url(plan))


# --- The editor page ----------------------------------------------------------------------


def _section_context(plan, commitment: int, form, *, editable: bool, narrative: str = "", **extra) -> dict:
    return {
        "commitment": commitment,
        "label": Commitment(commitment).label,
        "form": form,
        "narrative": narrative,
        "editable": editable,
        "save_url": reverse("pledges:section-save", kwargs={"pk": plan.pk, "commitment": commitment}),
        **extra,
    }


def save_number(version: int) -> int:
    """What a director reads for a section's lock counter (``PlanSection.version``): how many saves
    changed its text in this plan version. The counter starts at 1, before any save, and each save
    that changes the text adds one. Pages say "save N" for it and "plan version N" only for
    ``PlanVersion.number``, so the two never read alike."""
    return version - 1


def _section_form(section) -> forms.SectionForm:
    return forms.SectionForm(
        commitment=section.commitment, initial={"narrative": section.narrative, "version": section.version}
    )


def _entries_context(
    request: HttpRequest,
    plan: NationalPlan,
    version: PlanVersion,
    kind: str,
    *,
    editing: int | None = None,
    bound=None,
    status: str = "",
) -> dict:
    """One entry table: read-only rows, at most one row being edited, and the add row."""
    model = ENTRY_KINDS[kind]
    spec = ENTRY_TABLES[model]
    form_class = forms.ENTRY_FORMS[model]
    editable = _is_editable(plan, version)
    items = _items(request, model)
    rows = []
    for entry in getattr(version, model.entry_related).all():
        row = {
            "entry": entry,
            "cells": [
                (column, column.pattern.format(*(_display(entry, f) for f in column.fields)))
                for column in spec.columns
            ],
            "edit_url": reverse(
                "pledges:entry-edit", kwargs={"pk": plan.pk, "kind": kind, "entry_id": entry.pk}
            ),
            "delete_url": reverse(
                "pledges:entry-delete", kwargs={"pk": plan.pk, "kind": kind, "entry_id": entry.pk}
            ),
        }
        if editable and entry.pk == editing:
            form = bound or form_class(entry_id=entry.pk, initial=form_class.initial_from(entry), items=items)
            row["form"] = form
            row["form_cells"] = [(column, [form[f] for f in column.fields]) for column in spec.columns]
        rows.append(row)
    if editing is not None and not any("form" in row for row in rows):
        raise Http404
    add_form = None
    if editable:
        add_form = bound if bound is not None and bound.entry_id is None else form_class(items=items)
    return {
        "plan": plan,
        "kind": kind,
        "spec": spec,
        "rows": rows,
        "editable": editable,
        "add_form": add_form,
        "add_cells": [(column, [add_form[f] for f in column.fields]) for column in spec.columns]
        if add_form
        else [],
        "add_url": reverse("pledges:entry-add", kwargs={"pk": plan.pk, "kind": kind}),
        "status": status,
    }


def _tools(request: HttpRequest, plan: NationalPlan, version: PlanVersion) -> list[dict]:
    """The plan's downloads, upload and comparisons, each only where its own view lets this user
    in: the exports read the version this page shows; the upload and the diffs ask what their views
    ask; a diff needs a second plan version, year on year an earlier cycle's plan."""
    user = request.user

    def tool(name: str, label: str, route: str) -> dict:
        return {"name": name, "label": label, "url": reverse(f"pledges:{route}", kwargs={"pk": plan.pk})}

    tools = [
        tool("pdf", _("Download as PDF"), "plan-pdf"),
        tool("xlsx", _("Download as XLSX"), "plan-xlsx"),
    ]
    if may_upload_capacity(user, plan):
        tools.append(tool("capacity-upload", _("Upload capacity lines from XLSX"), "capacity-upload"))
    if may_compare(user):
        if version.number > 1:
            tools.append(tool("diff", _("Compare plan versions"), "plan-diff"))
        previous = selectors.plan_previous_get(user=user, plan=plan)
        if previous is not None:
            label = _("Compare with the %(year)s plan") % {"year": previous.cycle.year}
            tools.append(tool("diff-yoy", label, "plan-diff-yoy"))
    return tools


@require_GET
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_for(request, selectors.plan_list, pk, CHANGE)
    detail = _detail(request, plan)
    version = detail.version
    editable = _is_editable(plan, version)
    comments = detail.comments_by_section()
    sections = [
        {
            **_section_context(
                plan, s.commitment, _section_form(s), editable=editable, narrative=s.narrative
            ),
            "comments": comments.get(s.commitment, []),
        }
        for s in version.sections.all()
    ]
    context = {
        "plan": plan,
        "version": version,
        "editable": editable,
        "sections": sections,
        "plan_comments": comments.get(None, []),
        "entry_tables": [_entries_context(request, plan, version, kind) for kind in ENTRY_KINDS],
        "tools": _tools(request, plan, version),
        "late_note": late_note(plan),
        "today": timezone.localdate(),
        # Section 4 (multinational procurement): what the nation already takes part in.
        "joined_frameworks": list(
            procurement_selectors.framework_list(user=request.user)
            .filter(participations__nation=plan.nation)
            .prefetch_related(None)
            .distinct()
        ),
        "joined_programmes": list(
            procurement_selectors.programme_list(user=request.user)
            .filter(memberships__nation=plan.nation)
            .prefetch_related(None)
            .distinct()
        ),
    }
    return render(request, "pledges/editor/edit.html", context)


# --- Section saves ------------------------------------------------------------------------


@require_POST
def section_save(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    plan = get_for(request, selectors.plan_list, pk, CHANGE)
    if commitment not in Commitment.values:
        raise Http404
    version = selectors.plan_version_get(user=request.user, plan=plan)
    section = version.sections.filter(commitment=commitment).first() if version else None
    if section is None:
        raise Http404
    form = forms.SectionForm(request.POST, commitment=commitment)
    editable = _is_editable(plan, version)

    def respond(form, status: int = 200, *, keep_form: bool = False, **extra) -> HttpResponse:
        context = _section_context(plan, commitment, form, editable=editable or keep_form, **extra)
        return _fragment(request, "pledges/editor/_section.html", {"s": context, "plan": plan}, status)

    if not form.is_valid():
        return respond(form, 400)
    narrative = form.cleaned_data["narrative"]
    try:
        with scope_errors():
            saved = services.section_save(
                actor=request.user,
                section=section,
                narrative=narrative,
                expected_version=form.cleaned_data["version"],
            )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return respond(form, 400)
    except Conflict as exc:
        current = exc.detail.get("current")
        if current is None:  # the plan left the draft state, or a newer version exists
            # The form stays, read-only for the server, so the user's text is not lost.
            return respond(form, 409, keep_form=True, problem=exc.message)
        # Keep the user's own text in the box and move the form to the current version, so that
        # saving again (after merging by hand) succeeds; show the saved text beside it.
        merge_form = forms.SectionForm(
            commitment=commitment, initial={"narrative": narrative, "version": current["version"]}
        )
        since = current["version"] - form.cleaned_data["version"]
        conflict = {
            # The service's message counts in lock-counter "versions"; the editor counts saves.
            "message": ngettext(
                "Someone else saved this section after you opened it (%(n)d save since).",
                "Someone else saved this section after you opened it (%(n)d saves since).",
                since,
            )
            % {"n": since}
            if since > 0
            else _("Someone else saved this section after you opened it."),
            "current": current["narrative"],
            "save": save_number(current["version"]),
            "changed_by": ", ".join(exc.detail.get("changed_by", [])),
        }
        return respond(merge_form, 409, conflict=conflict)
    if not request.htmx:
        messages.success(request, _("Section %(n)s saved.") % {"n": commitment})
        return redirect(_plan_url(plan, f"section-{commitment}"))
    return respond(_section_form(saved), saved_at=timezone.now(), saved_save=save_number(saved.version))


# --- Entry tables -------------------------------------------------------------------------


def _entry_target(request: HttpRequest, pk: int, kind: str) -> NationalPlan:
    plan = get_for(request, selectors.plan_list, pk, CHANGE)
    if kind not in ENTRY_KINDS:
        raise Http404
    return plan


def _entries_fragment(request, plan, kind, *, status_code=200, **kwargs) -> HttpResponse:
    version = _detail(request, plan, review_comments=False).version
    context = _entries_context(request, plan, version, kind, **kwargs)
    return _fragment(request, "pledges/editor/_entries.html", context, status_code)


def _entry_write(request: HttpRequest, plan: NationalPlan, kind: str, entry_id: int | None) -> HttpResponse:
    model = ENTRY_KINDS[kind]
    form = forms.ENTRY_FORMS[model](request.POST, entry_id=entry_id, items=_items(request, model))
    noun = ENTRY_TABLES[model].noun
    status_code = 400
    if form.is_valid():
        try:
            with scope_errors():
                services.entry_save(
                    actor=request.user, plan=plan, kind=kind, fields=form.cleaned_data, entry_id=entry_id
                )
            status_code = 200
        except ValidationError as exc:
            if entry_id is not None and "entry" in getattr(exc, "error_dict", {}):
                raise Http404 from exc
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status_code = 409
    if status_code == 200:
        message = _("Added a %(noun)s.") if entry_id is None else _("Saved the %(noun)s.")
        if not request.htmx:
            messages.success(request, message % {"noun": noun})
            return redirect(_plan_url(plan, f"entries-{kind}"))
        return _entries_fragment(request, plan, kind, status=message % {"noun": noun})
    return _entries_fragment(request, plan, kind, status_code=status_code, editing=entry_id, bound=form)


@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """GET: the table as it is (the edit row's Cancel); POST: add a row."""
    plan = _entry_target(request, pk, kind)
    if request.method == "GET":
        return _entries_fragment(request, plan, kind)
    return _entry_write(request, plan, kind, None)


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int, kind: str, entry_id: int) -> HttpResponse:
    """GET: the table with this row open for editing; POST: save the row."""
    plan = _entry_target(request, pk, kind)
    if request.method == "GET":
        return _entries_fragment(request, plan, kind, editing=entry_id)
    return _entry_write(request, plan, kind, entry_id)


@require_POST
def entry_delete(request: HttpRequest, pk: int, kind: str, entry_id: int) -> HttpResponse:
    plan = _entry_target(request, pk, kind)
    noun = ENTRY_TABLES[ENTRY_KINDS[kind]].noun
    try:
        with scope_errors():
            services.entry_delete(actor=request.user, plan=plan, kind=kind, entry_id=entry_id)
    except ValidationError as exc:
        raise Http404 from exc
    except Conflict as exc:
        if not request.htmx:
            return _problem(request, plan, _("The row was not removed"), exc.message)
        return _entries_fragment(request, plan, kind, status_code=409, status=exc.message)
    if not request.htmx:
        messages.success(request, _("Removed the %(noun)s.") % {"noun": noun})
        return redirect(_plan_url(plan, f"entries-{kind}"))
    return _entries_fragment(request, plan, kind, status=_("Removed the %(noun)s.") % {"noun": noun})


# --- Submission ---------------------------------------------------------------------------


def _problem(request: HttpRequest, plan: NationalPlan, title: str, message: str, status: int = 409):
    return render(
        request,
        "pledges/editor/problem.html",
        {"plan": plan, "title": title, "message": message, "status": status},
        status=status,
    )


def _days_late(plan: NationalPlan, today: date) -> int:
    """How late a first submission today would be (0 on time; a resubmission is never late)."""
    if plan.first_submitted_at is not None:
        return 0
    return max((today - plan.cycle.due_date).days, 0)


def _submit_page(request, plan, detail, empty, form, *, problem: str = "", status: int = 200):
    return render(
        request,
        "pledges/editor/submit.html",
        {
            "plan": plan,
            "version": detail.version,
            "empty": [
                {"commitment": c, "label": label, "url": _plan_url(plan, f"section-{c}")}
                for c, label in empty
            ],
            "sections": len(detail.version.sections.all()),
            "confirm": forms.SubmitForm.confirmation(c for c, _label in empty),
            "form": form,
            "problem": problem,
            "days_late": _days_late(plan, timezone.localdate()),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the submission page, which lists the empty sections and asks to confirm them. POST:
    submit. A plan with empty sections is submitted only by a POST that confirms them (the page's
    button); any other POST brings the page back, with nothing submitted. A full plan goes straight
    through. The check is the editor's: the service submits whatever the draft holds."""
    plan = get_for(request, selectors.plan_list, pk, CHANGE)
    detail = _detail(request, plan, review_comments=False)
    if request.method == "GET":
        if not _is_editable(plan, detail.version):
            messages.info(
                request,
                _("The plan is %(status)s: there is nothing to submit.")
                % {"status": plan.get_status_display().lower()},
            )
            return redirect(_plan_url(plan))
        return _submit_page(request, plan, detail, detail.empty_sections(), forms.SubmitForm())
    form = forms.SubmitForm(request.POST)
    valid = form.is_valid()
    if plan.is_editable:  # otherwise the service's refusal says why
        empty = detail.empty_sections()
        if not valid or not form.confirms(c for c, _label in empty):
            problem = (
                _("The plan was not submitted: correct the note for the reviewer.")
                if "comment" in form.errors
                else _("The plan was not submitted: confirm below that it goes with these sections empty.")
            )
            return _submit_page(request, plan, detail, empty, form, problem=problem, status=400)
    try:
        with scope_errors():
            comment = form.cleaned_data["comment"] if valid else ""
            services.plan_submit(actor=request.user, plan=plan, comment=comment)
    except Conflict as exc:
        return _problem(request, plan, _("The plan was not submitted"), exc.message)
    messages.success(
        request,
        _("The %(year)s plan is submitted to the CNAD secretariat. Plan version %(n)s is now frozen.")
        % {"year": plan.cycle.year, "n": detail.version.number},
    )
    return redirect(_plan_url(plan))
