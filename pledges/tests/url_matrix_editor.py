"""Rows of the URL matrix for the director's plan editor (see tests/test_url_matrix.py).

The plan is a draft of Poland's, the matrix director's nation: nobody else may see it (404), not
even the secretariat; the plan list is the directors' (403 for other roles). The submission row
comes last, since it freezes the plan for the director and the superuser.
"""

import datetime as dt

from pledges import services
from pledges.models import PlanCycle
from procurement.tests.factories import ItemFactory
from tests.matrix import ROLES, Row


def statuses(ok: int, denied: int, *, superuser: int | None = None, other: int | None = None) -> dict:
    """``ok`` for the director, ``denied`` for every other role and for France's director (unless
    ``other``); a login redirect for anonymous."""
    return {
        "anonymous": 302,
        **dict.fromkeys(ROLES, denied),
        "director": ok,
        "superuser": ok if superuser is None else superuser,
        "director_other": denied if other is None else other,
    }


def plan_kwargs(ctx):
    return {"pk": ctx["editor_plan"].pk}


def entry_kwargs(key):
    return lambda ctx: {"pk": ctx["editor_plan"].pk, "kind": "capacityline", "entry_id": ctx[key].pk}


ROWS = [
    Row("pledges:plan-home", "GET", statuses(200, 403, other=200), queries={"director": 5}),
    # A superuser has no nation to start a plan for.
    Row(
        "pledges:plan-start",
        "POST",
        statuses(302, 403, superuser=403, other=302),
        audit="plan.started",
        kwargs=lambda ctx: {"cycle_pk": ctx["editor_open_cycle"].pk},
    ),
    Row("pledges:plan-edit", "GET", statuses(200, 404), kwargs=plan_kwargs, queries={"director": 15}),
    # An empty section form is invalid (no version): 400, nothing written.
    Row(
        "pledges:section-save",
        "POST",
        statuses(400, 404),
        kwargs=lambda ctx: {"pk": ctx["editor_plan"].pk, "commitment": 1},
    ),
    Row(
        "pledges:entry-add",
        "GET",
        statuses(200, 404),
        kwargs=lambda ctx: {"pk": ctx["editor_plan"].pk, "kind": "capacityline"},
        queries={"director": 12},
    ),
    Row(
        "pledges:entry-edit",
        "GET",
        statuses(200, 404),
        kwargs=entry_kwargs("editor_line"),
        queries={"director": 13},
    ),
    # An empty entry form is invalid: 400, nothing written.
    Row(
        "pledges:entry-add",
        "POST",
        statuses(400, 404),
        kwargs=lambda ctx: {"pk": ctx["editor_plan"].pk, "kind": "capacityline"},
    ),
    Row("pledges:entry-edit", "POST", statuses(400, 404), kwargs=entry_kwargs("editor_line")),
    # Without htmx a removal redirects back to the table.
    Row(
        "pledges:entry-delete",
        "POST",
        statuses(302, 404),
        kwargs=entry_kwargs("editor_line_to_delete"),
        audit="delete",
    ),
    # The submission page lists the empty sections; a POST that does not confirm them (this plan
    # has eight) brings the page back and submits nothing; the page's confirmation submits.
    Row("pledges:plan-submit", "GET", statuses(200, 404), kwargs=plan_kwargs, queries={"director": 11}),
    Row(
        "pledges:plan-submit",
        "POST",
        statuses(400, 404),
        kwargs=plan_kwargs,
        variant="unconfirmed",
        audit=False,  # nothing is submitted
    ),
    Row(
        "pledges:plan-submit",
        "POST",
        statuses(302, 404),
        kwargs=plan_kwargs,
        data={"confirm": "1,2,3,4,5,6,7,8,9"},
        variant="confirmed",
        audit="plan.submitted",
    ),
]


def build_context(users_by_role) -> dict:
    director = users_by_role["director"]
    cycle = PlanCycle.objects.create(year=2081, due_date=dt.date(2081, 6, 30))
    open_cycle = PlanCycle.objects.create(year=2082, due_date=dt.date(2082, 6, 30))
    plan = services.plan_start(actor=director, nation=director.nation, cycle=cycle)
    item = ItemFactory(code="editor-matrix-155", name="Editor matrix 155mm round")
    lines = [
        services.entry_save(
            actor=director,
            plan=plan,
            kind="capacityline",
            fields={
                "item": item,
                "site": site,
                "commitment": 3,
                "baseline_output": 1000,
                "baseline_year": 2023,
                "current_output": 2000,
                "target_output": 5000,
                "target_year": 2027,
                "surge_capacity": 0,
                "lead_time_months": 12,
            },
        )
        for site in ("Editor matrix site", "Editor matrix site to delete")
    ]
    return {
        "editor_plan": plan,
        "editor_open_cycle": open_cycle,
        "editor_line": lines[0],
        "editor_line_to_delete": lines[1],
    }


def grow(context) -> None:
    """More lines on the draft, and another cycle with a plan of Poland's."""
    director = context["users"]["director"]
    plan = context["editor_plan"]
    for n in range(3):
        services.entry_save(
            actor=director, plan=plan, kind="capacityline",
            fields={
                "item": ItemFactory(), "site": f"Grown site {n}", "commitment": 3, "baseline_output": 1,
                "baseline_year": 2023, "current_output": 1, "target_output": 2, "target_year": 2027,
                "surge_capacity": 0, "lead_time_months": 12,
            },
        )  # fmt: skip
    cycle = PlanCycle.objects.create(year=2083, due_date=dt.date(2083, 6, 30))
    services.plan_start(actor=director, nation=director.nation, cycle=cycle)
