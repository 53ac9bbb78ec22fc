"""The pledges API's rows in the URL matrix (see tests/test_url_matrix.py).

The matrix director is Poland's. ``api_plan`` is Poland's submitted plan: its nation, the
secretariat, NSPA and admins see it; others get the 404 of a plan that does not exist.
``api_plan_in_review`` is Germany's plan, in review. Writes: a role without the grant gets 403
before anything is read; those with it get what the plan's state or the empty body earns (409 or
400). Cycle years 2092 to 2094 and 2097 are this module's own (contexts of all modules share one database).
"""

from __future__ import annotations

import datetime as dt

from pledges import services
from pledges.models import PlanCycle
from portal.models import Nation
from portal.tests.factories import UserFactory
from tests.matrix import ROLES, Row

LIST = {"anonymous": 401, **dict.fromkeys(ROLES, 200)}
CYCLE = {**LIST, "partner": 404, "no_role": 404}
SUBMITTED_PLAN = {
    "anonymous": 401,
    **dict.fromkeys(ROLES, 404),
    **dict.fromkeys(["director", "nspa", "secretariat", "superuser"], 200),
    "director_other": 404,
}
# The nation's edits (director's grant); the plan is submitted, so the edit itself is a 409.
DIRECTOR_WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403), "director": 409, "superuser": 409,
                  "director_other": 404}  # fmt: skip
# An empty body is a 400 for those with the grant.
DIRECTOR_WRITE_EMPTY = {**DIRECTOR_WRITE, "director": 400, "superuser": 400}
REVIEW_WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403), "secretariat": 409, "superuser": 409,
                "director_other": 403}  # fmt: skip
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


ROWS = [
    Row("pledges-api:cycle-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    # The secretariat opens cycles.
    Row("pledges-api:cycle-list", "POST", {**REVIEW_WRITE_EMPTY, "director_other": 403}),
    Row(
        "pledges-api:cycle-list",
        "POST",
        {**REVIEW_WRITE, "secretariat": 201, "superuser": 201, "director_other": 403},
        data={"year": 2097, "due_date": "2097-06-30"},
        variant="valid",
        audit=True,
    ),
    Row(
        "pledges-api:cycle-detail",
        "GET",
        CYCLE,
        kwargs=lambda ctx: {"year": 2093},
        queries={"director": 3, "nspa": 3},
    ),
    Row("pledges-api:plan-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    # A director starts their own nation's plan; a superuser has no nation to start one for.
    Row("pledges-api:plan-list", "POST", {**DIRECTOR_WRITE_EMPTY, "director_other": 400}),
    Row(
        "pledges-api:plan-list",
        "POST",
        {**DIRECTOR_WRITE, "director": 201, "superuser": 403, "director_other": 201},
        data={"cycle": 2094},
        variant="valid",
        audit="plan.started",
    ),
    Row(
        "pledges-api:plan-detail",
        "GET",
        SUBMITTED_PLAN,
        kwargs=_plan("api_plan"),
        queries={"director": 11, "nspa": 7},
    ),
    Row(
        "pledges-api:plan-versions",
        "GET",
        SUBMITTED_PLAN,
        kwargs=_plan("api_plan"),
        queries={"director": 4, "nspa": 4},
    ),
    Row("pledges-api:plan-diff", "GET", DIFF, kwargs=_plan("api_plan")),
    Row(
        "pledges-api:plan-diff-previous-cycle",
        "GET",
        DIFF_PREVIOUS,
        kwargs=_plan("api_plan"),
        queries={"director": 18},
    ),
    Row(
        "pledges-api:plan-section",
        "PATCH",
        DIRECTOR_WRITE_EMPTY,
        kwargs=lambda ctx: {"pk": ctx["api_plan"].pk, "commitment": 1},
    ),
    Row("pledges-api:plan-entries-capacityline", "POST", DIRECTOR_WRITE_EMPTY, kwargs=_plan("api_plan")),
    Row("pledges-api:plan-entries-investment", "POST", DIRECTOR_WRITE_EMPTY, kwargs=_plan("api_plan")),
    Row("pledges-api:plan-entries-measure", "POST", DIRECTOR_WRITE_EMPTY, kwargs=_plan("api_plan")),
    Row("pledges-api:plan-entry-capacityline", "PATCH", DIRECTOR_WRITE, kwargs=_entry("capacityline")),
    Row("pledges-api:plan-entry-investment", "PATCH", DIRECTOR_WRITE, kwargs=_entry("investment")),
    Row("pledges-api:plan-entry-measure", "PATCH", DIRECTOR_WRITE, kwargs=_entry("measure")),
    *[
        Row(f"pledges-api:plan-entry-{kind}", "DELETE", DIRECTOR_WRITE, kwargs=_entry(kind))
        for kind in ("capacityline", "investment", "measure")
    ],
    Row("pledges-api:plan-submit", "POST", DIRECTOR_WRITE, kwargs=_plan("api_plan")),
    Row("pledges-api:plan-start-review", "POST", REVIEW_WRITE, kwargs=_plan("api_plan_in_review")),
    Row("pledges-api:plan-return", "POST", REVIEW_WRITE_EMPTY, kwargs=_plan("api_plan")),
    Row("pledges-api:plan-accept", "POST", REVIEW_WRITE, kwargs=_plan("api_plan")),
]


def build_context(users_by_role) -> dict:
    from procurement.tests.factories import ItemFactory

    director, secretariat = users_by_role["director"], users_by_role["secretariat"]
    earlier = PlanCycle.objects.create(year=2092, due_date=dt.date(2092, 6, 30))
    services.plan_submit(
        actor=director, plan=services.plan_start(actor=director, nation=director.nation, cycle=earlier)
    )
    cycle = PlanCycle.objects.create(year=2093, due_date=dt.date(2093, 6, 30))
    PlanCycle.objects.create(year=2094, due_date=dt.date(2094, 6, 30))  # for the plans the API starts
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


def grow(context) -> None:
    """Another cycle and plan to list; around Poland's plan, a review round: returned with
    comments and submitted again, so one more version and more comments."""
    director, secretariat = context["users"]["director"], context["users"]["secretariat"]
    cycle = PlanCycle.objects.create(year=2098, due_date=dt.date(2098, 6, 30))
    services.plan_submit(
        actor=director, plan=services.plan_start(actor=director, nation=director.nation, cycle=cycle)
    )
    plan = context["api_plan"]
    services.plan_start_review(actor=secretariat, plan=plan)
    plan.refresh_from_db()
    comments = [services.CommentInput("Matrix: more detail.", commitment=n) for n in (1, 2, 3)]
    services.plan_return(actor=secretariat, plan=plan, comments=comments)
    plan.refresh_from_db()
    services.plan_submit(actor=director, plan=plan)
    plan.refresh_from_db()
