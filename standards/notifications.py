"""The standards' notifications: a new edition in force, reviews falling due, and interoperability
alerts. Who hears of each is in standards/rules.py (``register_audiences`` and the helpers the
reminder sources call).

``edition_promulgated`` is told by the catalogue services when an edition comes into force. The
other two come from reminder sources run by ``portal.notifications.send_reminders`` (hourly):

- a review's due date, at 14, 7 and 1 days and once overdue;
- an interoperability alert, once. Alerts are never stored (``standards.selectors.alerts``): one
  appears when a call-off or firm demand is written (procurement), when an item gains a
  requirement, when a response is changed or when an edition starts taking responses. Rather than
  diff the alerts at each of those writes, the source reads the open alerts as the alert page does
  and tells each one not told yet, its identity (source row and required edition) being its
  ``dedupe_key``.

Both sources first read which reminders were already written, in one query, and yield only the
others: an overdue review stays due at every run, and the Alliance has thousands of open alerts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from portal import notifications as n
from portal.models import Notification
from portal.permissions import SYSTEM
from standards.models import ReviewCycle, Standard

n.define(
    "edition_promulgated",
    "standards",
    _("A new edition of a standard is promulgated"),
    _("%(object)s was promulgated on %(date)s: record your nation's response"),
)
n.define(
    "standard_review_due",
    "standards",
    _("A standard's review is due (14, 7 and 1 days before, and once overdue)"),
    _("The review of %(object)s is due on %(due)s; %(responded)s of %(allies)s Allies have responded to it"),
)
n.define(
    "alert_raised",
    "standards",
    _("An interoperability alert is raised for your nation"),
    _(
        "Interoperability alert: %(item)s (%(object)s) requires %(standard)s, which %(nation)s has not "
        "fully ratified and implemented"
    ),
    # The sweep tells a day's new alerts together (many, when an item gains a requirement): one
    # digest reads better than a mail each. A director may still ask for them at once.
    default=n.Channel.DIGEST,
)


def _told(kind: str) -> set[tuple[int, str, str]]:
    """(content type, object id, dedupe key) of every reminder of ``kind`` already written."""
    return set(
        Notification.objects.filter(kind=kind)
        .exclude(dedupe_key="")
        .values_list("content_type", "object_id", "dedupe_key")
        .distinct()
    )


def _told_key(obj, dedupe_key: str) -> tuple[int, str, str]:
    return ContentType.objects.get_for_model(obj, for_concrete_model=True).pk, str(obj.pk), dedupe_key


def review_reminders(today: dt.date):
    """Each review due within 14 days or overdue (and each edition whose cycle has ended with no
    review opened), at each threshold once: to the secretariat, which runs reviews, and to the
    directors of the Allies that have not responded to the edition, whose say in the review is
    their response. The threshold's key carries the due date: an edition reviewed now falls due
    again a cycle later, and that due date's reminders are new ones."""
    from portal.choices import NationKind
    from portal.rules import secretariat
    from portal.selectors import nation_list
    from standards.choices import Ratification
    from standards.rules import directors_by_nation
    from standards.selectors import deadlines, response_list

    until = today + dt.timedelta(days=max(n.DUE_THRESHOLDS))
    told = _told("standard_review_due")
    due = []
    for row in deadlines(user=SYSTEM, until=until):
        threshold = n.due_threshold(row.date, today)
        if threshold is None:
            continue
        key = f"{threshold}:{row.date.isoformat()}"
        if _told_key(row.object, key) not in told:
            due.append((row, key))
    if not due:
        return

    def edition(row) -> Standard:
        return row.object.standard if isinstance(row.object, ReviewCycle) else row.object

    allies = set(nation_list(user=SYSTEM).filter(kind=NationKind.ALLY).values_list("pk", flat=True))
    responded: dict[int, set[int]] = defaultdict(set)
    answers = (
        response_list(user=SYSTEM)
        .filter(standard__in={edition(row).pk for row, _k in due}, nation__in=allies)
        .exclude(ratification=Ratification.NO_RESPONSE)
        .order_by()
        .values_list("standard", "nation")
    )
    for standard_id, nation_id in answers:
        responded[standard_id].add(nation_id)
    directors = directors_by_nation()
    clerks = list(secretariat())
    for row, key in due:
        standard = edition(row)
        missing = sorted(allies - responded[standard.pk])
        yield n.Reminder(
            "standard_review_due",
            row.object,
            key,
            params={
                "object": str(standard),
                "due": row.date.isoformat(),
                "responded": len(allies) - len(missing),
                "allies": len(allies),
            },
            url=row.url,
            recipients=[*clerks, *(user for nation in missing for user in directors.get(nation, ()))],
        )


def alert_reminders(today: dt.date):
    """Every open interoperability alert not told yet, once, to its nation's directors. An alert
    is its source row (the call-off line, or the demand signal) and the required edition; its
    kind may change (ratified, still not implemented) and it is not told again."""
    from procurement.models import CallOff, DemandSignal
    from standards.choices import AlertSource
    from standards.rules import directors_by_nation
    from standards.selectors import Alert, alert_list, alert_url

    told = _told("alert_raised")
    call_off_type = ContentType.objects.get_for_model(CallOff).pk
    demand_type = ContentType.objects.get_for_model(DemandSignal).pk
    fresh = []
    for row in alert_list(user=SYSTEM):
        if row["source"] == AlertSource.CALL_OFF:
            key = (
                call_off_type,
                str(row["source_id"]),
                f"line-{row['line_id']}:standard-{row['standard_id']}",
            )
        else:
            key = (demand_type, str(row["source_id"]), f"standard-{row['standard_id']}")
        if key not in told:
            fresh.append((row, key))
    if not fresh:
        return
    directors = directors_by_nation({row["nation_id"] for row, _k in fresh})
    # A nation with no director yet is told once it has one (its alerts are still not told).
    fresh = [(row, key) for row, key in fresh if row["nation_id"] in directors]
    sources = {
        call_off_type: CallOff.objects.in_bulk(
            {row["source_id"] for row, _k in fresh if row["source"] == AlertSource.CALL_OFF}
        ),
        demand_type: DemandSignal.objects.in_bulk(
            {row["source_id"] for row, _k in fresh if row["source"] == AlertSource.DEMAND}
        ),
    }
    for row, (content_type, _id, dedupe_key) in fresh:
        source = sources[content_type][row["source_id"]]
        yield n.Reminder(
            "alert_raised",
            source,
            dedupe_key,
            params={
                # The call-off's reference, or the demand's year: no words stored in one language.
                "object": source.reference if content_type == call_off_type else str(source.year),
                "item": row["item_name"],
                "standard": Alert(row).designation,
                "nation": row["nation_name"],
            },
            url=alert_url(row),
            recipients=directors[row["nation_id"]],
        )


n.reminders(review_reminders)
n.reminders(alert_reminders)
