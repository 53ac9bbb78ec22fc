"""The core's rows in the authorization matrix (nations, users, the audit trail, jobs, idempotency
records), and the one other place a role decides something: which home page a user lands on, and
which workspace panels it shows."""

from django.db.models import Q

from portal.choices import NationKind, Role
from portal.models import (
    IdempotencyRecord,
    JobRun,
    Nation,
    Notification,
    NotificationPreference,
    ObjectChange,
    User,
)
from portal.permissions import ALL, CHANGE, VIEW, Scope, own_nation, own_rows, register

HOME_TEMPLATES = {
    Role.DIRECTOR: "portal/home/director.html",
    Role.NSPA: "portal/home/nspa.html",
    Role.SECRETARIAT: "portal/home/secretariat.html",
    Role.BOARD_MEMBER: "portal/home/board_member.html",
    Role.PARTNER: "portal/home/partner.html",
}


# Each role's workspace panels, in the order the home page shows them (portal.workspace; the
# apps register the keys). A panel still checks the user's grants, and its rows are scoped.
HOME_PANELS = {
    Role.DIRECTOR: (
        "pledges.plan",
        "standards.alerts",
        "standards.responses",
        "procurement.late_lines",
        "pledges.dip",
        "boards.nation_actions",
    ),
    Role.NSPA: (
        "procurement.near_ceiling",
        "procurement.late_lines",
        "procurement.awaiting_acceptance",
        "procurement.recent_imports",
    ),
    Role.SECRETARIAT: (
        "pledges.review",
        "pledges.filing",
        "portal.overdue",
        "boards.recommendations",
        "standards.alerts",
    ),
    Role.BOARD_MEMBER: ("boards.upcoming", "boards.minutes", "boards.my_actions"),
    Role.PARTNER: ("portal.released",),
}


def home_template(user) -> str:
    return HOME_TEMPLATES.get(user.role, "portal/home/no_role.html")


def home_panels(user) -> tuple[str, ...]:
    return HOME_PANELS.get(user.role, ())


def register_rules() -> None:
    everyone = dict.fromkeys(Role.values, ALL)
    register(Nation, {VIEW: everyone})
    register(
        User,
        {
            VIEW: {
                Role.SECRETARIAT: ALL,
                Role.DIRECTOR: own_nation(),
                Role.NSPA: own_rows("pk"),
                Role.BOARD_MEMBER: own_rows("pk"),
                Role.PARTNER: own_rows("pk"),
            }
        },
    )
    # The trail is as private as what it describes: rows about a nation's unsubmitted draft
    # (``draft_key`` set) are that nation's alone. The secretariat reads every other row; a director
    # reads their own nation's rows and what they did themselves; everybody else only the latter.
    register(
        ObjectChange,
        {
            VIEW: {
                **dict.fromkeys(Role.values, own_rows("actor")),
                Role.DIRECTOR: Scope(
                    "own_or_own_nation",
                    lambda qs, user: (
                        qs.filter(Q(actor=user.pk) | Q(nation=user.nation_id))
                        if user.nation_id
                        else qs.filter(actor=user.pk)
                    ),
                ),
                Role.SECRETARIAT: Scope("released", lambda qs, user: qs.filter(draft_key="")),
            }
        },
    )
    register(
        JobRun,
        {
            VIEW: {
                **dict.fromkeys(Role.values, own_rows("requested_by")),
                Role.SECRETARIAT: ALL,
                Role.NSPA: ALL,
            }
        },
    )
    # Notifications and their preferences are their user's alone, whatever the role (a user with
    # no role gets none: notify() tells only those who may see the object).
    own_notifications = dict.fromkeys(Role.values, own_rows("recipient"))
    register(Notification, {VIEW: own_notifications, CHANGE: own_notifications})
    own_preferences = dict.fromkeys(Role.values, own_rows("user"))
    register(NotificationPreference, {VIEW: own_preferences, CHANGE: own_preferences})
    # Idempotency records are the API's own bookkeeping; nobody browses them.
    register(IdempotencyRecord, {})


# --- Who hears of what: the recipients the apps' notification audiences draw on -------------------


def nation_directors(nation_id):
    """The active national armaments directors of a nation."""
    return User.objects.filter(is_active=True, role=Role.DIRECTOR, nation=nation_id)


def ally_directors():
    """Every Ally's active directors (each Ally responds to each edition of a standard)."""
    return User.objects.filter(is_active=True, role=Role.DIRECTOR, nation__kind=NationKind.ALLY)


def secretariat():
    """The active CNAD secretariat."""
    return User.objects.filter(is_active=True, role=Role.SECRETARIAT)


def nspa_staff():
    """The active NSPA users: who run the frameworks and record the deliveries."""
    return User.objects.filter(is_active=True, role=Role.NSPA)
