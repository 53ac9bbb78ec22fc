"""Procurement reads: every one starts from ``restrict`` and prefetches what its page shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Least
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import aggregates
from portal.audit import last_change, row_last_change
from portal.deadlines import Deadline as BaseDeadline
from portal.deadlines import earliest
from portal.permissions import VIEW, restrict, restricted_prefetch
from procurement.choices import AuditEvent, FrameworkStatus
from procurement.models import (
    NEAR_CEILING,
    Amendment,
    CallOff,
    CallOffLine,
    Delivery,
    DeliveryImport,
    DemandSignal,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    Item,
    Programme,
    ScheduledDelivery,
    Supplier,
)


def item_list(*, user) -> QuerySet[Item]:
    return restrict(Item.objects.all(), user, VIEW).order_by("name", "pk")


def item_list_with_standards(*, user) -> QuerySet[Item]:
    """Items with the standard editions each must meet (``standard_requirements``, edition
    joined), for the pages and API answers that show them."""
    from standards.models import ItemRequirement  # standards builds on procurement's models

    requirements = ItemRequirement.objects.select_related("standard").order_by(
        "standard__doc_type", "standard__number", "standard__edition", "pk"
    )
    return item_list(user=user).prefetch_related(
        restricted_prefetch("standard_requirements", requirements, user)
    )


def supplier_list(*, user) -> QuerySet[Supplier]:
    return restrict(Supplier.objects.all(), user, VIEW).order_by("name", "pk")


def programme_list(*, user) -> QuerySet[Programme]:
    return (
        restrict(Programme.objects.all(), user, VIEW)
        .prefetch_related("memberships__nation")
        .order_by("name", "pk")
    )


def demand_signal_list(*, user) -> QuerySet[DemandSignal]:
    return (
        restrict(DemandSignal.objects.all(), user, VIEW)
        .select_related("nation", "item", "filed_by")
        .order_by("item__name", "year", "nation__name", "pk")
    )


def framework_list(*, user) -> QuerySet[FrameworkContract]:
    """Frameworks the user may see. Their committed value sums every nation's call-offs, so for a
    reader who may not read those, ``figures_withheld`` marks a framework whose committed value
    (less the reader's own orders) would give away fewer than ``AGGREGATE_MIN_NATIONS`` nations'
    orders, and ``ordered_withheld`` one with such a line (``FrameworkContract.committed_shown``,
    ``FrameworkLine.ordered_shown``). Two subqueries in the same query; none for NSPA and the
    secretariat."""
    reader = aggregates.audience(user, CallOff, CallOffLine)
    lines_hidden = FrameworkLine.objects.filter(framework=OuterRef("pk")).filter(
        aggregates.hides_sql(
            CallOffLine.objects.filter(framework_line=OuterRef("pk")),
            group="framework_line",
            nation="call_off__nation",
            audience=reader,
        )
    )
    return (
        restrict(FrameworkContract.objects.all(), user, VIEW)
        .annotate(
            figures_withheld=aggregates.hides_sql(
                CallOff.objects.filter(framework=OuterRef("pk")),
                group="framework",
                nation="nation",
                audience=reader,
            ),
            ordered_withheld=Value(False) if reader.exempt else Exists(lines_hidden),
        )
        .select_related("programme")
        .prefetch_related("suppliers")
        .order_by("-period_start", "reference", "pk")
    )


def _framework_detail(*, user) -> QuerySet[FrameworkContract]:
    return framework_list(user=user).prefetch_related(
        Prefetch("lines", queryset=FrameworkLine.objects.select_related("item").order_by("item__name", "pk")),
        Prefetch(
            "participations",
            queryset=FrameworkParticipant.objects.select_related("nation").order_by(
                "joined_on", "nation__name"
            ),
        ),
        Prefetch(
            "amendments", queryset=Amendment.objects.select_related("created_by").order_by("date", "pk")
        ),
    )


def framework_get(*, user, pk) -> FrameworkContract:
    """One framework with its lines, participants, amendments and suppliers; 404 if not visible."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(_framework_detail(user=user), pk=pk)


def ocds_framework_get(*, user, pk) -> FrameworkContract:
    """``framework_get`` for the OCDS feed, which dates each release by the last change to what it
    is built from. Besides the framework's own ``updated_at``, the times of the latest audit rows
    about its lines, their items, its participants and its suppliers (``lines_changed_at``,
    ``items_changed_at``, ``participants_changed_at``, ``suppliers_changed_at``): subqueries of
    the same query, so the feed's query count stays put."""
    from django.shortcuts import get_object_or_404

    framework = OuterRef(OuterRef("pk"))
    suppliers = last_change(Supplier.objects.filter(frameworks=framework))
    queryset = _framework_detail(user=user).annotate(
        lines_changed_at=last_change(FrameworkLine.objects.filter(framework=framework)),
        items_changed_at=last_change(Item.objects.filter(framework_lines__framework=framework)),
        participants_changed_at=last_change(FrameworkParticipant.objects.filter(framework=framework)),
        suppliers_changed_at=suppliers,
    )
    return get_object_or_404(queryset, pk=pk)


def ocds_calloff_list(*, user, framework: FrameworkContract) -> QuerySet[CallOff]:
    """The call-offs under ``framework`` that ``user`` may see, for the OCDS feed: with their lines
    (``calloff_lines_prefetch``), ``items_changed_at`` (the latest audit row about the items they
    order) and, on each delivery, ``corrected_at`` (its latest correction; a delivery is otherwise
    written once, at its ``created_at``). Subqueries of the same queries: the count stays put."""
    call_off = OuterRef(OuterRef("pk"))
    deliveries = Delivery.objects.annotate(
        corrected_at=row_last_change(Delivery, actions=[AuditEvent.DELIVERY_CORRECTED])
    )
    return (
        calloff_list(user=user)
        .filter(framework=framework)
        .prefetch_related(calloff_lines_prefetch(user=user, deliveries=deliveries))
        .annotate(
            items_changed_at=last_change(
                Item.objects.filter(framework_lines__call_off_lines__call_off=call_off)
            ),
        )
        .order_by("order_date", "reference", "pk")
    )


def calloff_list(*, user) -> QuerySet[CallOff]:
    return (
        restrict(CallOff.objects.all(), user, VIEW)
        .select_related("framework", "nation")
        .order_by("-order_date", "reference", "pk")
    )


def calloff_get(*, user, pk) -> CallOff:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        calloff_list(user=user).prefetch_related(calloff_lines_prefetch(user=user)), pk=pk
    )


def calloff_lines_prefetch(*, user, deliveries: QuerySet[Delivery] | None = None):
    """A call-off's lines with their items, schedules and deliveries (``deliveries``, if given,
    says how they are read), the lines and the deliveries scoped by ``restrict`` like any other
    read of them."""
    deliveries = restricted_prefetch(
        "deliveries", Delivery.objects.all() if deliveries is None else deliveries, user
    )
    lines = CallOffLine.objects.select_related("framework_line__item").prefetch_related(
        "schedule", deliveries
    )
    return restricted_prefetch("lines", lines.order_by("pk"), user)


def calloff_line_list(*, user) -> QuerySet[CallOffLine]:
    return restrict(CallOffLine.objects.all(), user, VIEW).select_related(
        "call_off__nation", "call_off__framework", "framework_line__item"
    )


def delivery_list(*, user) -> QuerySet[Delivery]:
    return (
        restrict(Delivery.objects.all(), user, VIEW)
        .select_related(
            "call_off_line__call_off__nation",
            "call_off_line__call_off__framework",
            "call_off_line__framework_line__item",
        )
        .order_by("-delivered_on", "pk")
    )


def delivery_get(*, user, pk) -> Delivery:
    """One delivery with its call-off, nation, framework and item; 404 if not visible."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(delivery_list(user=user), pk=pk)


def item_demand_by_year(*, user, item: Item) -> list[dict]:
    """The demand for ``item`` the user may read, per year: ``{"year", "demanded", "firm"}``, in
    one query (the item page's table)."""
    return list(
        demand_signal_list(user=user)
        .filter(item=item)
        .order_by()
        .values("year")
        .annotate(demanded=Sum("quantity"), firm=Sum("quantity", filter=Q(firmness="firm")))
        .order_by("year")
    )


def delivery_import_list(*, user) -> QuerySet[DeliveryImport]:
    return (
        restrict(DeliveryImport.objects.all(), user, VIEW)
        .select_related("imported_by")
        .order_by("-created_at", "-pk")
    )


def framework_line_list(*, user) -> QuerySet[FrameworkLine]:
    return (
        restrict(FrameworkLine.objects.all(), user, VIEW).select_related("framework", "item").order_by("pk")
    )


# --- What needs someone now: the workspace panels' reads (procurement.workspace) ----------------


def line_position(line: str = "") -> Subquery:
    """The number of a call-off line as the call-off page numbers it (its place among its
    call-off's lines by pk, from 1), for the line at path ``line`` from the outer query (the outer
    row itself when empty). The delivery import and the deliveries filter count the same way."""
    path = f"{line}__" if line else ""
    earlier = (
        CallOffLine.objects.filter(call_off=OuterRef(f"{path}call_off"), pk__lte=OuterRef(line or "pk"))
        .order_by()
        .values("call_off")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Subquery(earlier, output_field=BigIntegerField())


def late_calloff_lines(*, user, today: dt.date) -> QuerySet[CallOffLine]:
    """Call-off lines whose schedule asked for more before ``today`` than has been delivered, most
    overdue first, in one query. Each carries ``first_unmet``, the due date of the earliest tranche
    its deliveries have not covered (the one it has been late on longest), ``behind`` (what was
    due before ``today`` less ``delivered_quantity``) and ``line_number`` (its place among its
    call-off's lines, as the call-off page lists them).

    A line is joined to exactly one tranche, the one its delivered quantity falls in (scheduled
    through it more than was delivered, through the one before not more), so the rows are read in
    due order from ``schedule_due_idx`` and stop at the slice; ``behind`` and ``line_number`` are
    worked out for the rows returned only."""
    due_before_today = (
        ScheduledDelivery.objects.filter(call_off_line=OuterRef("pk"), due_date__lt=today)
        .order_by("-due_date", "-pk")
        .values("quantity_through")[:1]
    )
    return (
        calloff_line_list(user=user)
        .filter(delivered_quantity__lt=F("quantity"))
        .annotate(
            tranche=FilteredRelation(
                "schedule",
                condition=Q(
                    schedule__due_date__lt=today,
                    schedule__quantity_through__gt=F("delivered_quantity"),
                    schedule__quantity_through__lte=F("delivered_quantity") + F("schedule__quantity"),
                ),
            )
        )
        .filter(tranche__isnull=False)
        .annotate(
            first_unmet=F("tranche__due_date"),
            behind=Subquery(due_before_today, output_field=BigIntegerField()) - F("delivered_quantity"),
            line_number=line_position(),
        )
        .order_by("first_unmet", "tranche__id")
    )


def frameworks_near_ceiling(*, user, share: Decimal = NEAR_CEILING) -> QuerySet[FrameworkContract]:
    """Active frameworks with at least ``share`` of their ceiling committed, the fullest first
    (``committed_share``, a float for the order; pages compute the exact share from the values).

    A framework whose committed value ``framework_list`` withholds from the reader (fewer than
    ``AGGREGATE_MIN_NATIONS`` other nations' orders behind it) is left out altogether: its place in
    this list would tell what the framework's page does not. One query."""
    return (
        framework_list(user=user)
        .prefetch_related(None)
        .filter(status=FrameworkStatus.ACTIVE, figures_withheld=False)
        .filter(committed_value__gte=F("ceiling_value") * Value(share))
        .annotate(committed_share=Cast("committed_value", FloatField()) / Cast("ceiling_value", FloatField()))
        .order_by("-committed_share", "reference", "pk")
    )


def deliveries_awaiting_acceptance(*, user) -> QuerySet[Delivery]:
    """Deliveries with no acceptance date that are not wholly rejected, oldest first. The delivery
    services date acceptance on the delivery day whenever a quantity is accepted, and leave it empty
    when all of it is rejected (accepted plus rejected always equals delivered), so a delivery waits
    when an accepted quantity has no date yet (it was cleared by a correction, to be recorded
    later). The partial index ``delivery_awaiting_idx`` serves it at a million deliveries."""
    return (
        delivery_list(user=user)
        .filter(accepted_on__isnull=True, quantity_accepted__gt=0)
        .order_by("delivered_on", "pk")
    )


DEADLINE_KINDS = {"delivery_due": _("Scheduled delivery due")}


class Deadline(BaseDeadline):
    """A tranche of a call-off line's schedule not yet delivered; the row carries ``outstanding``,
    what is still to come of it."""

    kinds = DEADLINE_KINDS

    @property
    def url(self) -> str:
        """The call-off's page, where its deliveries are recorded and its schedule is shown."""
        return reverse("procurement:call-off-detail", args=[self.object.call_off_line.call_off_id])


def deadlines(
    *, user, until: dt.date, today: dt.date | None = None, limit: int | None = None
) -> list[Deadline]:
    """Every scheduled delivery due up to ``until`` that deliveries have not yet covered (overdue
    ones included, so ``today`` changes nothing: it is taken for the shared signature), in one
    query; ``limit`` keeps the earliest ``limit``. Each row carries ``outstanding``, what is still
    to come of its tranche."""
    delivered = F("call_off_line__delivered_quantity")
    rows = (
        restrict(ScheduledDelivery.objects.all(), user, VIEW)
        .filter(due_date__lte=until, quantity_through__gt=delivered)
        .filter(call_off_line__delivered_quantity__lt=F("call_off_line__quantity"))
        .annotate(
            outstanding=Least(
                F("quantity"), F("quantity_through") - delivered, output_field=BigIntegerField()
            )
        )
        .select_related("call_off_line__call_off", "call_off_line__framework_line__item")
        .order_by("due_date", "pk")
    )
    return [Deadline(row.due_date, "delivery_due", row) for row in earliest(rows, limit)]
