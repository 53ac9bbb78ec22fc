"""Pledges' rows in the authorization matrix.

Drafts (and a returned plan's new draft version) are their nation's alone: the secretariat and
NSPA see only frozen, submitted versions, never the version being revised.
"""

from pledges import models as m
from portal.choices import Role
from portal.permissions import ADD, ALL, CHANGE, VIEW, Scope, own_nation, register

SUBMIT, REVIEW = "submit", "review"


def submitted_only(path: str) -> Scope:
    return Scope("submitted", lambda qs, user: qs.filter(**{path: True}))


def register_rules() -> None:
    register(
        m.PlanCycle,
        {
            VIEW: {r: ALL for r in Role.values if r != Role.PARTNER},
            ADD: {Role.SECRETARIAT: ALL},
            CHANGE: {Role.SECRETARIAT: ALL},
        },
    )
    seen_once_submitted = Scope("submitted", lambda qs, user: qs.filter(first_submitted_at__isnull=False))
    register(
        m.NationalPlan,
        {
            VIEW: {
                Role.DIRECTOR: own_nation(),
                Role.SECRETARIAT: seen_once_submitted,
                Role.NSPA: seen_once_submitted,
            },
            ADD: {Role.DIRECTOR: own_nation()},
            CHANGE: {Role.DIRECTOR: own_nation()},
            SUBMIT: {Role.DIRECTOR: own_nation()},
            REVIEW: {Role.SECRETARIAT: seen_once_submitted},
        },
    )
    register(
        m.PlanVersion,
        {
            VIEW: {
                Role.DIRECTOR: own_nation("plan__nation"),
                **dict.fromkeys((Role.SECRETARIAT, Role.NSPA), submitted_only("frozen")),
            }
        },
    )
    for model in (m.PlanSection, m.Investment, m.Measure):
        register(
            model,
            {
                VIEW: {
                    Role.DIRECTOR: own_nation("plan_version__plan__nation"),
                    Role.SECRETARIAT: submitted_only("plan_version__frozen"),
                },
                CHANGE: {Role.DIRECTOR: own_nation("plan_version__plan__nation")},
            },
        )
    register(
        m.CapacityLine,
        {
            VIEW: {
                Role.DIRECTOR: own_nation("plan_version__plan__nation"),
                Role.SECRETARIAT: submitted_only("plan_version__frozen"),
                # NSPA reads submitted plans' capacity lines (capacity against demand).
                Role.NSPA: submitted_only("plan_version__frozen"),
            },
            CHANGE: {Role.DIRECTOR: own_nation("plan_version__plan__nation")},
        },
    )
    register(
        m.ReviewComment,
        {
            VIEW: {Role.DIRECTOR: own_nation("plan_version__plan__nation"), Role.SECRETARIAT: ALL},
            ADD: {Role.SECRETARIAT: ALL},
        },
    )
