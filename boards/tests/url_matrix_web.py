"""Rows of the URL matrix for the boards pages (see tests/test_url_matrix.py).

Who may do what (boards/rules.py): the matrix's board member sits on the Board and chairs working
group 1; working group 2's members are others. The secretariat reads and manages everything.
Directors read the Board's meetings with approved minutes, the recommendations submitted to CNAD
and the actions their nation owns. NSPA reads the bodies only; partners nothing.

Rows run in order in one database per visitor, so each write's valid row comes after the rows that
need the earlier state, and a "wrong-state" row after it shows the 409 naming the new state.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from boards import services
from boards.choices import BodyKind, MemberRole
from boards.models import ActionItem, AgendaItem, Meeting, Minutes, Recommendation, Risk
from boards.tests.factories import START, make_meeting, make_risk, pdf_bytes
from portal.models import Nation, User
from procurement.tests.factories import ItemFactory
from tests.matrix import Exempt, Row, as_write
from tests.matrix import allowed as statuses

MEMBERS = {"secretariat", "board_member"}
BODY_READERS = {"director", "nspa", "secretariat", "board_member"}
MEETING_READERS = {"director", "secretariat", "board_member"}


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


def _version(model, key):
    return lambda ctx: str(model.objects.get(pk=ctx[key].pk).version)


# A row only members see: 404 for everyone else (they may not see it), a login for anonymous.
ON_MEMBERS_ROW = statuses(MEMBERS, 404)
# The Board's approved minutes: a director sees them but may not write.
ON_APPROVED_MINUTES = statuses(MEMBERS, 404, director=403)
# Working group 1's body: everyone who reads bodies sees it; only members add to it.
ON_BODY_ADD = statuses(MEMBERS, 403, partner=404, no_role=404)
# Poland's action: Poland's director reads it (France's does not), members change it.
ON_ACTION = statuses(MEMBERS, 404, director=403)

ROWS = [
    Row("boards:body-list", "GET", statuses(BODY_READERS), queries={"secretariat": 4, "board_member": 4}),
    Row(
        "boards:body-detail",
        "GET",
        statuses(BODY_READERS, 404),
        kwargs=pk("bx_wg1"),
        queries={"secretariat": 10, "board_member": 10},
    ),
    Row(
        "boards:meeting-list", "GET", statuses(MEETING_READERS), queries={"secretariat": 4, "board_member": 4}
    ),
    Row(
        "boards:meeting-detail",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        queries={"secretariat": 12, "board_member": 15},
    ),
    Row(
        "boards:meeting-detail",
        "GET",
        statuses(MEETING_READERS, 404),
        kwargs=pk("bx_board_meeting"),
        variant="approved-board-minutes",
        queries={"director": 8},
    ),
    Row(
        "boards:action-list", "GET", statuses(MEETING_READERS), queries={"secretariat": 6, "board_member": 6}
    ),
    Row(
        "boards:action-list",
        "GET",
        statuses(MEETING_READERS),
        query="export=xlsx",
        variant="export",
        queries={"secretariat": 4},
    ),
    Row(
        "boards:recommendation-list",
        "GET",
        statuses(MEETING_READERS),
        queries={"secretariat": 5, "director": 5},
    ),
    Row("boards:risk-list", "GET", statuses(MEMBERS), queries={"secretariat": 7, "board_member": 7}),
    Row(
        "boards:risk-list",
        "GET",
        statuses(MEMBERS),
        query="export=csv",
        variant="export",
        queries={"secretariat": 4},
    ),
    # The capacity view: NSPA too; directors and partners not. No data here: its figures are
    # boards/tests/test_capacity.py's.
    Row(
        "boards:capacity",
        "GET",
        statuses({"nspa", "secretariat", "board_member"}),
        queries=Exempt("aggregated_demand's cache decides: 8 queries cold, 4 warm (test_capacity.py)"),
    ),
    Row(
        "boards:capacity",
        "GET",
        statuses({"nspa", "secretariat", "board_member"}, 403),
        query="year_from=2030&year_to=2020",
        variant="bad-years",
        queries=Exempt("a field message; nothing read"),
    ),
    # Forms: the session and user (2), the row (1), and their choices.
    Row("boards:minutes-draft", "GET", ON_MEMBERS_ROW, kwargs=pk("bx_wg1_later"), queries={"secretariat": 3}),
    Row(
        "boards:minutes-edit", "GET", ON_MEMBERS_ROW, kwargs=pk("bx_wg1_minutes"), queries={"secretariat": 3}
    ),
    Row(
        "boards:minutes-approve",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_minutes"),
        queries={"secretariat": 4},
    ),
    Row(
        "boards:minutes-correct",
        "GET",
        ON_APPROVED_MINUTES,
        kwargs=pk("bx_board_minutes"),
        queries={"secretariat": 3},
    ),
    Row(
        "boards:document-upload",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        queries={"secretariat": 8},
    ),
    Row(
        "boards:document-download",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_document"),
        queries=Exempt("a file streamed from storage, one row read"),
    ),
    Row("boards:action-create", "GET", ON_BODY_ADD, kwargs=pk("bx_wg1"), queries={"secretariat": 5}),
    Row(
        "boards:action-edit",
        "GET",
        {**ON_ACTION, "director_other": 404},
        kwargs=pk("bx_action"),
        queries={"secretariat": 7},
    ),
    Row(
        "boards:recommendation-move",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_draft_rec"),
        queries={"secretariat": 3},
    ),
]

# An empty form is invalid: 400 where the form shows, nothing written, the same refusals.
ROWS += [
    Row(row.route, "POST", as_write(row.expect, 400), kwargs=row.kwargs)
    for row in list(ROWS)
    if row.method == "GET" and row.route.split(":")[1] not in {
        "body-list", "body-detail", "meeting-list", "meeting-detail", "action-list", "document-download",
        "capacity",
        "recommendation-list", "risk-list",
    }
]  # fmt: skip


def _valid(route: str, expect: dict, status: int = 302, **fields) -> Row:
    return Row(f"boards:{route}", "POST", as_write(expect, status), variant="valid", **fields)


def _approve(ctx) -> dict:
    return {"at_meeting": str(ctx["bx_wg1_later"].pk), "version": _version(Minutes, "bx_wg1_minutes")(ctx)}


def _move(ctx) -> dict:
    return {"to": "endorsed", "note": "", "version": _version(Recommendation, "bx_draft_rec")(ctx)}


def _action_edit(ctx) -> dict:
    action = ActionItem.objects.get(pk=ctx["bx_action"].pk)
    return {
        "text": "Matrix action, edited",
        "owner_nation": "POL",
        "due_on": action.due_on.isoformat(),
        "status": "in_progress",
        "version": str(action.version),
    }


ROWS += [
    _valid(
        "minutes-draft",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_later"),
        data={"text": "Matrix minutes"},
        audit="create",
    ),
    _valid(
        "minutes-edit",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_minutes"),
        data=lambda ctx: {"text": "Edited", "version": _version(Minutes, "bx_wg1_minutes")(ctx)},
        audit="update",
    ),
    _valid(
        "minutes-approve",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_minutes"),
        data=_approve,
        audit="minutes.approved",
    ),
    # Approved now: approving again is the 409 that says so.
    Row(
        "boards:minutes-approve",
        "POST",
        as_write(ON_MEMBERS_ROW, 409),
        kwargs=pk("bx_wg1_minutes"),
        data=_approve,
        variant="wrong-state",
    ),
    # And editing approved minutes is refused with the way to correct them.
    Row(
        "boards:minutes-edit",
        "POST",
        as_write(ON_MEMBERS_ROW, 400),
        kwargs=pk("bx_wg1_minutes"),
        data=lambda ctx: {"text": "Rewritten", "version": _version(Minutes, "bx_wg1_minutes")(ctx)},
        variant="frozen",
    ),
    _valid(
        "minutes-correct",
        ON_APPROVED_MINUTES,
        kwargs=pk("bx_board_minutes"),
        data={"text": "Corrected", "reason": "A date was wrong."},
        audit="minutes.corrected",
    ),
    _valid(
        "document-upload",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        data=lambda ctx: {
            "file": SimpleUploadedFile("papers.pdf", pdf_bytes(), "application/pdf"),
            "title": "",
        },
        audit="create",
    ),
    # A program renamed .pdf is refused by its content: a field message, nothing stored.
    Row(
        "boards:document-upload",
        "POST",
        as_write(ON_MEMBERS_ROW, 400),
        kwargs=pk("bx_wg1_meeting"),
        data=lambda ctx: {
            "file": SimpleUploadedFile("papers.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf")
        },
        variant="hostile",
    ),
    _valid(
        "action-create",
        ON_BODY_ADD,
        kwargs=pk("bx_wg1"),
        data=lambda ctx: {"text": "Matrix action", "owner_nation": "POL", "due_on": "2031-01-31"},
        audit="create",
    ),
    _valid(
        "action-edit",
        {**ON_ACTION, "director_other": 404},
        kwargs=pk("bx_action"),
        data=_action_edit,
        audit="update",
    ),
    _valid(
        "recommendation-move",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_draft_rec"),
        data=_move,
        audit="recommendation.endorsed",
    ),
    # Endorsed now: endorsing again is the 409 that names the state.
    Row(
        "boards:recommendation-move",
        "POST",
        as_write(ON_MEMBERS_ROW, 409),
        kwargs=pk("bx_draft_rec"),
        data=_move,
        variant="wrong-state",
    ),
]


# --- The form pages for meetings, the agenda, attendance, links, recommendations, risks, seats ---
# (after the rows above: they change the state those rows need). Forms: the session and user (2),
# the row, the body or meeting behind it, the choices they offer.

# The register is working group 2's, where the matrix's board member has no seat: they read its
# risks that are not sensitive, and record or edit none.
ON_REGISTER = statuses({"secretariat"}, 403)
ON_OTHER_REGISTER = statuses({"secretariat"}, 404, board_member=403)
# Seats are managed by the secretariat: bodies are read more widely, a seat by its body's members.
ON_SEATS = statuses({"secretariat"}, 403, partner=404, no_role=404)
ON_SEAT = statuses({"secretariat"}, 404, board_member=403)
ON_ACTION_LINKS = {**ON_ACTION, "director_other": 404}

FORM_ROWS = [
    Row(
        "boards:meeting-create",
        "GET",
        ON_BODY_ADD,
        kwargs=pk("bx_wg1"),
        queries={"secretariat": 4, "board_member": 4},
    ),
    Row(
        "boards:meeting-edit",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_next"),
        queries={"secretariat": 3, "board_member": 3},
    ),
    Row("boards:meeting-status", "GET", ON_MEMBERS_ROW, kwargs=pk("bx_wg1_next"), queries={"secretariat": 3}),
    Row(
        "boards:attendance-record",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        queries={"secretariat": 8, "board_member": 8},
    ),
    Row(
        "boards:agenda-item-add",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        queries={"secretariat": 4},
    ),
    Row(
        "boards:agenda-reorder",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        queries={"secretariat": 4},
    ),
    Row(
        "boards:agenda-item-edit",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_agenda_item"),
        queries={"secretariat": 5},
    ),
    Row(
        "boards:agenda-item-remove",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_agenda_spare"),
        queries={"secretariat": 3},
    ),
    Row(
        "boards:agenda-link-add",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_agenda_item"),
        queries={"secretariat": 3},
    ),
    Row("boards:action-link-add", "GET", ON_ACTION_LINKS, kwargs=pk("bx_action"), queries={"secretariat": 3}),
    Row(
        "boards:link-remove",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_link"),
        queries={"secretariat": 4, "board_member": 4},
    ),
    Row("boards:recommendation-create", "GET", ON_BODY_ADD, kwargs=pk("bx_wg1"), queries={"secretariat": 4}),
    Row(
        "boards:recommendation-edit",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_second_draft"),
        queries={"secretariat": 3, "board_member": 4},
    ),
    Row("boards:risk-create", "GET", ON_REGISTER, queries={"secretariat": 9}),
    Row(
        "boards:risk-detail",
        "GET",
        statuses(MEMBERS, 404),
        kwargs=pk("bx_risk"),
        queries={"secretariat": 6, "board_member": 6},
    ),
    Row("boards:risk-edit", "GET", ON_OTHER_REGISTER, kwargs=pk("bx_risk"), queries={"secretariat": 10}),
    Row("boards:membership-add", "GET", ON_SEATS, kwargs=pk("bx_wg1"), queries={"secretariat": 4}),
    Row("boards:membership-end", "GET", ON_SEAT, kwargs=pk("bx_seat"), queries={"secretariat": 3}),
]
# An empty form is invalid (400) wherever it shows; removing a link asks for nothing but the POST.
FORM_ROWS += [
    Row(row.route, "POST", as_write(row.expect, 400), kwargs=row.kwargs)
    for row in list(FORM_ROWS)
    if row.method == "GET" and row.route not in {"boards:risk-detail", "boards:link-remove"}
]


def _current(model, key, field="version"):
    return lambda ctx: str(getattr(model.objects.get(pk=ctx[key].pk), field))


def _meeting_form(ctx) -> dict:
    return {
        "title": "Matrix WG1 next, moved",
        "starts_at": "2031-06-10T10:00",
        "ends_at": "2031-06-10T12:00",
        "time_zone": "Europe/Warsaw",
        "location": "NATO HQ",
        "version": _current(Meeting, "bx_wg1_next")(ctx),
    }


def _reorder(stale: bool):
    def data(ctx) -> dict:
        version = Meeting.objects.get(pk=ctx["bx_wg1_meeting"].pk).agenda_version
        item = ctx["bx_agenda_item"].pk
        return {
            "item": str(item),
            "direction": "down",
            "agenda_version": str(version - 1 if stale else version),
        }

    return data


def _risk_form(ctx, **overrides) -> dict:
    return {
        "body": str(ctx["bx_wg2"].pk),
        "title": "Matrix recorded risk",
        "tier": "tier_1",
        "supplier": "Matrix supplier",
        "supplier_country": "NOR",
        "risk_type": "raw_material",
        "likelihood": "2",
        "impact": "3",
        "status": "open",
        "review_on": "2031-01-31",
        **overrides,
    }


FORM_ROWS += [
    _valid(
        "meeting-create",
        ON_BODY_ADD,
        kwargs=pk("bx_wg1"),
        data=lambda ctx: {**_meeting_form(ctx), "title": "Matrix scheduled"},
        audit="create",
    ),
    _valid("meeting-edit", ON_MEMBERS_ROW, kwargs=pk("bx_wg1_next"), data=_meeting_form, audit="update"),
    _valid(
        "meeting-status",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_next"),
        data=lambda ctx: {"status": "cancelled", "version": _current(Meeting, "bx_wg1_next")(ctx)},
        audit="update",
    ),
    _valid(
        "attendance-record",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        data=lambda ctx: {f"presence_{ctx['users']['board_member'].pk}": "present"},
        audit="create",
    ),
    _valid(
        "agenda-item-add",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        data={"title": "Matrix item"},
        audit="create",
    ),
    _valid(
        "agenda-item-edit",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_agenda_item"),
        data={"title": "Capacity, edited"},
        audit="update",
    ),
    _valid(
        "agenda-reorder",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_wg1_meeting"),
        data=_reorder(stale=False),
        audit="agenda.reordered",
    ),
    # The agenda moved on since the version this form carries: the 409 that shows its order now.
    Row(
        "boards:agenda-reorder",
        "POST",
        as_write(ON_MEMBERS_ROW, 409),
        kwargs=pk("bx_wg1_meeting"),
        data=_reorder(stale=True),
        variant="stale",
    ),
    _valid(
        "agenda-item-remove",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_agenda_spare"),
        data=lambda ctx: {"agenda_version": _current(Meeting, "bx_wg1_meeting", "agenda_version")(ctx)},
        audit="delete",
    ),
    _valid(
        "agenda-link-add",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_agenda_item"),
        data={"kind": "procurement.item", "reference": "bx-shell"},
        audit="create",
    ),
    # A sensitive risk of working group 2 is nothing the matrix's board member may see: a field
    # message, as for a reference to nothing. The secretariat reads it, and links it.
    Row(
        "boards:agenda-link-add",
        "POST",
        {**as_write(ON_MEMBERS_ROW, 400), "secretariat": 302, "superuser": 302},
        kwargs=pk("bx_agenda_item"),
        data=lambda ctx: {"kind": "boards.risk", "reference": str(ctx["bx_sensitive_risk"].pk)},
        variant="hidden-target",
        audit="create",
    ),
    _valid(
        "action-link-add",
        ON_ACTION_LINKS,
        kwargs=pk("bx_action"),
        data={"kind": "procurement.item", "reference": "bx-shell"},
        audit="create",
    ),
    _valid("link-remove", ON_MEMBERS_ROW, kwargs=pk("bx_link"), audit="delete"),
    _valid(
        "recommendation-create",
        ON_BODY_ADD,
        kwargs=pk("bx_wg1"),
        data={"title": "Matrix recommendation", "text": "Order earlier."},
        audit="create",
    ),
    _valid(
        "recommendation-edit",
        ON_MEMBERS_ROW,
        kwargs=pk("bx_second_draft"),
        data=lambda ctx: {
            "title": "Matrix second draft, edited",
            "text": "t",
            "version": _current(Recommendation, "bx_second_draft")(ctx),
        },
        audit="update",
    ),
    _valid("risk-create", ON_REGISTER, data=_risk_form, audit="create"),
    Row(
        "boards:risk-create",
        "POST",
        as_write(ON_REGISTER, 400),
        data=lambda ctx: _risk_form(ctx, likelihood="9"),
        variant="out-of-range",
    ),
    _valid(
        "risk-edit",
        ON_OTHER_REGISTER,
        kwargs=pk("bx_risk"),
        data=lambda ctx: _risk_form(ctx, impact="5", version=_current(Risk, "bx_risk")(ctx)),
        audit="update",
    ),
    _valid(
        "membership-add",
        ON_SEATS,
        kwargs=pk("bx_wg1"),
        data=lambda ctx: {"user": str(ctx["bx_newcomer"].pk), "role": "member", "from_date": "2024-01-01"},
        audit="membership.added",
    ),
    # Seated now: a second seat overlapping the first is refused on its dates.
    Row(
        "boards:membership-add",
        "POST",
        as_write(ON_SEATS, 400),
        kwargs=pk("bx_wg1"),
        data=lambda ctx: {"user": str(ctx["bx_newcomer"].pk), "role": "member", "from_date": "2025-01-01"},
        variant="overlap",
    ),
    _valid(
        "membership-end",
        ON_SEAT,
        kwargs=pk("bx_seat"),
        data={"to_date": "2099-12-31"},
        audit="membership.ended",
    ),
]
ROWS += FORM_ROWS


def _form_objects(context: dict, users_by_role) -> dict:
    """What the form rows need, beside the objects above."""
    secretariat, member = users_by_role["secretariat"], users_by_role["board_member"]
    wg1, wg2, other = context["bx_wg1"], context["bx_wg2"], context["bx_wg2_member"]
    meeting = context["bx_wg1_meeting"]
    capacity = AgendaItem.objects.get(meeting=meeting, title="Capacity")
    services.agenda_item_add(actor=member, meeting=meeting, title="Supply chains")
    spare = services.agenda_item_add(actor=member, meeting=meeting, title="Matrix spare item")
    risk = make_risk(other, wg2, title="Matrix form risk")
    link = services.link_add(actor=member, target=risk, agenda_item=capacity)
    services.link_add(actor=member, target=risk, action=context["bx_action"])
    ItemFactory(code="bx-shell", name="Matrix shell")
    observer = User.objects.create(username="bx_observer", role="board_member")
    seat = services.membership_add(
        actor=secretariat, body=wg1, user=observer, role=MemberRole.NIAG_OBSERVER, from_date=START
    )
    return {
        "bx_wg1_next": make_meeting(member, wg1, days_from_now=20, title="Matrix WG1 next"),
        "bx_agenda_item": capacity,
        "bx_agenda_spare": spare,
        "bx_risk": risk,
        "bx_sensitive_risk": Risk.objects.get(title="Matrix sensitive risk"),
        "bx_link": link,
        "bx_seat": seat,
        "bx_newcomer": User.objects.create(username="bx_newcomer", role="board_member"),
        "bx_second_draft": services.recommendation_create(
            actor=member, body=wg1, title="Matrix second draft", text="t"
        ),
    }


def build_context(users_by_role) -> dict:
    secretariat = users_by_role["secretariat"]
    member = users_by_role["board_member"]
    other = User.objects.create(username="bx_wg2_member", role="board_member")
    board = services.body_create(
        actor=secretariat,
        code="bx-dipb",
        kind=BodyKind.BOARD,
        name="Matrix Board",
        mandate="m",
        starts_on=START,
    )
    wg1, wg2 = (
        services.body_create(
            actor=secretariat,
            code=f"bx-wg{n}",
            kind=BodyKind.WORKING_GROUP,
            name=f"Matrix working group {n}",
            parent=board,
            mandate="m",
            starts_on=START,
            keeps_risk_register=n == 2,
        )
        for n in (1, 2)
    )
    for body, user, role in (
        (board, member, MemberRole.MEMBER),
        (wg1, member, MemberRole.CHAIR),
        (wg2, other, MemberRole.CHAIR),
    ):
        services.membership_add(actor=secretariat, body=body, user=user, role=role, from_date=START)
    board_meeting = make_meeting(secretariat, board, days_from_now=-90, title="Matrix Board 1")
    board_later = make_meeting(secretariat, board, days_from_now=-60, title="Matrix Board 2")
    board_minutes = services.minutes_draft(actor=secretariat, meeting=board_meeting, text="Board minutes")
    services.minutes_approve(actor=secretariat, minutes=board_minutes, at_meeting=board_later)
    wg1_meeting = make_meeting(member, wg1, days_from_now=-30, title="Matrix WG1 held")
    wg1_later = make_meeting(member, wg1, days_from_now=-2, title="Matrix WG1 later")
    services.agenda_item_add(actor=member, meeting=wg1_meeting, title="Capacity", presenter=member)
    wg1_minutes = services.minutes_draft(actor=member, meeting=wg1_meeting, text="WG1 draft")
    action = services.action_create(
        actor=member,
        body=wg1,
        meeting=wg1_meeting,
        text="Matrix action",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        owner_nation=Nation.objects.get(code="POL"),
    )
    document = services.document_upload(
        actor=member,
        meeting=wg1_meeting,
        file=SimpleUploadedFile("agenda.pdf", pdf_bytes(), "application/pdf"),
    )
    draft_rec = services.recommendation_create(actor=member, body=wg1, title="Matrix draft", text="t")
    sent = services.recommendation_create(actor=member, body=wg1, title="Matrix sent", text="t")
    for state in ("endorsed", "submitted"):
        sent = services.recommendation_move(actor=secretariat, recommendation=sent, to=state)
    make_risk(other, wg2, title="Matrix risk")
    make_risk(other, wg2, title="Matrix sensitive risk", sensitive=True)
    context = {
        "bx_board": board,
        "bx_wg1": wg1,
        "bx_wg2": wg2,
        "bx_wg2_member": other,
        "bx_board_meeting": board_meeting,
        "bx_board_minutes": board_minutes,
        "bx_wg1_meeting": wg1_meeting,
        "bx_wg1_later": wg1_later,
        "bx_wg1_minutes": wg1_minutes,
        "bx_action": action,
        "bx_document": document,
        "bx_draft_rec": draft_rec,
    }
    return {**context, **_form_objects(context, users_by_role)}


def grow(context) -> None:
    """More of everything the lists and pages show."""
    member = User.objects.get(username="r_board")
    wg1, wg2, other = context["bx_wg1"], context["bx_wg2"], context["bx_wg2_member"]
    meeting = context["bx_wg1_meeting"]
    for n in range(3):
        services.agenda_item_add(actor=member, meeting=meeting, title=f"Grown {n}", presenter=member)
        services.attendance_record(
            actor=member,
            meeting=meeting,
            user=User.objects.get(username="r_secretariat") if n else member,
            presence="present",
        )
        services.action_create(
            actor=member,
            body=wg1,
            meeting=meeting,
            text=f"Grown action {n}",
            due_on=timezone.localdate() + dt.timedelta(days=n + 1),
            owner_user=member,
        )
        make_meeting(member, wg1, days_from_now=n + 5, title=f"Grown meeting {n}")
        rec = services.recommendation_create(actor=member, body=wg1, title=f"Grown rec {n}", text="t")
        if n == 0:  # one reaches CNAD, so a director's board grows too
            for state in ("endorsed", "submitted"):
                rec = services.recommendation_move(
                    actor=User.objects.get(username="r_secretariat"), recommendation=rec, to=state
                )
        make_risk(other, wg2, title=f"Grown risk {n}", likelihood=n + 1)
    secretariat = User.objects.get(username="r_secretariat")
    services.membership_add(actor=secretariat, body=wg1, user=other, from_date=START)
    wg3 = services.body_create(
        actor=secretariat,
        code="bx-wg3",
        kind=BodyKind.WORKING_GROUP,
        name="Matrix working group 3",
        parent=context["bx_board"],
        mandate="m",
        starts_on=START,
    )
    services.membership_add(actor=secretariat, body=wg3, user=member, from_date=START)
    # More links, of the kinds already linked (risks): on the grown agenda items and the action.
    grown = AgendaItem.objects.filter(meeting=meeting, title__startswith="Grown ").order_by("pk")
    for n, item in enumerate(grown):
        risk = Risk.objects.get(title=f"Grown risk {n}")
        services.link_add(actor=member, target=risk, agenda_item=item)
        services.link_add(actor=member, target=risk, action=context["bx_action"])
