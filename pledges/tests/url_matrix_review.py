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

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]


def statuses(ok: set[str], denied: int = 403, **others: int) -> dict:
    return {
        "anonymous": 302,
        **{role: 200 if role in ok or role == "superuser" else denied for role in ROLES},
        **others,
    }


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


UNSEEN = {"board_member": 404, "partner": 404, "no_role": 404}
ACTION = {
    "anonymous": 302,
    "director": 403,
    "nspa": 403,
    "secretariat": 302,
    "superuser": 302,
    **UNSEEN,
}

MATRIX = {
    "pledges:plan-list": (None, "get", statuses({"secretariat"})),
    "pledges:plan-review": (pk("review_plan"), "get", statuses({"secretariat", "director"}, **UNSEEN)),
    "pledges:plan-diff": (pk("review_plan"), "get", statuses({"secretariat", "director"}, **UNSEEN)),
    "pledges:plan-diff-yoy": (pk("review_plan"), "get", statuses({"secretariat", "director"}, **UNSEEN)),
    "pledges:plan-start-review": (pk("review_submitted"), "post", ACTION),
    # Returning with no comment: refused with the message (400) for those who may review.
    "pledges:plan-return": (pk("review_in_review"), "post", {**ACTION, "secretariat": 400, "superuser": 400}),
    "pledges:plan-accept": (pk("review_to_accept"), "post", ACTION),
}


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
