"""The secretariat's screens: the filing list with its chart, the review screen and its workflow
actions, and the diff pages (between two versions of a plan, and year on year).

Reads go through ``pledges.selectors`` (scoped to the user), writes through ``pledges.services``.
A plan the user may not see is a 404, like a missing one; a plan they may see but not review is a
403; a transition from the wrong state re-renders the page with the message and a 409.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pledges import selectors, services
from pledges.choices import FILING_STATES, Commitment, PlanStatus
from pledges.diff import VersionDiff, version_diff
from pledges.forms.review import SORT_KEYS, FilingFilter, ReturnForm
from pledges.models import (
    ENTRY_KINDS,
    CapacityLine,
    Investment,
    Measure,
    NationalPlan,
    PlanSection,
    ReviewComment,
)
from pledges.rules import REVIEW
from pledges.workspace import late_note
from portal.choices import NationKind
from portal.exceptions import Conflict
from portal.permissions import VIEW, may
from portal.selectors import nation_list
from portal.web import get_for, require, scope_errors

# --- The filing list ------------------------------------------------------------------------


def _sort_links(request: HttpRequest, current: str) -> dict[str, str]:
    """The query string each column header links to: ascending first, then descending."""
    links = {}
    for key in SORT_KEYS:
        query = request.GET.copy()
        query["sort"] = f"-{key}" if current == key else key
        links[key] = query.urlencode()
    return links


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, NationalPlan, REVIEW)
    cycles = list(selectors.cycle_list(user=user))
    form = FilingFilter(request.GET or None, cycles=cycles)
    context = {"form": form, "cycles": cycles, "cycle": None, "rows": [], "chart": None}
    if not cycles:
        return render(request, "pledges/review/list.html", context)
    if form.is_bound and not form.is_valid():
        return render(request, "pledges/review/list.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    year = data.get("cycle") or cycles[0].year
    cycle = next(c for c in cycles if c.year == year)
    rows = selectors.filing_rows(
        plans=selectors.plan_list(user=user).filter(cycle=cycle),
        allies=nation_list(user=user).filter(kind=NationKind.ALLY),
        cycle=cycle,
        today=timezone.localdate(),
    )
    counts = Counter(row.status for row in rows)
    status = data.get("status") or ""
    if status:
        rows = [row for row in rows if row.status == status]
    sort = data.get("sort") or "nation"
    key = sort.lstrip("-")
    rows.sort(key=lambda r: r.nation.name.lower())
    rows.sort(key=SORT_KEYS[key], reverse=sort.startswith("-"))
    context.update(
        cycle=cycle,
        rows=rows,
        sort=sort,
        sort_links=_sort_links(request, sort),
        status=status,
        total=sum(counts.values()),
        summary=[(key, label, counts.get(key, 0)) for key, label in FILING_STATES],
        chart={
            "title": _("Filing status, %(year)s") % {"year": cycle.year},
            "statuses": [key for key, _label in FILING_STATES],
            "labels": [str(label) for _key, label in FILING_STATES],
            "counts": [counts.get(key, 0) for key, _label in FILING_STATES],
        },
    )
    return render(request, "pledges/review/list.html", context)


# --- The review screen ----------------------------------------------------------------------


# What the review calls each entry kind, keyed on the model (pledges.models.ENTRY_KINDS).
KIND_LABELS = {
    CapacityLine: gettext_lazy("Capacity line"),
    Investment: gettext_lazy("Investment"),
    Measure: gettext_lazy("Measure"),
}


@dataclass
class ReviewSection:
    commitment: int
    title: str
    narrative: str
    entries: list[tuple[str, object]]
    comments: list[ReviewComment]
    field: forms.BoundField


def _review_sections(detail: selectors.PlanDetail, form: ReturnForm) -> list[ReviewSection]:
    narratives = {s.commitment: s.narrative for s in detail.version.sections.all()}
    entries = detail.entries_by_section()
    comments = detail.comments_by_section()
    return [
        ReviewSection(
            commitment=c.value,
            title=str(c.label),
            narrative=narratives.get(c.value, ""),
            entries=[(KIND_LABELS[type(entry)], entry) for entry in entries.get(c.value, [])],
            comments=comments.get(c.value, []),
            field=form[f"section_{c.value}"],
        )
        for c in Commitment
    ]


def _review_page(
    request: HttpRequest, plan: NationalPlan, *, form: ReturnForm | None = None, error: str = "", status=200
) -> HttpResponse:
    user = request.user
    form = form or ReturnForm()
    versions = selectors.plan_submitted_list(user=user, plan=plan)
    reviewed = versions[-1] if versions else None
    detail = reviewed and selectors.plan_detail_get(user=user, plan=plan, version=reviewed)
    may_review = may(user, NationalPlan, REVIEW)
    context = {
        "plan": plan,
        "form": form,
        "error": error,
        "reviewed": reviewed,
        "earlier": list(reversed(versions[:-1])),
        "sections": _review_sections(detail, form) if detail else [],
        "plan_comments": detail.comments_by_section().get(None, []) if detail else [],
        "may_start": may_review and plan.status == PlanStatus.SUBMITTED,
        "may_decide": may_review and plan.status == PlanStatus.IN_REVIEW,
        "may_diff": may_compare(user),
        # Year on year only links where there is an earlier plan to compare with.
        "previous_plan": selectors.plan_previous_get(user=user, plan=plan) if may_compare(user) else None,
        "late_note": late_note(plan),
    }
    return render(request, "pledges/review/review.html", context, status=status)


@require_GET
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_for(request, selectors.plan_list, pk)
    if not (may(request.user, NationalPlan, REVIEW) or may(request.user, PlanSection, VIEW)):
        raise PermissionDenied  # NSPA sees that a plan exists, and reads only its capacity lines
    return _review_page(request, plan)


def _transition(
    request: HttpRequest, pk: int, call: Callable[[NationalPlan, ReturnForm], object], done: str
) -> HttpResponse:
    """Run a workflow service on the plan: success redirects back to the review screen with a
    message; a refusal re-renders it with the reviewer's typed comments kept."""
    plan = get_for(request, selectors.plan_list, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Correct the comments below."))
        with scope_errors():
            call(plan, form)
    except ValidationError as exc:
        return _review_page(request, plan, form=form, error=" ".join(exc.messages), status=400)
    except Conflict as exc:
        return _review_page(
            request, get_for(request, selectors.plan_list, pk), form=form, error=exc.message, status=409
        )
    messages.success(request, done)
    return redirect("pledges:plan-review", pk=plan.pk)


@require_POST
def plan_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda plan, form: services.plan_start_review(actor=request.user, plan=plan),
        _("Review started: the plan is in review."),
    )


@require_POST
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda plan, form: services.plan_return(actor=request.user, plan=plan, comments=form.comments()),
        _("The plan was returned to its nation with your comments."),
    )


@require_POST
def plan_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda plan, form: services.plan_accept(
            actor=request.user, plan=plan, comment=form.cleaned_data["plan_comment"].strip()
        ),
        _("The plan was accepted."),
    )


# --- Diffs ----------------------------------------------------------------------------------


def _field_labels() -> dict[str, dict[str, str]]:
    return {
        kind: {name: capfirst(model._meta.get_field(name).verbose_name) for name in model.shown_fields}
        for kind, model in ENTRY_KINDS.items()
    }


def _entry_rows(diff: VersionDiff) -> list[dict]:
    """Entry diffs with readable field names; unchanged entries are left out."""
    labels = _field_labels()
    rows = []
    for entry in diff.changed_entries:
        names = labels[entry.kind]
        values = entry.new if entry.status == "added" else entry.old if entry.status == "removed" else None
        rows.append(
            {
                "kind": KIND_LABELS[ENTRY_KINDS[entry.kind]],
                "label": entry.label,
                "status": entry.status,
                "changes": [(names[c.field], c.old, c.new) for c in entry.changes],
                "values": [(names[k], v) for k, v in values.items() if v != ""] if values else [],
            }
        )
    return rows


def may_compare(user) -> bool:
    """Whether ``user`` may open the diffs of a plan they see (the editor asks before linking)."""
    return may(user, PlanSection, VIEW)  # NSPA may know the plan but not read its narrative


def _diffable_plan(request: HttpRequest, pk: int) -> NationalPlan:
    plan = get_for(request, selectors.plan_list, pk)
    if not may_compare(request.user):
        raise PermissionDenied
    return plan


def _diff_page(request, plan, *, diff=None, error="", status=200, **extra) -> HttpResponse:
    context = {
        "plan": plan,
        "diff": diff,
        "entry_rows": _entry_rows(diff) if diff else [],
        "unchanged_entries": sum(1 for e in diff.entries if e.status == "unchanged") if diff else 0,
        "error": error,
        **extra,
    }
    return render(request, "pledges/review/diff.html", context, status=status)


def _version_number(raw: str | None, numbers: list[int], name: str) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(
            _("“%(name)s” must be a version number, for example 1.") % {"name": name}
        ) from None
    if number not in numbers:
        raise ValidationError(
            _("There is no version %(number)s of this plan that you may see. Versions: %(list)s.")
            % {"number": number, "list": ", ".join(map(str, numbers)) or "—"}
        )
    return number


@require_GET
def plan_diff(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _diffable_plan(request, pk)
    versions = list(selectors.plan_version_list(user=user, plan=plan))
    numbers = [v.number for v in versions]
    extra = {"versions": versions, "yoy": False}
    if len(versions) < 2 and "from" not in request.GET and "to" not in request.GET:
        return _diff_page(
            request,
            plan,
            error=_("This plan has only one version you may see: nothing to compare yet."),
            **extra,
        )
    try:
        old_number = _version_number(
            request.GET.get("from", numbers[max(len(numbers) - 2, 0)]), numbers, "from"
        )
        new_number = _version_number(request.GET.get("to", numbers[-1]), numbers, "to")
    except ValidationError as exc:
        return _diff_page(request, plan, error=" ".join(exc.messages), status=400, **extra)
    by_number = {v.number: v for v in versions}
    old = selectors.plan_content_get(user=user, version_id=by_number[old_number].pk)
    new = selectors.plan_content_get(user=user, version_id=by_number[new_number].pk)
    return _diff_page(
        request,
        plan,
        diff=version_diff(old, new),
        old_label=_("Plan version %(n)s") % {"n": old_number},
        new_label=_("Plan version %(n)s") % {"n": new_number},
        old_number=old_number,
        new_number=new_number,
        **extra,
    )


@require_GET
def plan_diff_yoy(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _diffable_plan(request, pk)
    previous = selectors.plan_previous_get(user=user, plan=plan)
    extra = {"yoy": True, "previous": previous}
    if previous is None:
        return _diff_page(
            request,
            plan,
            error=_("%(nation)s has no earlier plan you may see to compare with.") % {"nation": plan.nation},
            **extra,
        )
    new = selectors.plan_version_get(user=user, plan=plan)
    old = selectors.plan_version_get(user=user, plan=previous)
    if new is None or old is None:
        return _diff_page(request, plan, error=_("One of the two plans has no version you may see."), **extra)
    new = selectors.plan_content_get(user=user, version_id=new.pk)
    old = selectors.plan_content_get(user=user, version_id=old.pk)
    return _diff_page(
        request,
        plan,
        diff=version_diff(old, new, year_on_year=True),
        old_label=_("%(year)s plan, version %(n)s") % {"year": previous.cycle.year, "n": old.number},
        new_label=_("%(year)s plan, version %(n)s") % {"year": plan.cycle.year, "n": new.number},
        **extra,
    )
