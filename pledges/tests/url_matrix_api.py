"""The pledges API's rows in the URL matrix (see tests/test_url_matrix.py).

The matrix director is Poland's. ``api_plan`` is Poland's submitted plan: its nation, the
secretariat, NSPA and admins see it; others get the 404 of a plan that does not exist.
``api_plan_in_review`` is Germany's plan, in review. Writes: a role without the grant gets 403
before anything is read; those with it get what the plan's state or the empty body earns (409 or
400). Cycle years 2092 and 2093 are this module's own (contexts of all modules share one database).
"""

from __future__ import annotations

import datetime as dt

from pledges import services
from pledges.models import PlanCycle
from portal.models import Nation
from portal.tests.factories import UserFactory

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

LIST = {"anonymous": 401, **dict.fromkeys(ROLES, 200)}
CYCLE = {**LIST, "partner": 404, "no_role": 404}
SUBMITTED_PLAN = {
    "anonymous": 401,
    **dict.fromkeys(ROLES, 404),
    **dict.fromkeys(["director", "nspa", "secretariat", "superuser"], 200),
}
# The nation's edits (director's grant); the plan is submitted, so the edit itself is a 409.
DIRECTOR_WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403), "director": 409, "superuser": 409}
# An empty body is a 400 for those with the grant.
DIRECTOR_WRITE_EMPTY = {**DIRECTOR_WRITE, "director": 400, "superuser": 400}
REVIEW_WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403), "secretariat": 409, "superuser": 409}
REVIEW_WRITE_EMPTY = {**REVIEW_WRITE, "secretariat": 400, "superuser": 400}
# ``diff`` needs ``?from=&to=``: without them it is a 400 for those who see the plan.
# NSPA may see a submitted plan but not read its narrative, so not compare versions: 403.
DIFF = {**SUBMITTED_PLAN, **{who: 400 for who, code in SUBMITTED_PLAN.items() if code == 200}, "nspa": 403}
# Against Poland's submitted plan of 2092.
DIFF_PREVIOUS = {**SUBMITTED_PLAN, "nspa": 403}


def _plan(name):
    return lambda ctx: {"pk": ctx[name].pk}


def _entry(kind):
    return lambda ctx: {"pk": ctx["api_plan"].pk, "entry_id": ctx[f"api_{kind}"].pk}


MATRIX = {
    "pledges-api:cycle-list": (None, "get", LIST),
    "pledges-api:cycle-detail": (lambda ctx: {"year": 2093}, "get", CYCLE),
    "pledges-api:plan-list": (None, "get", LIST),
    "pledges-api:plan-detail": (_plan("api_plan"), "get", SUBMITTED_PLAN),
    "pledges-api:plan-versions": (_plan("api_plan"), "get", SUBMITTED_PLAN),
    "pledges-api:plan-diff": (_plan("api_plan"), "get", DIFF),
    "pledges-api:plan-diff-previous-cycle": (_plan("api_plan"), "get", DIFF_PREVIOUS),
    "pledges-api:plan-section": (
        lambda ctx: {"pk": ctx["api_plan"].pk, "commitment": 1},
        "patch",
        DIRECTOR_WRITE_EMPTY,
    ),
    "pledges-api:plan-entries-capacityline": (_plan("api_plan"), "post", DIRECTOR_WRITE_EMPTY),
    "pledges-api:plan-entries-investment": (_plan("api_plan"), "post", DIRECTOR_WRITE_EMPTY),
    "pledges-api:plan-entries-measure": (_plan("api_plan"), "post", DIRECTOR_WRITE_EMPTY),
    "pledges-api:plan-entry-capacityline": (_entry("capacityline"), "patch", DIRECTOR_WRITE),
    "pledges-api:plan-entry-investment": (_entry("investment"), "patch", DIRECTOR_WRITE),
    "pledges-api:plan-entry-measure": (_entry("measure"), "patch", DIRECTOR_WRITE),
    "pledges-api:plan-submit": (_plan("api_plan"), "post", DIRECTOR_WRITE),
    "pledges-api:plan-start-review": (_plan("api_plan_in_review"), "post", REVIEW_WRITE),
    "pledges-api:plan-return": (_plan("api_plan"), "post", REVIEW_WRITE_EMPTY),
    "pledges-api:plan-accept": (_plan("api_plan"), "post", REVIEW_WRITE),
}


def build_context(users_by_role) -> dict:
    from procurement.tests.factories import ItemFactory

    director, secretariat = users_by_role["director"], users_by_role["secretariat"]
    earlier = PlanCycle.objects.create(year=2092, due_date=dt.date(2092, 6, 30))
    services.plan_submit(
        actor=director, plan=services.plan_start(actor=director, nation=director.nation, cycle=earlier)
    )
    cycle = PlanCycle.objects.create(year=2093, due_date=dt.date(2093, 6, 30))
    plan = services.plan_start(actor=director, nation=director.nation, cycle=cycle)
    entries = {
        "capacityline": {
            "item": ItemFactory(), "commitment": 3, "site": "Matrix works", "baseline_output": 1,
            "baseline_year": 2024, "current_output": 1, "target_output": 2, "target_year": 2026,
            "lead_time_months": 12,
        },
        "investment": {
            "commitment": 3, "description": "Matrix line", "kind": "new", "value": 1, "currency": "EUR",
            "year": 2025,
        },
        "measure": {"commitment": 1, "title": "Matrix measure"},
    }  # fmt: skip
    context = {
        f"api_{kind}": services.entry_save(actor=director, plan=plan, kind=kind, fields=fields)
        for kind, fields in entries.items()
    }
    services.plan_submit(actor=director, plan=plan)
    german = UserFactory(role="director", nation=Nation.objects.get(code="DEU"), username="pc_matrix_deu")
    in_review = services.plan_start(actor=german, nation=german.nation, cycle=cycle)
    services.plan_submit(actor=german, plan=in_review)
    services.plan_start_review(actor=secretariat, plan=in_review)
    return {**context, "api_plan": plan, "api_plan_in_review": in_review}
