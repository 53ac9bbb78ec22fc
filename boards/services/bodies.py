"""Bodies and their members: the secretariat manages the DIPB."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from boards.choices import AuditEvent, MemberRole
from boards.models import Body, Membership
from portal.concurrency import check_version
from portal.permissions import ADD, CHANGE, VIEW, ensure_added
from portal.services import ensure_may, locked_for, model_create, model_update, only_fields

BODY_FIELDS = ("code", "kind", "name", "name_fr", "parent", "mandate", "chair", "starts_on", "ends_on")


@transaction.atomic
def body_create(*, actor, keeps_risk_register: bool = False, **fields) -> Body:
    ensure_may(actor, Body, ADD)
    body = model_create(Body(keeps_risk_register=keeps_risk_register, **fields), actor=actor)
    ensure_added(actor, body, _("You may not create this body."))
    return body


@transaction.atomic
def body_update(*, actor, body: Body, expected_version: int | None = None, **changes) -> Body:
    body = locked_for(body, actor=actor, action=CHANGE)
    check_version(body, expected_version)
    only_fields(changes, {*BODY_FIELDS, "keeps_risk_register"})
    return model_update(body, actor=actor, changes=changes)


@transaction.atomic
def membership_add(
    *,
    actor,
    body: Body,
    user,
    role: str = MemberRole.MEMBER,
    from_date: dt.date | None = None,
    to_date: dt.date | None = None,
) -> Membership:
    """Seat ``user`` on ``body``. The body's row is locked first, so two seats for one person
    cannot both pass the overlap check."""
    ensure_may(actor, Membership, ADD)
    body = locked_for(body, actor=actor, action=VIEW)
    seat = Membership(
        body=body, user=user, role=role, from_date=from_date or timezone.localdate(), to_date=to_date
    )
    seat.full_clean()
    for other in body.memberships.filter(user=user).order_by("pk"):
        if seat.overlaps(other):
            facts = {"user": user.get_username(), "body": body, "start": date_format(other.from_date)}
            if other.to_date:
                facts["end"] = date_format(other.to_date)
                message = _(
                    "%(user)s already sits on %(body)s from %(start)s to %(end)s; seats cannot overlap."
                )
            else:
                message = _("%(user)s already sits on %(body)s from %(start)s; seats cannot overlap.")
            raise ValidationError({"from_date": message % facts})
    seat = model_create(seat, actor=actor, action=AuditEvent.MEMBER_ADDED)
    ensure_added(actor, seat, _("You may not seat members on this body."))
    return seat


@transaction.atomic
def membership_end(*, actor, membership: Membership, to_date: dt.date | None = None) -> Membership:
    membership = locked_for(membership, actor=actor, action=CHANGE)
    to_date = to_date or timezone.localdate()
    if to_date < membership.from_date:
        raise ValidationError({"to_date": _("A seat cannot end before it starts.")})
    return model_update(membership, actor=actor, changes={"to_date": to_date}, action=AuditEvent.MEMBER_ENDED)
