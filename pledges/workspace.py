"""The pledges' panels on the home page (portal.workspace): the nation's plan, the review queue,
the cycle's filing, and the nation's Defence Investment Pledge figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pledges import selectors
from pledges.choices import FILING_STATES, WITH_THE_NATION, Commitment, PlanStatus
from pledges.models import DipMetric, NationalPlan, ReviewComment
from pledges.rules import REVIEW
from pledges.selectors.filing import current_cycle, filing_rows, review_queue
from portal import workspace
from portal.choices import NationKind
from portal.formats import percent
from portal.permissions import ADD, VIEW, may, restrict
from portal.selectors import nation_list
from portal.workspace import DONE, LATE, Entry, Figure, Panel, capped, days_note, waited_note


def late_note(plan: NationalPlan) -> str:
    """ "submitted late, N days" for a plan first submitted after its cycle's due date."""
    if plan.first_submitted_at is None:
        return ""
    late = (plan.first_submitted_at.date() - plan.cycle.due_date).days
    if late <= 0:
        return ""
    return ngettext("submitted late, %(n)d day", "submitted late, %(n)d days", late) % {"n": late}


def plan_panel(user, today: dt.date) -> Panel | None:
    """The nation's plan for the current cycle: its state, due date, days left or overdue, and the
    secretariat's comments when it has been returned."""
    if not user.nation_id or not may(user, NationalPlan, ADD):
        return None
    cycle = current_cycle(selectors.cycle_list(user=user))
    panel = Panel("pledges.plan", _("Your nation's plan"), more_url=reverse("pledges:plan-home"))
    panel.more_label = _("All your plans")
    if cycle is None:
        panel.empty = _("No filing cycle is open yet.")
        return panel
    panel.title = _("Your nation's %(year)s plan") % {"year": cycle.year}
    plan = selectors.plan_list(user=user).filter(cycle=cycle, nation=user.nation_id).first()
    if plan is None:
        note, tone = days_note(cycle.due_date, today)
        panel.entries.append(
            Entry(_("Not started"), reverse("pledges:plan-home"), cycle.due_date, note, tone)
        )
        return panel
    with_nation = plan.status in WITH_THE_NATION or plan.status == PlanStatus.DRAFT
    note, tone = days_note(cycle.due_date, today) if with_nation else (late_note(plan), "")
    if plan.status == PlanStatus.ACCEPTED:
        tone = DONE
    panel.entries.append(
        Entry(
            plan.get_status_display(),
            reverse("pledges:plan-edit", args=[plan.pk]),
            cycle.due_date,
            note,
            tone,
        )
    )
    if plan.status == PlanStatus.RETURNED:
        # The comments of the version that was returned: the newest submitted one.
        comments = list(
            restrict(
                ReviewComment.objects.filter(plan_version__plan=plan, plan_version__frozen=True), user, VIEW
            )
            .order_by("-plan_version__number", F("commitment").asc(nulls_first=True), "pk")
            .values("plan_version__number", "commitment", "text")[: workspace.LIMIT * 4]
        )
        newest = comments[0]["plan_version__number"] if comments else None
        url = reverse("pledges:plan-edit", args=[plan.pk])
        for comment in [c for c in comments if c["plan_version__number"] == newest][: workspace.LIMIT]:
            where = Commitment(comment["commitment"]).label if comment["commitment"] else _("Whole plan")
            panel.entries.append(
                Entry(_("Comment: %(where)s") % {"where": where}, url, detail=comment["text"])
            )
    return panel


def review_panel(user, today: dt.date) -> Panel | None:
    """Plans awaiting review, and how long each has waited."""
    if not may(user, NationalPlan, REVIEW):
        return None
    plans, more = capped(review_queue(user=user))
    entries = []
    for plan in plans:
        since = (plan.submitted_at or plan.updated_at).date()
        entries.append(
            Entry(
                _("%(nation)s, %(year)s plan: %(status)s")
                % {"nation": plan.nation.name, "year": plan.cycle.year, "status": plan.get_status_display()},
                reverse("pledges:plan-review", args=[plan.pk]),
                since,
                waited_note(since, today),
                LATE if (today - since).days > 30 else "",
            )
        )
    return Panel(
        "pledges.review",
        _("Plans awaiting review"),
        entries,
        more_url=reverse("pledges:plan-list"),
        more=more,
        empty=_("No plan is waiting for review."),
        more_label=_("The filing list"),
    )


def filing_panel(user, today: dt.date) -> Panel | None:
    """The current cycle's filing overview (a count per state) and the plans overdue in it."""
    if not may(user, NationalPlan, REVIEW):
        return None
    cycle = current_cycle(selectors.cycle_list(user=user))
    if cycle is None:
        return Panel("pledges.filing", _("Filing"), empty=_("No filing cycle is open yet."))
    rows = filing_rows(
        plans=selectors.plan_list(user=user).filter(cycle=cycle),
        allies=nation_list(user=user).filter(kind=NationKind.ALLY),
        cycle=cycle,
        today=today,
    )
    counts = Counter(row.status for row in rows)
    base = reverse("pledges:plan-list")
    figures = [
        Figure(
            str(label), str(counts.get(key, 0)), f"{base}?{urlencode({'cycle': cycle.year, 'status': key})}"
        )
        for key, label in FILING_STATES
    ]
    overdue = sorted((r for r in rows if r.days_overdue), key=lambda r: (-r.days_overdue, r.nation.name))
    entries = [
        Entry(
            _("%(nation)s: %(status)s") % {"nation": row.nation.name, "status": row.status_label},
            reverse("pledges:plan-review", args=[row.plan.pk]) if row.plan else f"{base}?cycle={cycle.year}",
            row.due_date,
            *days_note(row.due_date, today),
        )
        for row in overdue[: workspace.LIMIT]
    ]
    return Panel(
        "pledges.filing",
        _("Filing for %(year)s, due %(date)s") % {"year": cycle.year, "date": _date(cycle.due_date)},
        entries,
        figures,
        more_url=f"{base}?{urlencode({'cycle': cycle.year, 'sort': '-overdue'})}",
        more=len(overdue) > workspace.LIMIT,
        more_label=_("The filing list"),
    )


def _date(value: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


def dip_panel(user, today: dt.date) -> Panel | None:
    """The nation's 2% and 20% figures and the path to 3.5% core defence spending in 2035, from
    the default dataset's latest year."""
    if not user.nation_id or not may(user, DipMetric, VIEW):
        return None
    url = reverse("pledges:dip-nation", args=[user.nation.code])
    panel = Panel(
        "pledges.dip", _("Defence Investment Pledge"), more_url=url, more_label=_("Your nation's figures")
    )
    panel.empty = _("No figures have been published for your nation yet.")
    dataset = selectors.dataset_default_get(user=user)
    if dataset is None:
        return panel
    metric = (
        selectors.metric_list(user=user)
        .filter(dataset=dataset, nation=user.nation_id)
        .order_by("-year")
        .first()
    )
    if metric is None:
        return panel
    year = _("%(year)s (estimate)") % {"year": metric.year} if metric.is_estimate else str(metric.year)
    panel.title = _("Defence Investment Pledge, %(year)s") % {"year": year}

    def tone(meets):
        return "" if meets is None else (DONE if meets else LATE)

    panel.figures = [
        Figure(
            _("Defence spending, % of GDP (pledge: 2%)"),
            percent(metric.pct_gdp) or "—",
            url,
            tone(metric.meets_2pct),
        ),
        Figure(
            _("Major equipment, % of defence spending (pledge: 20%)"),
            percent(metric.equipment_pct) or "—",
            url,
            tone(metric.meets_20pct),
        ),
    ]
    if metric.path_pct is not None:
        panel.figures.append(
            Figure(
                _("Core defence, %% of GDP, against the path to 3.5%% in 2035 (%(path)s this year)")
                % {"path": percent(metric.path_pct)},
                percent(metric.hague_core_pct) or "—",
                url,
                tone(metric.on_track),
            )
        )
    return panel


def register_panels() -> None:
    workspace.register("pledges.plan", plan_panel)
    workspace.register("pledges.review", review_panel)
    workspace.register("pledges.filing", filing_panel)
    workspace.register("pledges.dip", dip_panel)
