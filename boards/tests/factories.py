"""Boards test data built through the services, as the portal would build it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from boards import services
from boards.choices import BodyKind, MeetingStatus, MemberRole, RiskType, Tier
from boards.models import Body, Meeting

START = dt.date(2023, 12, 13)


@dataclass
class World:
    """The Board and two working groups (wg2 keeps the risk register), a member of each group, the
    Board's chair, and the secretariat that set it all up."""

    secretariat: object
    board: Body
    wg1: Body
    wg2: Body
    wg1_member: object
    wg2_member: object
    chair: object


def make_world(make_user) -> World:
    secretariat = make_user("secretariat", None, username="w_sec")
    wg1_member = make_user("board_member", None, username="w_wg1")
    wg2_member = make_user("board_member", None, username="w_wg2")
    chair = make_user("board_member", None, username="w_chair")
    board = services.body_create(
        actor=secretariat,
        code="dipb",
        kind=BodyKind.BOARD,
        name="Defence Industrial Production Board",
        mandate="Reports to CNAD.",
        starts_on=START,
    )
    wg1 = services.body_create(
        actor=secretariat,
        code="wg1",
        kind=BodyKind.WORKING_GROUP,
        name="Working group 1",
        parent=board,
        mandate="Capacity.",
        starts_on=START,
    )
    wg2 = services.body_create(
        actor=secretariat,
        code="wg2",
        kind=BodyKind.WORKING_GROUP,
        name="Working group 2",
        parent=board,
        mandate="Supply chains.",
        starts_on=START,
        keeps_risk_register=True,
    )
    for body, user, role in [
        (wg1, wg1_member, MemberRole.MEMBER),
        (wg2, wg2_member, MemberRole.MEMBER),
        (board, chair, MemberRole.CHAIR),
        (wg1, chair, MemberRole.CHAIR),
    ]:
        services.membership_add(actor=secretariat, body=body, user=user, role=role, from_date=START)
    return World(secretariat, board, wg1, wg2, wg1_member, wg2_member, chair)


def make_meeting(actor, body, *, days_from_now: int = -7, title: str | None = None, **fields) -> Meeting:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=days_from_now)
    values = {
        "title": title or f"{body.code} meeting {days_from_now}",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "location": "NATO HQ",
        "status": MeetingStatus.HELD if days_from_now < 0 else MeetingStatus.PLANNED,
        **fields,
    }
    return services.meeting_create(actor=actor, body=body, **values)


def make_risk(actor, body, *, sensitive: bool = False, likelihood: int = 3, impact: int = 4, **fields):
    values = {
        "title": f"Risk {likelihood}x{impact}{' sensitive' if sensitive else ''}",
        "tier": Tier.TIER_2,
        "supplier": "Supplier A",
        "supplier_country": "SWE",
        "risk_type": RiskType.ENERGETICS,
        "review_on": timezone.localdate() + dt.timedelta(days=30),
        **fields,
    }
    return services.risk_create(
        actor=actor, body=body, sensitive=sensitive, likelihood=likelihood, impact=impact, **values
    )


def pdf_bytes(text: str = "Agenda of the inaugural meeting") -> bytes:
    """A minimal but complete PDF (catalogue, page, font, text, cross-reference table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
