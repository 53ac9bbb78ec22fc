"""Rows of the URL matrix for the director's plan editor (see tests/test_url_matrix.py).

The plan is a draft of Poland's, the matrix director's nation: nobody else may see it (404), not
even the secretariat; the plan list is the directors' (403 for other roles). The submission row
comes last, since it freezes the plan for the director and the superuser.
"""

import datetime as dt

from pledges import services
from pledges.models import PlanCycle
from procurement.tests.factories import ItemFactory

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]


def statuses(ok: int, denied: int, *, superuser: int | None = None) -> dict:
    """``ok`` for the director, ``denied`` for every other role; a login redirect for anonymous."""
    return {
        "anonymous": 302,
        **dict.fromkeys(ROLES, denied),
        "director": ok,
        "superuser": ok if superuser is None else superuser,
    }


def plan_kwargs(ctx):
    return {"pk": ctx["editor_plan"].pk}


def entry_kwargs(key):
    return lambda ctx: {"pk": ctx["editor_plan"].pk, "kind": "capacityline", "entry_id": ctx[key].pk}


MATRIX = {
    "pledges:plan-home": (None, "get", statuses(200, 403)),
    # A superuser has no nation to start a plan for.
    "pledges:plan-start": (
        lambda ctx: {"cycle_pk": ctx["editor_open_cycle"].pk},
        "post",
        statuses(302, 403, superuser=403),
    ),
    "pledges:plan-edit": (plan_kwargs, "get", statuses(200, 404)),
    # An empty section form is invalid (no version): 400, nothing written.
    "pledges:section-save": (
        lambda ctx: {"pk": ctx["editor_plan"].pk, "commitment": 1},
        "post",
        statuses(400, 404),
    ),
    "pledges:entry-add": (
        lambda ctx: {"pk": ctx["editor_plan"].pk, "kind": "capacityline"},
        "get",
        statuses(200, 404),
    ),
    "pledges:entry-edit": (entry_kwargs("editor_line"), "get", statuses(200, 404)),
    # Without htmx a removal redirects back to the table.
    "pledges:entry-delete": (entry_kwargs("editor_line_to_delete"), "post", statuses(302, 404)),
    "pledges:plan-submit": (plan_kwargs, "post", statuses(302, 404)),
}


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
