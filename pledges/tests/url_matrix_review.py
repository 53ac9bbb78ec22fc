"""Rows of the URL matrix for the secretariat's plan screens and the diff pages.

Every plan is Poland's (the matrix director's nation), in cycles of its own (2071-2075) so that
other modules' contexts cannot collide with them. Each workflow action gets its own plan, in the
state the action needs: the secretariat and the superuser succeed (302), the director and NSPA
may see the plan but not review it (403), everybody else cannot see it (404).
"""

import datetime as dt

from pledges import services
from pledges.models import PlanCycle
from pledges.services import CommentInput
from portal.models import Nation
from tests.matrix import Exempt, Row
from tests.matrix import allowed as statuses


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


UNSEEN = {"board_member": 404, "partner": 404, "no_role": 404, "director_other": 404}
ACTION = {
    "anonymous": 302,
    "director": 403,
    "nspa": 403,
    "secretariat": 302,
    "superuser": 302,
    **UNSEEN,
}

ROWS = [
    Row(
        "pledges:plan-list",
        "GET",
        statuses({"secretariat"}),
        queries=Exempt("pinned at two sizes in pledges/tests/test_review.py"),
    ),
    Row(
        "pledges:plan-review",
        "GET",
        statuses({"secretariat", "director"}, **UNSEEN),
        kwargs=pk("review_plan"),
        queries=Exempt("pinned at two sizes in pledges/tests/test_review.py"),
    ),
    Row(
        "pledges:plan-diff",
        "GET",
        statuses({"secretariat", "director"}, **UNSEEN),
        kwargs=pk("review_plan"),
        queries=Exempt("pinned at two sizes in pledges/tests/test_review.py"),
    ),
    Row(
        "pledges:plan-diff-yoy",
        "GET",
        statuses({"secretariat", "director"}, **UNSEEN),
        kwargs=pk("review_plan"),
        queries=Exempt("not pinned yet (reported): needs two cycles of plans that grow"),
    ),
    Row(
        "pledges:plan-start-review",
        "POST",
        ACTION,
        kwargs=pk("review_submitted"),
        audit="plan.review_started",
    ),
    # Returning with no comment: refused with the message (400) for those who may review.
    Row(
        "pledges:plan-return",
        "POST",
        {**ACTION, "secretariat": 400, "superuser": 400},
        kwargs=pk("review_in_review"),
    ),
    Row("pledges:plan-accept", "POST", ACTION, kwargs=pk("review_to_accept"), audit="plan.accepted"),
]


def build_context(users_by_role) -> dict:
    director = users_by_role["director"]
    secretariat = users_by_role["secretariat"]
    poland = Nation.objects.get(code="POL")

    def plan(year: int, *, review: bool = False, resubmit: bool = False):
        cycle, _ = PlanCycle.objects.get_or_create(year=year, defaults={"due_date": dt.date(year, 6, 30)})
        plan = services.plan_start(actor=director, nation=poland, cycle=cycle)
        services.plan_submit(actor=director, plan=plan)
        if review or resubmit:
            services.plan_start_review(actor=secretariat, plan=plan)
        if resubmit:
            services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("Matrix comment.")])
            plan.refresh_from_db()
            services.plan_submit(actor=director, plan=plan)
        plan.refresh_from_db()
        return plan

    plan(2071)
    return {
        "review_plan": plan(2072, resubmit=True),
        "review_submitted": plan(2073),
        "review_in_review": plan(2074, review=True),
        "review_to_accept": plan(2075, review=True),
    }
