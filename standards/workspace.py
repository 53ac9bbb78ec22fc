"""The standards' panels on the home page (portal.workspace): open interoperability alerts, and
the editions waiting for the nation's response or a review."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import workspace
from portal.formats import quantity
from portal.permissions import ADD, VIEW, may, restrict
from portal.workspace import LATE, Entry, Figure, Panel, capped, days_note
from procurement.analytics.common import cached
from standards import selectors
from standards.choices import Ratification, StandardStatus
from standards.models import NationalResponse, Standard

# How far ahead reviews are listed.
HORIZON = dt.timedelta(days=30)


def alerts_panel(user, today: dt.date) -> Panel | None:
    """Open interoperability alerts: orders and firm demand for items whose required standard the
    ordering nation has not ratified or implemented. A director's are their nation's (scope)."""
    if not may(user, NationalResponse, VIEW):
        return None
    # Alerts are computed on every read (never stored): ~100 ms of SQL and query building at the
    # Alliance's scale, twice the home page's budget. The first rows are kept per reader and per
    # data version (procurement's stamp moves with every audited write and every bulk-loaded
    # order, demand or delivery), so the panel pays that once per change, not once per visit.
    rows = cached(
        "home-alerts",
        f"user:{user.pk}",
        (today.isoformat(), workspace.LIMIT),
        lambda: list(selectors.alert_pages(user=user)[: workspace.LIMIT + 1]),
    )
    rows, more = capped(rows)
    entries = [
        Entry(
            _("%(nation)s, %(standard)s: %(kind)s (%(source)s)")
            % {
                "nation": alert.nation_name,
                "standard": alert.designation,
                "kind": alert.kind_label,
                "source": alert.source_label,
            },
            alert.url,
            tone=LATE,
            detail=alert.item_name,
        )
        for alert in selectors.alerts(rows)
    ]
    return Panel(
        "standards.alerts",
        _("Open interoperability alerts"),
        entries,
        more_url=reverse("standards:alert-list"),
        more=more,
        empty=_("No open alert: every order and firm demand meets its required standards."),
        more_label=_("All alerts"),
    )


def responses_panel(user, today: dt.date) -> Panel | None:
    """For a nation's responder: the promulgated editions the nation has not answered yet (no
    response, or one saying "no response"), and the reviews due in the next 30 days
    (``standards.selectors.deadlines``)."""
    if not user.nation_id or not may(user, NationalResponse, ADD):
        return None
    answered = NationalResponse.objects.filter(standard=OuterRef("pk"), nation=user.nation_id).exclude(
        ratification=Ratification.NO_RESPONSE
    )
    missing = (
        restrict(Standard.objects.all(), user, VIEW)
        .filter(status=StandardStatus.PROMULGATED)
        .exclude(Exists(answered))
    )
    missing_count = missing.count()
    newest, _more = capped(missing.order_by("-promulgated_on", "pk"), workspace.LIMIT // 2)
    form = reverse("standards:response-form")
    figures = [
        Figure(
            ngettext(
                "promulgated edition without your nation's response",
                "promulgated editions without your nation's response",
                missing_count,
            ),
            quantity(missing_count),
            form,
            LATE if missing_count else "",
        )
    ]
    entries = [
        Entry(_("%(standard)s: no response yet") % {"standard": str(standard)}, form, standard.promulgated_on)
        for standard in newest
    ]
    reviews = selectors.deadlines(user=user, until=today + HORIZON, limit=workspace.LIMIT // 2 + 1)
    more = len(reviews) > workspace.LIMIT // 2
    for row in reviews[: workspace.LIMIT // 2]:
        subject = row.object.standard if hasattr(row.object, "standard_id") else row.object
        entries.append(
            Entry(
                _("%(label)s: %(standard)s") % {"label": row.label, "standard": str(subject)},
                row.url,
                row.date,
                *days_note(row.date, today),
            )
        )
    return Panel(
        "standards.responses",
        _("Standards to answer or review"),
        entries,
        figures,
        more_url=reverse("standards:review-list") if more else form,
        more=more,
        more_label=_("All reviews") if more else _("The response form"),
    )


def register_panels() -> None:
    workspace.register("standards.alerts", alerts_panel)
    workspace.register("standards.responses", responses_panel)
