"""Pledges' rows in the authorization matrix.

Drafts (and a returned plan's new draft version) are their nation's alone: the secretariat and
NSPA see only frozen, submitted versions, never the version being revised.
"""

from django.db.models import Q

from pledges import models as m
from pledges.choices import DatasetSource, DatasetStatus
from portal.choices import Role
from portal.models import Nation
from portal.permissions import ADD, ALL, CHANGE, VIEW, Scope, extend, own_nation, register
from portal.rules import nation_directors, secretariat

SUBMIT, REVIEW = "submit", "review"
# Import NATO editions and choose the dashboard's reference edition.
MANAGE_EDITIONS = "manage_editions"
# Open a nation's page of the CNAD dashboard (an action on ``Nation``).
OPEN_DIP_NATION = "open_dip_nation"
# Read a plan's working version (the draft being revised), not only what was submitted.
READ_DRAFT = "read_draft"
# File and edit a nation's own expenditure return.
FILE_RETURN = "file_return"
# Read planned capacity against aggregated demand across the Alliance.
READ_CAPACITY = "read_capacity"


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
            READ_DRAFT: {Role.DIRECTOR: own_nation()},
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
            READ_CAPACITY: dict.fromkeys(
                (Role.SECRETARIAT, Role.NSPA), submitted_only("plan_version__frozen")
            ),
        },
    )
    register(
        m.ReviewComment,
        {
            VIEW: {Role.DIRECTOR: own_nation("plan_version__plan__nation"), Role.SECRETARIAT: ALL},
            ADD: {Role.SECRETARIAT: ALL},
        },
    )
    register_expenditure_rules()


def _expenditure_scopes(prefix: str) -> dict[str, Scope]:
    """Who reads which expenditure datasets (``prefix`` leads from the model to the dataset).

    NATO editions are published figures: every role that reads dashboards sees them. A national
    return is its nation's alone while a draft; once submitted the secretariat reads it too.
    """

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    published = q(source=DatasetSource.NATO_EDITION)
    return {
        Role.SECRETARIAT: Scope(
            "published_or_submitted",
            lambda qs, user: qs.filter(published | q(status=DatasetStatus.SUBMITTED)),
        ),
        Role.BOARD_MEMBER: Scope("published", lambda qs, user: qs.filter(published)),
        Role.DIRECTOR: Scope(
            "published_or_own_nation",
            lambda qs, user: qs.filter(published | q(nation=user.nation_id)) if user.nation_id else qs.none(),
        ),
    }


def register_expenditure_rules() -> None:
    # The nation's returns, whatever their status: the service answers 409 once one is submitted.
    own_return = Scope(
        "own_nation_return",
        lambda qs, user: (
            qs.filter(source=DatasetSource.NATIONAL_RETURN, nation=user.nation_id)
            if user.nation_id
            else qs.none()
        ),
    )
    register(
        m.ExpenditureDataset,
        {
            VIEW: _expenditure_scopes(""),
            # The secretariat imports NATO editions and picks the reference; directors file returns.
            ADD: {Role.SECRETARIAT: ALL, Role.DIRECTOR: own_nation()},
            CHANGE: {Role.SECRETARIAT: ALL, Role.DIRECTOR: own_return},
            MANAGE_EDITIONS: {Role.SECRETARIAT: ALL},
            FILE_RETURN: {Role.DIRECTOR: own_return},
        },
    )
    register(m.ExpenditureRecord, {VIEW: _expenditure_scopes("dataset__")})
    register(m.DipMetric, {VIEW: _expenditure_scopes("dataset__")})
    register(m.PublishedAggregate, {VIEW: _expenditure_scopes("dataset__")})
    # Directors read the Alliance view of the dashboard, but only their own nation's page.
    extend(
        Nation,
        {OPEN_DIP_NATION: {Role.SECRETARIAT: ALL, Role.BOARD_MEMBER: ALL, Role.DIRECTOR: own_nation("pk")}},
    )


def register_audiences() -> None:
    """Who hears of each plan notification; ``notify`` still keeps only those who may see it."""
    from portal import notifications

    notifications.audience("plan_submitted", lambda plan: secretariat())
    for kind in ("plan_review_started", "plan_returned", "plan_accepted", "plan_due", "plan_overdue"):
        notifications.audience(kind, lambda plan: nation_directors(plan.nation_id))
