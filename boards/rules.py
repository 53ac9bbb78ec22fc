"""Boards' rows in the authorization matrix (DESIGN.md, "Roles and scope"; issue 13, "Access").

A body's content is read by its current members, the secretariat (which manages the DIPB) and
staff. A board member reads and writes the meetings, actions and risks of the bodies they sit on,
so a member of working group 1 never sees working group 2's draft minutes. A sensitive risk is read
only by the secretariat and the members of the body that keeps it (working group 2): its rows, its
counts, its heat map and its exports all start from this scope. Directors read the Board's approved
minutes (and the meetings and agendas they record), the recommendations submitted to CNAD, and the
actions their nation owns; nothing in draft. NSPA reads the list of bodies and, with the
secretariat and board members, the industrial capacity view (aggregates, under the disclosure
rule); partners see nothing here.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from boards import models as m
from boards.choices import SUBMITTED_TO_CNAD, BodyKind, MemberRole, MinutesState, RecommendationState
from portal.choices import Role
from portal.models import User
from portal.permissions import ADD, ALL, CHANGE, DELETE, VIEW, Scope, own_nation, own_rows, register
from portal.rules import nation_directors, secretariat

# Named grants: actions that are not plain edits.
APPROVE = "approve"  # minutes
ENDORSE = "endorse"  # a recommendation, by the Board
SUBMIT = "submit"  # a recommendation, to CNAD
DECIDE = "decide"  # CNAD's answer to a recommendation, recorded by the secretariat
# Working group 1's industrial capacity view (demand, orders, deliveries and planned capacity,
# summed over the Alliance): an action on ``Body``, not about one row. A reader who may not read
# the rows under a figure gets only what the aggregate disclosure rule allows (portal.aggregates).
READ_CAPACITY_VIEW = "read_capacity_view"
# Marking a risk sensitive (or no longer): only those who still read it once it is, so nobody
# hides a risk from themselves or shows one to readers it was kept from.
MARK_SENSITIVE = "mark_sensitive"

# Who may approve minutes for the body: its chair and its secretary record the decision.
MINUTE_KEEPERS = (MemberRole.CHAIR, MemberRole.SECRETARY)


def seats(user, roles=None):
    """The bodies ``user`` sits on today (as a subquery of body ids), in ``roles`` if given."""
    today = timezone.localdate()
    current = m.Membership.objects.filter(user=user.pk, from_date__lte=today).filter(
        Q(to_date__isnull=True) | Q(to_date__gte=today)
    )
    if roles:
        current = current.filter(role__in=roles)
    return current.values("body")


# The label of the scopes by the bodies a user sits on today (``member_of``).
OWN_BODIES = "own_bodies"


def member_of(path: str = "body", roles=None, label: str = OWN_BODIES) -> Scope:
    """Rows whose body (at ``path``) the user sits on today."""
    return Scope(label, lambda qs, user: qs.filter(**{f"{path}__in": seats(user, roles)}))


def _approved_board_minutes(prefix: str = "") -> Q:
    """Meetings (at ``prefix``, or the rows themselves) of the Board whose minutes have an
    approved version."""
    approved = m.Minutes.objects.filter(meeting=OuterRef(prefix or "pk"), state=MinutesState.APPROVED)
    body = f"{prefix}__body__kind" if prefix else "body__kind"
    return Q(**{body: BodyKind.BOARD}) & Q(Exists(approved))


def _meeting_record(prefix: str = "") -> Scope:
    """What a director reads of meetings: the Board's, once their minutes are approved."""
    return Scope("board_approved_minutes", lambda qs, user: qs.filter(_approved_board_minutes(prefix)))


def _recommendation_readers() -> Scope:
    """A board member reads their own bodies' recommendations, and, sitting on the Board, every
    working group's recommendation once it has left the draft."""

    def apply(qs, user):
        own = Q(body__in=seats(user))
        beyond_draft = ~Q(state=RecommendationState.DRAFTED) & Q(body__parent__in=seats(user))
        return qs.filter(own | beyond_draft)

    return Scope("own_bodies_and_board", apply)


def _risk_readers() -> Scope:
    """A board member reads every risk that is not sensitive, and the sensitive ones of the bodies
    they sit on (the register's working group)."""
    return Scope(
        "not_sensitive_or_own_body",
        lambda qs, user: qs.filter(Q(sensitive=False) | Q(body__in=seats(user))),
    )


def _link_scope() -> Scope:
    def apply(qs, user):
        return qs.filter(Q(agenda_item__meeting__body__in=seats(user)) | Q(action__body__in=seats(user)))

    return Scope("own_bodies", apply)


def register_rules() -> None:
    secretariat = {Role.SECRETARIAT: ALL}
    members = {Role.SECRETARIAT: ALL, Role.BOARD_MEMBER: member_of()}

    register(
        m.Body,
        {
            VIEW: dict.fromkeys((Role.DIRECTOR, Role.NSPA, Role.SECRETARIAT, Role.BOARD_MEMBER), ALL),
            ADD: secretariat,
            CHANGE: secretariat,
            READ_CAPACITY_VIEW: dict.fromkeys((Role.SECRETARIAT, Role.NSPA, Role.BOARD_MEMBER), ALL),
        },
    )
    register(
        m.Membership,
        {VIEW: members, ADD: secretariat, CHANGE: secretariat, DELETE: secretariat},
    )
    register(
        m.Meeting,
        {VIEW: {**members, Role.DIRECTOR: _meeting_record()}, ADD: members, CHANGE: members},
    )
    # A calendar feed is its user's own; those who read meetings may keep one.
    own_feed = dict.fromkeys((Role.DIRECTOR, Role.SECRETARIAT, Role.BOARD_MEMBER), own_rows("user"))
    register(m.CalendarFeed, {VIEW: own_feed, ADD: own_feed, DELETE: own_feed})
    meeting_members = {Role.SECRETARIAT: ALL, Role.BOARD_MEMBER: member_of("meeting__body")}
    register(
        m.AgendaItem,
        {
            VIEW: {**meeting_members, Role.DIRECTOR: _meeting_record("meeting")},
            ADD: meeting_members,
            CHANGE: meeting_members,
            DELETE: meeting_members,
        },
    )
    register(m.Attendance, {VIEW: meeting_members, ADD: meeting_members, CHANGE: meeting_members})
    # A meeting's documents are its members' working papers: directors, who read only the Board's
    # approved record, see none of them.
    register(m.Document, {VIEW: meeting_members, ADD: meeting_members, DELETE: meeting_members})
    approved_board = Scope(
        "board_approved",
        lambda qs, user: qs.filter(state=MinutesState.APPROVED, meeting__body__kind=BodyKind.BOARD),
    )
    register(
        m.Minutes,
        {
            VIEW: {**meeting_members, Role.DIRECTOR: approved_board},
            ADD: meeting_members,
            CHANGE: meeting_members,
            APPROVE: {
                Role.SECRETARIAT: ALL,
                Role.BOARD_MEMBER: member_of("meeting__body", MINUTE_KEEPERS, "chair_or_secretary"),
            },
        },
    )
    links = {Role.SECRETARIAT: ALL, Role.BOARD_MEMBER: _link_scope()}
    register(m.Link, {VIEW: links, ADD: links, DELETE: links})
    register(
        m.ActionItem,
        {
            VIEW: {**members, Role.DIRECTOR: own_nation("owner_nation")},
            ADD: members,
            CHANGE: members,
        },
    )
    submitted = Scope("submitted_to_cnad", lambda qs, user: qs.filter(state__in=SUBMITTED_TO_CNAD))
    register(
        m.Recommendation,
        {
            VIEW: {
                Role.SECRETARIAT: ALL,
                Role.BOARD_MEMBER: _recommendation_readers(),
                Role.DIRECTOR: submitted,
            },
            ADD: members,
            CHANGE: members,
            ENDORSE: {Role.SECRETARIAT: ALL, Role.BOARD_MEMBER: member_of("body__parent", label="board")},
            SUBMIT: secretariat,
            DECIDE: secretariat,
        },
    )
    register(
        m.Risk,
        {
            VIEW: {Role.SECRETARIAT: ALL, Role.BOARD_MEMBER: _risk_readers()},
            ADD: members,
            CHANGE: members,
            MARK_SENSITIVE: members,
        },
    )


# --- Who hears of what (portal.notifications; the kinds are in boards/notifications.py) ----------


def body_members(body_id, roles=None) -> QuerySet:
    """The active users seated on a body today (in seat ``roles`` if given): who hears of its
    meetings, its minutes and its recommendations."""
    today = timezone.localdate()
    current = m.Membership.objects.filter(m.Membership.current_q(today), body=body_id)
    if roles:
        current = current.filter(role__in=roles)
    return User.objects.filter(is_active=True, pk__in=current.values("user"))


def action_owners(action, *, user: bool = True, nation: bool = True) -> list:
    """Who owns ``action``: its owner user and, when a nation owns it, that nation's directors
    (``user``/``nation`` False leave a side out: an owner change tells only the new side)."""
    people = [action.owner_user] if user and action.owner_user_id else []
    if nation and action.owner_nation_id:
        people += nation_directors(action.owner_nation_id)
    return people


def register_audiences() -> None:
    """Who hears of each boards notification; ``notify`` still keeps only those who may see its
    object (a director: only the actions their nation owns)."""
    from portal import notifications

    for kind in ("action_assigned", "action_overdue"):
        notifications.audience(kind, action_owners)
    for kind in ("meeting_scheduled", "meeting_moved", "meeting_cancelled"):
        notifications.audience(kind, lambda meeting: body_members(meeting.body_id))
    # The chair and the secretary record the approval (the APPROVE grant above).
    notifications.audience(
        "minutes_to_approve", lambda minutes: body_members(minutes.meeting.body_id, MINUTE_KEEPERS)
    )
    notifications.audience(
        "recommendation_decided",
        lambda recommendation: body_members(recommendation.body_id) | secretariat(),
    )
