"""From demand to delivery: what nations need, what NSPA contracted, what was ordered, what arrived.

Running totals (a framework's committed value, a line's ordered quantity, a call-off line's
delivered quantity) are kept on the parent row and only changed under ``select_for_update`` in the
services, so concurrent writers can never overshoot a ceiling or a maximum.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.audit import loaded_name
from portal.models import Nation, alpha3
from procurement.choices import AmendmentRationale, CapabilityArea, Firmness, FrameworkStatus, ProgrammeKind

MONEY = {"max_digits": 18, "decimal_places": 2}
year_validators = [MinValueValidator(1949), MaxValueValidator(2100)]
nsn_validator = RegexValidator(
    r"^\d{4}-\d{2}-\d{3}-\d{4}$", _("Use the NATO stock number form 1234-12-123-1234.")
)


class Item(models.Model):
    """An entry of the harmonised catalogue: what nations demand and frameworks buy."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    capability_area = models.CharField(max_length=20, choices=CapabilityArea.choices, db_index=True)
    unit = models.CharField(max_length=30, help_text=_("Unit of measure, e.g. round, missile, fuze."))
    nato_stock_number = models.CharField(max_length=16, blank=True, validators=[nsn_validator])
    # The standard editions an item must meet are standards.ItemRequirement rows
    # (``item.standard_requirements``); they replaced a free list of STANAG designations.

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class DemandSignal(models.Model):
    """A nation's stated need for an item in one year."""

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="demand_signals")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="demand_signals")
    year = models.PositiveSmallIntegerField(validators=year_validators)
    quantity = models.PositiveBigIntegerField()
    firmness = models.CharField(max_length=12, choices=Firmness.choices)
    notes = models.TextField(blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("demand signal")
        verbose_name_plural = _("demand signals")
        ordering = ["item__name", "year", "nation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "item", "year"], name="demand_one_per_nation_item_year")
        ]
        # Aggregated demand groups by item and year and reads only these columns: on PostgreSQL
        # this index gives it the rows already in group order, without touching the table or
        # sorting (half the capacity view's demand query at 70,000 signals, bench/boards.py).
        # SQLite ignores INCLUDE and keeps a plain (item, year) index.
        indexes = [
            models.Index(
                fields=["item", "year"],
                include=["nation", "firmness", "quantity"],
                name="demand_item_year_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nation_id}/{self.item_id}/{self.year}: {self.quantity}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'nation')}, {loaded_name(self, 'item')}, {self.year}: {self.quantity}"


class Programme(models.Model):
    """A multinational programme or support partnership, e.g. the Ammunition Support Partnership."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ProgrammeKind.choices)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Nation, through="ProgrammeMembership", related_name="programmes")

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ProgrammeMembership(models.Model):
    """A nation's membership of a programme, from the date it joined."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField()

    class Meta:
        verbose_name = _("programme membership")
        verbose_name_plural = _("programme memberships")
        ordering = ["programme", "joined_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "nation"], name="programme_member_once")]

    def __str__(self) -> str:
        return f"{self.nation_id} in {self.programme_id}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'nation')} in {loaded_name(self, 'programme')}"


class Supplier(models.Model):
    """A company holding NSPA contracts."""

    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=3, validators=[alpha3], help_text=_("ISO 3166 alpha-3."))

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


# The committed share of its ceiling at which a framework is near it: the workspace lists it, and
# NSPA is told when a write brings it there (``framework_near_ceiling``).
NEAR_CEILING = Decimal("0.9")


class FrameworkContract(models.Model):
    """An NSPA multinational framework under which participating nations place call-offs."""

    reference = models.CharField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="frameworks"
    )
    suppliers = models.ManyToManyField(Supplier, related_name="frameworks")
    currency = models.CharField(max_length=3, validators=[alpha3])
    ceiling_value = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    firm_order_value = models.DecimalField(
        **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    # Sum of call-off values; changed only by the call-off service under a row lock.
    committed_value = models.DecimalField(**MONEY, default=Decimal("0"), editable=False)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=12, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT)
    participants = models.ManyToManyField(Nation, through="FrameworkParticipant", related_name="frameworks")
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("framework contract")
        verbose_name_plural = _("framework contracts")
        ordering = ["-period_start", "reference", "pk"]
        constraints = [
            models.CheckConstraint(
                name="framework_period_ordered", condition=Q(period_end__gte=F("period_start"))
            ),
            models.CheckConstraint(
                name="framework_firm_within_ceiling", condition=Q(firm_order_value__lte=F("ceiling_value"))
            ),
            models.CheckConstraint(
                name="framework_committed_within_ceiling",
                condition=Q(committed_value__lte=F("ceiling_value")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period must end on or after its start.")
        if (
            self.ceiling_value is not None
            and self.firm_order_value is not None
            and self.firm_order_value > self.ceiling_value
        ):
            errors["firm_order_value"] = _("Firm orders cannot exceed the ceiling.")
        if (
            self.ceiling_value is not None
            and self.committed_value is not None
            and self.ceiling_value < self.committed_value
        ):
            errors["ceiling_value"] = _(
                "The ceiling cannot fall below the %(committed)s already committed."
            ) % {"committed": self.committed_value}
        if errors:
            raise ValidationError(errors)

    @property
    def remaining_value(self) -> Decimal:
        return self.ceiling_value - self.committed_value

    @property
    def near_ceiling(self) -> bool:
        """Active with at least ``NEAR_CEILING`` of its ceiling committed (as
        ``selectors.frameworks_near_ceiling`` reads it in SQL)."""
        active = self.status == FrameworkStatus.ACTIVE
        return active and self.committed_value >= self.ceiling_value * NEAR_CEILING

    @property
    def committed_percent(self) -> int:
        """The committed share of the ceiling in whole percent, rounded down: 100 only when full."""
        return int(self.committed_value * 100 // self.ceiling_value)

    # What a reader is shown of the committed figures: None where ``selectors.framework_list``
    # withheld them from that reader (portal.aggregates).
    @property
    def committed_shown(self) -> Decimal | None:
        return None if getattr(self, "figures_withheld", False) else self.committed_value

    @property
    def remaining_shown(self) -> Decimal | None:
        return None if getattr(self, "figures_withheld", False) else self.remaining_value


class FrameworkParticipant(models.Model):
    """A nation taking part in a framework, from its join date (a nation may join later)."""

    framework = models.ForeignKey(FrameworkContract, on_delete=models.CASCADE, related_name="participations")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField()

    class Meta:
        verbose_name = _("framework participant")
        verbose_name_plural = _("framework participants")
        ordering = ["framework", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "nation"], name="framework_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} in {self.framework_id}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'nation')} in {loaded_name(self, 'framework')}"


class FrameworkLine(models.Model):
    """An item a framework buys, its unit price and the most that may be ordered."""

    framework = models.ForeignKey(FrameworkContract, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="framework_lines")
    unit_price = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    max_quantity = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    # Sum of call-off quantities; changed only under the framework's row lock.
    ordered_quantity = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("framework line")
        verbose_name_plural = _("framework lines")
        ordering = ["framework", "item__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "item"], name="framework_line_item_once"),
            models.CheckConstraint(
                name="framework_line_within_max", condition=Q(ordered_quantity__lte=F("max_quantity"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework_id}: {self.item_id}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'framework')}: {loaded_name(self, 'item')}"

    @property
    def ordered_shown(self) -> int | None:
        """``ordered_quantity``, or None where the framework's selector withheld the lines' orders
        from the reader (the lines come prefetched on it)."""
        return None if getattr(self.framework, "ordered_withheld", False) else self.ordered_quantity


class Amendment(models.Model):
    """A change to a framework (OCDS style): when, why, and the values before and after."""

    framework = models.ForeignKey(FrameworkContract, on_delete=models.CASCADE, related_name="amendments")
    date = models.DateField()
    rationale = models.CharField(max_length=24, choices=AmendmentRationale.choices)
    description = models.TextField()
    # {"field": {"old": ..., "new": ...}}
    changes = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["framework", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.framework_id} {self.date} {self.rationale}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'framework')}, {self.date}: {self.get_rationale_display()}"


class CallOff(models.Model):
    """An order placed by one participating nation under a framework."""

    framework = models.ForeignKey(FrameworkContract, on_delete=models.PROTECT, related_name="call_offs")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="call_offs")
    reference = models.CharField(max_length=60, unique=True)
    order_date = models.DateField()
    total_value = models.DecimalField(**MONEY, default=Decimal("0"), editable=False)
    illustrative = models.BooleanField(default=False, help_text=_("Demo data, not a real order."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call-off")
        verbose_name_plural = _("call-offs")
        ordering = ["-order_date", "reference", "pk"]

    def __str__(self) -> str:
        return self.reference


class CallOffLine(models.Model):
    """A quantity of one framework line ordered by a call-off, at the framework's unit price."""

    call_off = models.ForeignKey(CallOff, on_delete=models.CASCADE, related_name="lines")
    framework_line = models.ForeignKey(FrameworkLine, on_delete=models.PROTECT, related_name="call_off_lines")
    quantity = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(**MONEY)
    value = models.DecimalField(**MONEY)
    # Running totals of deliveries; changed only under this row's lock.
    delivered_quantity = models.PositiveBigIntegerField(default=0, editable=False)
    accepted_quantity = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("call-off line")
        verbose_name_plural = _("call-off lines")
        ordering = ["call_off", "pk"]
        constraints = [
            models.CheckConstraint(
                name="calloff_line_delivered_within_ordered",
                condition=Q(delivered_quantity__lte=F("quantity")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_off_id}/{self.pk}"

    def audit_name(self) -> str:
        line = self._state.fields_cache.get("framework_line")
        item = loaded_name(line, "item") if line is not None else f"#{self.framework_line_id}"
        return f"{loaded_name(self, 'call_off')}, {item}"

    @property
    def outstanding_quantity(self) -> int:
        return self.quantity - self.delivered_quantity


class ScheduledDelivery(models.Model):
    """The requested delivery schedule of a call-off line: a quantity by a due date.

    A line's deliveries cover its schedule in due-date order (then pk), so a tranche is still open
    while ``quantity_through``, the schedule's quantity up to and including it, exceeds the line's
    ``delivered_quantity``. ``calloff_create`` writes it with the tranche, and a schedule never
    changes, so what is late or due is a comparison of two columns, not a running sum per read.
    """

    call_off_line = models.ForeignKey(CallOffLine, on_delete=models.CASCADE, related_name="schedule")
    due_date = models.DateField()
    quantity = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    quantity_through = models.PositiveBigIntegerField(editable=False)

    class Meta:
        verbose_name = _("scheduled delivery")
        verbose_name_plural = _("scheduled deliveries")
        ordering = ["call_off_line", "due_date", "pk"]
        # The tranches in due order, for the late lines and the deadlines (procurement.selectors).
        indexes = [models.Index(fields=["due_date", "id"], name="schedule_due_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} by {self.due_date}"


class DeliveryImport(models.Model):
    """One uploaded delivery file; its hash lets a re-upload be recognised."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    row_count = models.PositiveIntegerField()
    created_count = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery import")
        verbose_name_plural = _("delivery imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_count}/{self.row_count})"


class Delivery(models.Model):
    """A (possibly partial) delivery against a call-off line, and what was accepted of it."""

    call_off_line = models.ForeignKey(CallOffLine, on_delete=models.PROTECT, related_name="deliveries")
    delivered_on = models.DateField()
    accepted_on = models.DateField(
        null=True, blank=True, help_text=_("Date of acceptance; lead time ends here.")
    )
    quantity_delivered = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    quantity_accepted = models.PositiveBigIntegerField(default=0)
    quantity_rejected = models.PositiveBigIntegerField(default=0)
    rejection_reason = models.CharField(max_length=300, blank=True)
    lot_number = models.CharField(max_length=60)
    location = models.CharField(max_length=120, blank=True)
    imported_in = models.ForeignKey(
        DeliveryImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call_off_line", "lot_number"], name="delivery_lot_once_per_line"
            ),
            models.CheckConstraint(
                name="delivery_accepted_plus_rejected",
                condition=Q(quantity_delivered=F("quantity_accepted") + F("quantity_rejected")),
            ),
        ]
        indexes = [
            models.Index(fields=["delivered_on"], name="delivery_date_idx"),
            # The few deliveries awaiting acceptance, oldest first, out of a million
            # (selectors.deliveries_awaiting_acceptance).
            models.Index(
                fields=["delivered_on", "id"],
                condition=Q(accepted_on__isnull=True, quantity_accepted__gt=0),
                name="delivery_awaiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"lot {self.lot_number}: {self.quantity_delivered}"

    def clean(self) -> None:
        errors = {}
        if (self.quantity_accepted or 0) + (self.quantity_rejected or 0) != (self.quantity_delivered or 0):
            errors["quantity_rejected"] = _("Accepted plus rejected must equal the quantity delivered.")
        if self.quantity_rejected and not self.rejection_reason.strip():
            errors["rejection_reason"] = _("Give a reason for the rejected quantity.")
        if self.accepted_on and self.delivered_on and self.accepted_on < self.delivered_on:
            errors["accepted_on"] = _("Acceptance cannot come before delivery.")
        if errors:
            raise ValidationError(errors)


class DeliveredPerYear(models.Model):
    """The quantity delivered of one item to one nation in one calendar year: a running total the
    delivery services keep in each delivery's own transaction, as they keep a call-off line's
    ``delivered_quantity``. A recorded delivery is never deleted, and its line (so its item and
    nation), date and quantity never change, so the total only ever grows by what a delivery adds.
    Analytics read these few thousand rows instead of a million deliveries (issue 13's capacity
    view); ``procurement.services.delivered_per_year_rebuild`` recomputes them from the deliveries,
    and a test holds the two equal."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quantity = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("yearly delivered total")
        verbose_name_plural = _("yearly delivered totals")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "nation", "year"], name="delivered_once_per_item_nation_year"
            )
        ]
        indexes = [models.Index(fields=["year", "item"], name="delivered_year_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} to {self.nation_id} in {self.year}: {self.quantity}"


class OrderedPerYear(models.Model):
    """The quantity one nation called off of one item in one calendar year (of the order date): a
    running total ``calloff_create`` keeps in the call-off's own transaction. A placed call-off's
    lines, nation and date never change and a call-off is never deleted, so the total only grows.
    Aggregated demand reads these few thousand rows rather than every call-off line, joined to its
    call-off and framework line (issue 13's capacity view); ``ordered_per_year_rebuild``
    recomputes them, and a test holds the two equal."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quantity = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("yearly ordered total")
        verbose_name_plural = _("yearly ordered totals")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "nation", "year"], name="ordered_once_per_item_nation_year"
            )
        ]
        indexes = [models.Index(fields=["year", "item"], name="ordered_year_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} for {self.nation_id} in {self.year}: {self.quantity}"
