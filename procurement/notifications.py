"""Procurement's notifications: a call-off placed, deliveries recorded or rejected, a framework
near its ceiling, and reminders of scheduled deliveries gone overdue. Who hears of each is in
procurement/rules.py (``register_audiences``); the services call ``notify``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from portal import notifications as n
from portal.permissions import SYSTEM
from procurement.selectors import deadlines

GROUP = "procurement"

n.define(
    "call_off_placed",
    GROUP,
    _("A call-off is placed for your nation"),
    _("%(actor)s placed call-off %(object)s under %(framework)s"),
)
n.define(
    "delivery_recorded",
    GROUP,
    _("A delivery is recorded on your nation's call-off"),
    _("%(actor)s recorded the delivery of %(delivered)s under %(object)s: %(accepted)s accepted"),
)
n.define(
    "delivery_rejected",
    GROUP,
    _("A delivered quantity is rejected"),
    _("%(actor)s recorded the delivery of %(delivered)s under %(object)s: %(rejected)s rejected"),
)
n.define(
    "delivery_late",
    GROUP,
    _("A scheduled delivery is overdue"),
    _("%(outstanding)s of %(item)s under %(object)s were due on %(due)s and are not delivered"),
)
n.define(
    "framework_near_ceiling",
    GROUP,
    _("A framework has 90 per cent of its ceiling committed"),
    _("%(object)s has %(share)s%% of its ceiling committed"),
)


def delivery_params(call_off, *, delivered: int, accepted: int, rejected: int) -> tuple[str, dict]:
    """The kind and params of the notification of deliveries under ``call_off``: rejected when any
    of it was, else recorded (one or the other, never both, for one recording)."""
    kind = "delivery_rejected" if rejected else "delivery_recorded"
    params = {
        "object": call_off.reference,
        "delivered": delivered,
        "accepted": accepted,
        "rejected": rejected,
    }
    return kind, params


def late_deliveries(today: dt.date):
    """Each scheduled tranche past its due date that deliveries have not covered, once (threshold
    "overdue"): a tranche due today is not late yet."""
    for row in deadlines(user=SYSTEM, until=today):
        if n.due_threshold(row.date, today) != "overdue":
            continue
        line = row.object.call_off_line
        yield n.Reminder(
            "delivery_late",
            row.object,
            "overdue",
            params={
                "object": line.call_off.reference,
                "item": line.framework_line.item.name,
                "outstanding": row.object.outstanding,
                "due": row.date.isoformat(),
            },
            url=row.url,
        )


n.reminders(late_deliveries)
