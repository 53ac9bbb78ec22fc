"""Rows of the URL matrix for the boards' calendars and printed minutes (tests/test_url_matrix.py).

The feeds answer without a session: the key in their address is the credential, so every visitor
who holds it (anonymous too) gets the key owner's calendar, here the matrix board member's. The
downloads, the feed page and the minutes' PDF are for signed-in readers of meetings."""

from __future__ import annotations

from boards import services
from boards.choices import BodyKind, MemberRole
from boards.tests.factories import START, make_meeting
from tests.matrix import Exempt, Row, allowed, as_write, statuses

READERS = {"director", "secretariat", "board_member"}
EVERYONE = statuses(200, 200)


def _feed(ctx) -> dict:
    return {"key": ctx["bc_key"]}


def _body_feed(ctx) -> dict:
    return {"key": ctx["bc_key"], "pk": ctx["bc_group"].pk}


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


ROWS = [
    # The session, the user and the meetings (3); one more, the body, for a body's.
    Row("boards:meetings-ics", "GET", allowed(READERS), queries={"secretariat": 3, "board_member": 3}),
    Row(
        "boards:body-ics",
        "GET",
        allowed(READERS, 403, partner=403),
        kwargs=pk("bc_group"),
        queries={"secretariat": 4, "board_member": 4},
    ),
    Row(
        "boards:meeting-ics",
        "GET",
        allowed({"secretariat", "board_member"}, 404),
        kwargs=pk("bc_meeting"),
        queries={"secretariat": 3, "board_member": 3},
    ),
    # The key (1) and the meetings (1); a body's feed reads the body too; a session adds two.
    Row("boards:feed", "GET", EVERYONE, kwargs=_feed, queries={"anonymous": 2, "director": 4}),
    Row("boards:body-feed", "GET", EVERYONE, kwargs=_body_feed, queries={"anonymous": 3, "partner": 5}),
    Row(
        "boards:feed",
        "GET",
        statuses(404, 404),
        kwargs=lambda ctx: {"key": "n" * 43},
        variant="unknown-key",
        queries=Exempt("a 404: one failed lookup"),
    ),
    # The Board's approved minutes: members and directors print them. The session, the user, the
    # meeting and its four scoped parts.
    Row(
        "boards:minutes-pdf",
        "GET",
        allowed(READERS, 404),
        kwargs=pk("bc_board_meeting"),
        queries=Exempt("WeasyPrint renders the PDF; the meeting is read as its page reads it (pinned there)"),
    ),
    Row("boards:calendar-feed", "GET", allowed(READERS), queries={"secretariat": 4, "board_member": 4}),
    Row(
        "boards:calendar-feed",
        "POST",
        as_write(allowed(READERS), 400),
        data={"action": "nonsense"},
        variant="bad-action",
    ),
    Row(
        "boards:calendar-feed",
        "POST",
        allowed(READERS),
        data={"action": "reset"},
        variant="reset",
        audit="create",
    ),
    Row(
        "boards:calendar-feed",
        "POST",
        as_write(allowed(READERS), 302),
        data={"action": "revoke"},
        variant="revoke",
        audit="delete",
    ),
]


def build_context(users_by_role) -> dict:
    secretariat, member = users_by_role["secretariat"], users_by_role["board_member"]
    board = services.body_create(
        actor=secretariat,
        code="bc-dipb",
        kind=BodyKind.BOARD,
        name="Calendar Board",
        mandate="m",
        starts_on=START,
    )
    group = services.body_create(
        actor=secretariat,
        code="bc-wg",
        kind=BodyKind.WORKING_GROUP,
        name="Calendar group",
        parent=board,
        mandate="m",
        starts_on=START,
    )
    for body in (board, group):
        services.membership_add(
            actor=secretariat, body=body, user=member, role=MemberRole.MEMBER, from_date=START
        )
    held = make_meeting(secretariat, board, days_from_now=-40, title="Calendar Board held")
    later = make_meeting(secretariat, board, days_from_now=-20, title="Calendar Board later")
    minutes = services.minutes_draft(actor=secretariat, meeting=held, text="Recorded.")
    services.minutes_approve(actor=secretariat, minutes=minutes, at_meeting=later)
    meeting = make_meeting(member, group, days_from_now=7, title="Calendar group next")
    _feed, key = services.calendar_feed_reset(actor=member)
    return {"bc_group": group, "bc_board_meeting": held, "bc_meeting": meeting, "bc_key": key}


def grow(context) -> None:
    """More meetings in every calendar: the Board's, the group's."""
    from portal.models import User

    member = User.objects.get(username="r_board")
    group = context["bc_group"]
    board = group.parent
    for n in range(3):
        make_meeting(member, group, days_from_now=10 + n, title=f"Calendar grown {n}")
        make_meeting(User.objects.get(username="r_secretariat"), board, days_from_now=12 + n)
