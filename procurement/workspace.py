"""Procurement's panels on the home workspace (issue 14; portal.workspace): late call-off lines,
frameworks near their ceiling, deliveries awaiting acceptance and the latest delivery imports.

Each panel reads one selector, in one query whatever the data size (``capped`` fetches one row
more than it shows instead of counting), and is None for a user with no grant to read what it
lists, so a role that cannot use procurement never sees an empty panel about it. Which roles'
homes show which keys is ``portal.rules``' business; scope (a director: their own nation's
call-offs) is ``restrict``'s.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import formats, workspace
from portal.permissions import ADD, CHANGE, VIEW, may
from procurement import selectors
from procurement.models import NEAR_CEILING, CallOffLine, Delivery, DeliveryImport, FrameworkContract


def _share(framework: FrameworkContract) -> str:
    """The committed share of the ceiling in whole percent, rounded down: 100% only when full."""
    return formats.percent(framework.committed_percent, places=0)


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else _("the system")


def late_lines_panel(user, today: dt.date) -> workspace.Panel | None:
    """Call-off lines behind their schedule, most overdue first (the reader's scope: a director's
    are their own nation's)."""
    if not may(user, CallOffLine, VIEW):
        return None
    lines, more = workspace.capped(selectors.late_calloff_lines(user=user, today=today))
    entries = []
    for line in lines:
        note, tone = workspace.days_note(line.first_unmet, today)
        entries.append(
            workspace.Entry(
                text=_("%(reference)s line %(number)s: %(quantity)s × %(item)s behind schedule")  # noqa: RUF001 - the sign, meant
                % {
                    "reference": line.call_off.reference,
                    "number": line.line_number,
                    "quantity": formats.quantity(line.behind),
                    "item": line.framework_line.item.name,
                },
                url=reverse("procurement:call-off-detail", args=[line.call_off_id]),
                date=line.first_unmet,
                note=note,
                tone=tone,
                detail=_("%(nation)s, under %(framework)s")
                % {"nation": line.call_off.nation.name, "framework": line.call_off.framework.reference},
            )
        )
    return workspace.Panel(
        key="procurement.late_lines",
        title=_("Late deliveries"),
        entries=entries,
        more=more,
        more_url=reverse("procurement:call-off-list"),
        more_label=_("All call-offs"),
        empty=_("No call-off line is behind its schedule."),
    )


def near_ceiling_panel(user, today: dt.date) -> workspace.Panel | None:
    """Active frameworks with 90% or more of their ceiling committed, the fullest first; those whose
    committed value is withheld from the reader are not listed (``frameworks_near_ceiling``)."""
    if not may(user, FrameworkContract, VIEW):
        return None
    frameworks, more = workspace.capped(selectors.frameworks_near_ceiling(user=user, share=NEAR_CEILING))
    entries = [
        workspace.Entry(
            text=_("%(reference)s: %(share)s of the ceiling committed")
            % {"reference": framework.reference, "share": _share(framework)},
            url=reverse("procurement:framework-detail", args=[framework.pk]),
            tone=workspace.LATE if framework.committed_value >= framework.ceiling_value else workspace.DUE,
            detail=framework.title,
        )
        for framework in frameworks
    ]
    return workspace.Panel(
        key="procurement.near_ceiling",
        title=_("Frameworks near their ceiling"),
        entries=entries,
        more=more,
        more_url=reverse("procurement:framework-list"),
        more_label=_("All frameworks"),
        empty=_("No active framework has committed %(share)s of its ceiling.")
        % {"share": formats.percent(NEAR_CEILING * 100, places=0)},
    )


def awaiting_acceptance_panel(user, today: dt.date) -> workspace.Panel | None:
    """Deliveries whose acceptance is not yet recorded, oldest first, each linked to where it is
    recorded (the correction form) for those who may, else to the delivery's page."""
    if not may(user, Delivery, VIEW):
        return None
    deliveries, more = workspace.capped(selectors.deliveries_awaiting_acceptance(user=user))
    where = "procurement:delivery-correct" if may(user, Delivery, CHANGE) else "procurement:delivery-detail"
    entries = [
        workspace.Entry(
            text=_("Lot %(lot)s under %(reference)s: %(quantity)s × %(item)s")  # noqa: RUF001 - the sign, meant
            % {
                "lot": delivery.lot_number,
                "reference": delivery.call_off_line.call_off.reference,
                "quantity": formats.quantity(delivery.quantity_accepted),
                "item": delivery.call_off_line.framework_line.item.name,
            },
            url=reverse(where, args=[delivery.pk]),
            date=delivery.delivered_on,
            note=workspace.waited_note(delivery.delivered_on, today),
            detail=delivery.call_off_line.call_off.nation.name,
        )
        for delivery in deliveries
    ]
    return workspace.Panel(
        key="procurement.awaiting_acceptance",
        title=_("Deliveries awaiting acceptance"),
        entries=entries,
        more=more,
        more_url=reverse("procurement:delivery-list"),
        more_label=_("All deliveries"),
        empty=_("No delivery is awaiting acceptance."),
    )


def recent_imports_panel(user, today: dt.date) -> workspace.Panel | None:
    """The latest delivery files imported, linked to the import page for those who may import
    (it lists them too), else to the deliveries."""
    if not may(user, DeliveryImport, VIEW):
        return None
    batches, more = workspace.capped(selectors.delivery_import_list(user=user))
    url = reverse(
        "procurement:delivery-import" if may(user, DeliveryImport, ADD) else "procurement:delivery-list"
    )
    entries = [
        workspace.Entry(
            text=batch.file_name,
            url=url,
            date=timezone.localdate(batch.created_at),
            detail=ngettext(
                "%(created)s of %(rows)s row created, by %(who)s",
                "%(created)s of %(rows)s rows created, by %(who)s",
                batch.row_count,
            )
            % {
                "created": formats.quantity(batch.created_count),
                "rows": formats.quantity(batch.row_count),
                "who": _who(batch.imported_by),
            },
        )
        for batch in batches
    ]
    return workspace.Panel(
        key="procurement.recent_imports",
        title=_("Recent imports"),
        entries=entries,
        more=more,
        more_url=url,
        more_label=_("Import deliveries") if may(user, DeliveryImport, ADD) else _("All deliveries"),
        empty=_("No delivery file imported yet."),
    )


PANELS = {
    "procurement.late_lines": late_lines_panel,
    "procurement.near_ceiling": near_ceiling_panel,
    "procurement.awaiting_acceptance": awaiting_acceptance_panel,
    "procurement.recent_imports": recent_imports_panel,
}


def register_panels() -> None:
    """Called from ProcurementConfig.ready()."""
    for key, function in PANELS.items():
        workspace.register(key, function)
