"""The boards API's rows in the URL matrix (see tests/test_url_matrix.py).

Who may do what (boards/rules.py), as in the pages' rows (url_matrix_web.py), on bodies of their
own: the matrix's board member sits on this Board and chairs its working group 1; working group 2
(the register's keeper) has another member. Reads: a list answers everyone signed in (empty where
the reader may see nothing: partners, the role-less), a row the reader may not see is a 404.
Writes: a role without the grant gets 403 before anything is parsed; those with it get 400 for the
empty body the matrix sends, and the service's 403 where the row is outside their scope (the board
member recording a risk in working group 2's register). Rows run in order in one database per
visitor: each "wrong-state" or "stale" row comes after the write that made it so.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from boards import services
from boards.choices import BodyKind, MemberRole
from boards.models import ActionItem, Meeting, Minutes, Recommendation, Risk
from boards.tests.factories import START, make_meeting, make_risk, pdf_bytes
from portal.models import Nation, User
from tests.matrix import ROLES, Exempt, Row

LIST = {"anonymous": 401, **dict.fromkeys(ROLES, 200)}
MEMBERS = ("secretariat", "board_member", "superuser")


def only(status: int, *who: str, others: int = 404, **exceptions: int) -> dict:
    """``status`` for ``who``, ``others`` for the other roles, 401 for anonymous."""
    return {"anonymous": 401, **dict.fromkeys(ROLES, others), **dict.fromkeys(who, status), **exceptions}


# A row of a working group's own (a draft, a document): its members and the secretariat.
ON_MEMBERS_ROW = only(200, *MEMBERS)
# Members' writes: 403 for the roles without the grant.
MEMBERS_WRITE = only(400, *MEMBERS, others=403)


def written(status: int, **exceptions: int) -> dict:
    return only(status, *MEMBERS, others=403, **exceptions)


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


def _with_version(model, key, /, **body):
    """``body`` and the current version of ``context[key]``, read when the row is sent."""
    return lambda ctx: {**body, "version": model.objects.get(pk=ctx[key].pk).version}


def _item(key):
    return lambda ctx: {"pk": ctx["ba_wg1_meeting"].pk, "item_id": ctx[key].pk}


def _reorder(ctx, *, stale: bool = False) -> dict:
    """The agenda reversed, from the agenda version the client read (a stale one: 1)."""
    meeting = Meeting.objects.get(pk=ctx["ba_wg1_meeting"].pk)
    order = list(meeting.agenda_items.order_by("-position").values_list("pk", flat=True))
    return {"order": order, "agenda_version": 1 if stale else meeting.agenda_version}


def _meeting(ctx) -> dict:
    starts = (timezone.now() + dt.timedelta(days=40)).replace(microsecond=0)
    return {
        "body": ctx["ba_wg1"].pk,
        "title": "Matrix API meeting",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "virtual": True,
    }


def _risk(ctx) -> dict:
    return {
        "body": ctx["ba_wg2"].pk,
        "title": "Matrix API risk",
        "tier": "tier_1",
        "supplier": "Supplier B",
        "supplier_country": "FIN",
        "risk_type": "raw_material",
        "likelihood": 2,
        "impact": 2,
        "review_on": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
    }


def _upload(content: bytes):
    return lambda ctx: {"file": SimpleUploadedFile("papers.pdf", content, "application/pdf"), "title": ""}


# Queries: session and user (2), then a list's count and page (2) and what it prefetches; a row
# (1) and its prefetches; an export's count and rows (2).
ROWS = [
    # Bodies and seats.
    Row("boards-api:body-list", "GET", LIST, queries={"director": 4, "nspa": 4, "secretariat": 4}),
    Row(
        "boards-api:body-list",
        "GET",
        LIST,
        query="export=csv&header=names",
        variant="export",
        queries={"secretariat": 4},
    ),
    Row(
        "boards-api:body-detail",
        "GET",
        only(200, "director", "nspa", *MEMBERS),
        kwargs=pk("ba_wg1"),
        queries={"director": 3, "board_member": 4},
    ),
    Row("boards-api:membership-list", "GET", LIST, queries={"board_member": 4}),
    Row(
        "boards-api:membership-list",
        "GET",
        LIST,
        query="current=true",
        variant="filtered",
        queries={"secretariat": 4},
    ),
    # Meetings.
    Row("boards-api:meeting-list", "GET", LIST, queries={"board_member": 4, "director": 4}),
    Row(
        "boards-api:meeting-list",
        "GET",
        LIST,
        query="status=held&starts_after=2020-01-01",
        variant="filtered",
        queries={"secretariat": 4},
    ),
    Row(
        "boards-api:meeting-list",
        "GET",
        LIST,
        query="export=xlsx",
        variant="export",
        queries={"board_member": 4},
    ),
    Row(
        "boards-api:meeting-detail",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("ba_wg1_meeting"),
        queries={"secretariat": 7, "board_member": 7},
    ),
    # The Board's meeting with approved minutes: directors read it too.
    Row(
        "boards-api:meeting-detail",
        "GET",
        only(200, "director", *MEMBERS),
        kwargs=pk("ba_board_meeting"),
        variant="approved-board-minutes",
        queries={"director": 5},
    ),
    Row("boards-api:meeting-list", "POST", MEMBERS_WRITE),
    Row("boards-api:meeting-list", "POST", written(201), variant="valid", data=_meeting, audit="create"),
    Row("boards-api:meeting-detail", "PATCH", MEMBERS_WRITE, kwargs=pk("ba_wg1_meeting")),
    Row(
        "boards-api:meeting-detail",
        "PATCH",
        written(200),
        kwargs=pk("ba_wg1_meeting"),
        variant="valid",
        data=_with_version(Meeting, "ba_wg1_meeting", location="Vilnius"),
        audit="update",
    ),
    Row(
        "boards-api:meeting-detail",
        "PATCH",
        written(409),
        kwargs=pk("ba_wg1_meeting"),
        variant="stale",
        data={"title": "Stale", "version": 1},
    ),
    # The agenda.
    Row("boards-api:meeting-agenda", "POST", MEMBERS_WRITE, kwargs=pk("ba_wg1_meeting")),
    Row(
        "boards-api:meeting-agenda",
        "POST",
        written(201),
        kwargs=pk("ba_wg1_meeting"),
        variant="valid",
        data={"title": "Matrix agenda item"},
        audit="create",
    ),
    Row(
        "boards-api:meeting-agenda",
        "POST",
        written(409),
        kwargs=pk("ba_wg1_meeting"),
        variant="stale",
        data={"title": "Late item", "agenda_version": 1},
    ),
    # Nothing sent, nothing changed: no audit row.
    Row("boards-api:meeting-agenda-item", "PATCH", written(200), kwargs=_item("ba_item"), audit=False),
    Row(
        "boards-api:meeting-agenda-item",
        "PATCH",
        written(200),
        kwargs=_item("ba_item"),
        variant="valid",
        data={"notes": "Matrix notes"},
        audit="update",
    ),
    Row("boards-api:meeting-agenda-reorder", "POST", MEMBERS_WRITE, kwargs=pk("ba_wg1_meeting")),
    Row(
        "boards-api:meeting-agenda-reorder",
        "POST",
        written(200),
        kwargs=pk("ba_wg1_meeting"),
        variant="valid",
        data=_reorder,
        audit="agenda.reordered",
    ),
    Row(
        "boards-api:meeting-agenda-reorder",
        "POST",
        written(409),
        kwargs=pk("ba_wg1_meeting"),
        variant="stale",
        data=lambda ctx: _reorder(ctx, stale=True),
    ),
    Row(
        "boards-api:meeting-agenda-item",
        "DELETE",
        written(200),
        kwargs=_item("ba_item_removable"),
        audit="delete",
    ),
    Row("boards-api:meeting-attendance", "POST", MEMBERS_WRITE, kwargs=pk("ba_wg1_meeting")),
    Row(
        "boards-api:meeting-attendance",
        "POST",
        written(200),
        kwargs=pk("ba_wg1_meeting"),
        variant="valid",
        data=lambda ctx: {"user": ctx["users"]["board_member"].pk, "presence": "remote"},
        audit=True,
    ),
    # Documents: the upload is the API's one multipart body.
    Row("boards-api:meeting-documents", "POST", MEMBERS_WRITE, kwargs=pk("ba_wg1_meeting")),
    Row(
        "boards-api:meeting-documents",
        "POST",
        written(201),
        kwargs=pk("ba_wg1_meeting"),
        variant="valid",
        data=_upload(pdf_bytes()),
        audit="create",
    ),
    # A program renamed .pdf is refused by its content: a field message, nothing stored.
    Row(
        "boards-api:meeting-documents",
        "POST",
        MEMBERS_WRITE,
        kwargs=pk("ba_wg1_meeting"),
        variant="hostile",
        data=_upload(b"MZ\x90\x00" + b"\x00" * 60),
    ),
    Row("boards-api:document-list", "GET", LIST, queries={"board_member": 4, "secretariat": 4}),
    Row(
        "boards-api:document-detail",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("ba_document"),
        queries={"board_member": 3},
    ),
    Row(
        "boards-api:document-download",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("ba_document"),
        queries=Exempt("a file streamed from storage, one row read"),
    ),
    Row(
        "boards-api:document-detail",
        "DELETE",
        written(204),
        kwargs=pk("ba_document_removable"),
        audit="delete",
    ),
    # Minutes.
    Row("boards-api:minutes-list", "GET", LIST, queries={"board_member": 4, "director": 4}),
    Row(
        "boards-api:minutes-detail",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("ba_wg1_minutes"),
        queries={"board_member": 3},
    ),
    Row(
        "boards-api:minutes-detail",
        "GET",
        only(200, "director", *MEMBERS),
        kwargs=pk("ba_board_minutes"),
        variant="approved-board-minutes",
        queries={"director": 3},
    ),
    Row("boards-api:minutes-list", "POST", MEMBERS_WRITE),
    Row(
        "boards-api:minutes-list",
        "POST",
        written(201),
        variant="valid",
        data=lambda ctx: {"meeting": ctx["ba_wg1_later"].pk, "text": "Matrix minutes"},
        audit="create",
    ),
    Row("boards-api:minutes-detail", "PATCH", MEMBERS_WRITE, kwargs=pk("ba_wg1_minutes")),
    Row(
        "boards-api:minutes-detail",
        "PATCH",
        written(200),
        kwargs=pk("ba_wg1_minutes"),
        variant="valid",
        data=_with_version(Minutes, "ba_wg1_minutes", text="Edited"),
        audit="update",
    ),
    Row("boards-api:minutes-approve", "POST", MEMBERS_WRITE, kwargs=pk("ba_wg1_minutes")),
    Row(
        "boards-api:minutes-approve",
        "POST",
        written(200),
        kwargs=pk("ba_wg1_minutes"),
        variant="valid",
        data=lambda ctx: _with_version(Minutes, "ba_wg1_minutes", at_meeting=ctx["ba_wg1_later"].pk)(ctx),
        audit="minutes.approved",
    ),
    # Approved now: approving again is the 409 that says so, and editing them a 400 that says how
    # to correct them.
    Row(
        "boards-api:minutes-approve",
        "POST",
        written(409),
        kwargs=pk("ba_wg1_minutes"),
        variant="wrong-state",
        data=lambda ctx: _with_version(Minutes, "ba_wg1_minutes", at_meeting=ctx["ba_wg1_later"].pk)(ctx),
    ),
    Row(
        "boards-api:minutes-detail",
        "PATCH",
        MEMBERS_WRITE,
        kwargs=pk("ba_wg1_minutes"),
        variant="frozen",
        data=_with_version(Minutes, "ba_wg1_minutes", text="Rewritten"),
    ),
    Row("boards-api:minutes-correct", "POST", MEMBERS_WRITE, kwargs=pk("ba_board_minutes")),
    Row(
        "boards-api:minutes-correct",
        "POST",
        written(201),
        kwargs=pk("ba_board_minutes"),
        variant="valid",
        data={"text": "Corrected", "reason": "A date was wrong."},
        audit="minutes.corrected",
    ),
    # Actions: Poland's, which Poland's director reads (France's does not).
    Row("boards-api:action-list", "GET", LIST, queries={"board_member": 4, "director": 4}),
    Row(
        "boards-api:action-list",
        "GET",
        LIST,
        query="nation=POL&status=open&overdue=false",
        variant="filtered",
        queries={"secretariat": 4},
    ),
    Row(
        "boards-api:action-list",
        "GET",
        LIST,
        query="export=xlsx",
        variant="export",
        queries={"secretariat": 4},
    ),
    Row(
        "boards-api:action-detail",
        "GET",
        only(200, "director", *MEMBERS, director_other=404),
        kwargs=pk("ba_action"),
        queries={"director": 3, "board_member": 3},
    ),
    Row("boards-api:action-list", "POST", MEMBERS_WRITE),
    Row(
        "boards-api:action-list",
        "POST",
        written(201),
        variant="valid",
        data=lambda ctx: {
            "body": ctx["ba_wg1"].pk,
            "text": "Matrix API action",
            "owner_nation": "POL",
            "due_on": "2031-01-31",
        },
        audit="create",
    ),
    Row("boards-api:action-detail", "PATCH", MEMBERS_WRITE, kwargs=pk("ba_action")),
    Row(
        "boards-api:action-detail",
        "PATCH",
        written(200),
        kwargs=pk("ba_action"),
        variant="valid",
        data=_with_version(ActionItem, "ba_action", status="in_progress"),
        audit="update",
    ),
    # Recommendations: the one submitted to CNAD is the directors' too.
    Row("boards-api:recommendation-list", "GET", LIST, queries={"board_member": 4, "director": 4}),
    Row(
        "boards-api:recommendation-list",
        "GET",
        LIST,
        query="state=submitted",
        variant="filtered",
        queries={"secretariat": 4},
    ),
    Row(
        "boards-api:recommendation-detail",
        "GET",
        only(200, "director", *MEMBERS),
        kwargs=pk("ba_sent_rec"),
        queries={"director": 3, "board_member": 3},
    ),
    Row(
        "boards-api:recommendation-detail",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("ba_draft_rec"),
        variant="draft",
        queries={"board_member": 3},
    ),
    Row("boards-api:recommendation-list", "POST", MEMBERS_WRITE),
    Row(
        "boards-api:recommendation-list",
        "POST",
        written(201),
        variant="valid",
        data=lambda ctx: {"body": ctx["ba_wg1"].pk, "title": "Matrix API recommendation", "text": "t"},
        audit="create",
    ),
    Row("boards-api:recommendation-detail", "PATCH", MEMBERS_WRITE, kwargs=pk("ba_draft_rec")),
    Row(
        "boards-api:recommendation-detail",
        "PATCH",
        written(200),
        kwargs=pk("ba_draft_rec"),
        variant="valid",
        data=_with_version(Recommendation, "ba_draft_rec", title="Matrix draft, renamed"),
        audit="update",
    ),
    Row("boards-api:recommendation-move", "POST", MEMBERS_WRITE, kwargs=pk("ba_draft_rec")),
    Row(
        "boards-api:recommendation-move",
        "POST",
        written(200),
        kwargs=pk("ba_draft_rec"),
        variant="valid",
        data=_with_version(Recommendation, "ba_draft_rec", to="endorsed"),
        audit="recommendation.endorsed",
    ),
    # Endorsed now: endorsing again is the 409 that names the state.
    Row(
        "boards-api:recommendation-move",
        "POST",
        written(409),
        kwargs=pk("ba_draft_rec"),
        variant="wrong-state",
        data=_with_version(Recommendation, "ba_draft_rec", to="endorsed"),
    ),
    # The risk register: sensitive risks for the secretariat and working group 2 only.
    Row("boards-api:risk-list", "GET", LIST, queries={"board_member": 5, "secretariat": 6}),
    Row(
        "boards-api:risk-list",
        "GET",
        LIST,
        query="risk_type=energetics&tier=tier_2&sensitive=false",
        variant="filtered",
        queries={"board_member": 5},
    ),
    Row(
        "boards-api:risk-list",
        "GET",
        LIST,
        query="export=csv",
        variant="export",
        queries={"secretariat": 4},
    ),
    Row(
        "boards-api:risk-detail",
        "GET",
        ON_MEMBERS_ROW,
        kwargs=pk("ba_risk"),
        queries={"board_member": 4, "secretariat": 5},
    ),
    Row(
        "boards-api:risk-detail",
        "GET",
        only(200, "secretariat", "superuser"),
        kwargs=pk("ba_sensitive_risk"),
        variant="sensitive",
        queries={"secretariat": 5},
    ),
    # After the detail rows: tests/test_hostile_inputs.py fills "/risks/{id}/" with the first route
    # of that shape, which must be the detail's, not "/risks/heat-map/".
    Row("boards-api:risk-heat-map", "GET", LIST, queries={"board_member": 3, "director": 2}),
    Row("boards-api:risk-list", "POST", MEMBERS_WRITE),
    # The board member does not sit on working group 2, which keeps the register: the service's 403.
    Row(
        "boards-api:risk-list",
        "POST",
        written(201, board_member=403),
        variant="valid",
        data=_risk,
        audit="create",
    ),
    Row(
        "boards-api:risk-list",
        "POST",
        MEMBERS_WRITE,
        variant="out-of-scale",
        data=lambda ctx: {**_risk(ctx), "likelihood": 6},
    ),
    Row("boards-api:risk-detail", "PATCH", MEMBERS_WRITE, kwargs=pk("ba_risk")),
    Row(
        "boards-api:risk-detail",
        "PATCH",
        written(200, board_member=403),
        kwargs=pk("ba_risk"),
        variant="valid",
        data=_with_version(Risk, "ba_risk", impact=5),
        audit="update",
    ),
    # The capacity view: NSPA too; directors and partners not. Its figures are test_capacity.py's.
    Row(
        "boards-api:capacity",
        "GET",
        only(200, "nspa", *MEMBERS, others=403),
        queries=Exempt("aggregated_demand's cache decides: more queries cold than warm (test_capacity.py)"),
    ),
    Row(
        "boards-api:capacity",
        "GET",
        only(400, "nspa", *MEMBERS, others=403),
        query="year_from=2030&year_to=2020",
        variant="bad-years",
    ),
]


def build_context(users_by_role) -> dict:
    secretariat = users_by_role["secretariat"]
    member = users_by_role["board_member"]
    other = User.objects.create(username="ba_wg2_member", role="board_member")
    board = services.body_create(
        actor=secretariat, code="ba-dipb", kind=BodyKind.BOARD, name="API Board", mandate="m", starts_on=START
    )
    wg1, wg2 = (
        services.body_create(
            actor=secretariat,
            code=f"ba-wg{n}",
            kind=BodyKind.WORKING_GROUP,
            name=f"API working group {n}",
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
    board_meeting = make_meeting(secretariat, board, days_from_now=-90, title="API Board 1")
    board_later = make_meeting(secretariat, board, days_from_now=-60, title="API Board 2")
    board_minutes = services.minutes_draft(actor=secretariat, meeting=board_meeting, text="Board minutes")
    services.minutes_approve(actor=secretariat, minutes=board_minutes, at_meeting=board_later)
    wg1_meeting = make_meeting(member, wg1, days_from_now=-30, title="API WG1 held")
    wg1_later = make_meeting(member, wg1, days_from_now=-2, title="API WG1 later")
    item = services.agenda_item_add(actor=member, meeting=wg1_meeting, title="Capacity", presenter=member)
    removable = services.agenda_item_add(actor=member, meeting=wg1_meeting, title="AOB")
    wg1_minutes = services.minutes_draft(actor=member, meeting=wg1_meeting, text="WG1 draft")
    action = services.action_create(
        actor=member,
        body=wg1,
        meeting=wg1_meeting,
        text="API action",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        owner_nation=Nation.objects.get(code="POL"),
    )
    documents = [
        services.document_upload(
            actor=member,
            meeting=wg1_meeting,
            file=SimpleUploadedFile(name, pdf_bytes(), "application/pdf"),
        )
        for name in ("agenda.pdf", "draft.pdf")
    ]
    draft_rec = services.recommendation_create(actor=member, body=wg1, title="API draft", text="t")
    sent = services.recommendation_create(actor=member, body=wg1, title="API sent", text="t")
    for state in ("endorsed", "submitted"):
        sent = services.recommendation_move(actor=secretariat, recommendation=sent, to=state)
    risk = make_risk(other, wg2, title="API risk")
    sensitive = make_risk(other, wg2, title="API sensitive risk", sensitive=True)
    return {
        "ba_board": board,
        "ba_wg1": wg1,
        "ba_wg2": wg2,
        "ba_board_meeting": board_meeting,
        "ba_board_minutes": board_minutes,
        "ba_wg1_meeting": wg1_meeting,
        "ba_wg1_later": wg1_later,
        "ba_item": item,
        "ba_item_removable": removable,
        "ba_wg1_minutes": wg1_minutes,
        "ba_action": action,
        "ba_document": documents[0],
        "ba_document_removable": documents[1],
        "ba_draft_rec": draft_rec,
        "ba_sent_rec": sent,
        "ba_risk": risk,
        "ba_sensitive_risk": sensitive,
    }


def grow(context) -> None:
    """More of everything the API's reads show, in the same bodies."""
    secretariat = User.objects.get(username="r_secretariat")
    member = User.objects.get(username="r_board")
    other = User.objects.get(username="ba_wg2_member")
    wg1, wg2, board = context["ba_wg1"], context["ba_wg2"], context["ba_board"]
    meeting = context["ba_wg1_meeting"]
    for n in range(3):
        services.agenda_item_add(actor=member, meeting=meeting, title=f"API grown {n}", presenter=member)
        services.attendance_record(
            actor=member, meeting=meeting, user=secretariat if n else member, presence="present"
        )
        services.document_upload(
            actor=member,
            meeting=meeting,
            file=SimpleUploadedFile(f"grown{n}.pdf", pdf_bytes(), "application/pdf"),
        )
        services.action_create(
            actor=member,
            body=wg1,
            meeting=meeting,
            text=f"API grown action {n}",
            due_on=timezone.localdate() + dt.timedelta(days=n + 1),
            owner_nation=Nation.objects.get(code="POL"),
        )
        held = make_meeting(member, wg1, days_from_now=-(n + 40), title=f"API grown meeting {n}")
        services.minutes_draft(actor=member, meeting=held, text=f"Grown minutes {n}")
        board_held = make_meeting(secretariat, board, days_from_now=-(n + 100), title=f"API grown board {n}")
        board_minutes = services.minutes_draft(actor=secretariat, meeting=board_held, text="Board")
        services.minutes_approve(
            actor=secretariat, minutes=board_minutes, at_meeting=context["ba_board_meeting"]
        )
        rec = services.recommendation_create(actor=member, body=wg1, title=f"API grown rec {n}", text="t")
        for state in ("endorsed", "submitted"):
            rec = services.recommendation_move(actor=secretariat, recommendation=rec, to=state)
        make_risk(other, wg2, title=f"API grown risk {n}", likelihood=n + 1)
        make_risk(other, wg2, title=f"API grown sensitive risk {n}", sensitive=True, impact=n + 1)
    services.membership_add(actor=secretariat, body=wg1, user=other, from_date=START)
    wg3 = services.body_create(
        actor=secretariat,
        code="ba-wg3",
        kind=BodyKind.WORKING_GROUP,
        name="API working group 3",
        parent=board,
        mandate="m",
        starts_on=START,
    )
    services.membership_add(actor=secretariat, body=wg3, user=member, from_date=START)
