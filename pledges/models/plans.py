"""Industrial Capacity Expansion Pledge national plans and their review.

A plan's content lives in versions. The working version is a draft; submitting freezes it, and a
return opens a new draft version copied from the frozen one, so every submitted text stays as it
was reviewed. Entries carry a ``key`` that survives the copy, which is what the diff pairs on.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import classproperty
from django.utils.translation import gettext_lazy as _

from pledges.choices import Commitment, InvestmentKind, MeasureStatus, PlanStatus
from portal.audit import AuditScope, draft_key, loaded_name
from portal.models import Nation, alpha3

year_validators = [MinValueValidator(2000), MaxValueValidator(2100)]


class PlanCycle(models.Model):
    """One yearly filing cycle, with the date plans are due."""

    year = models.PositiveSmallIntegerField(unique=True, validators=year_validators)
    due_date = models.DateField()

    class Meta:
        verbose_name = _("plan cycle")
        verbose_name_plural = _("plan cycles")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class NationalPlan(models.Model):
    """A nation's plan for one cycle. ``status`` changes only through the workflow services."""

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="plans")
    cycle = models.ForeignKey(PlanCycle, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(
        max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    # The version being edited (a draft) or, once submitted, the latest frozen version.
    current_version = models.ForeignKey(
        "PlanVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set at the first submission and kept: from then on the secretariat may see the plan.
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overdue = models.BooleanField(default=False, db_index=True)
    classification = models.CharField(max_length=60, default="NATO UNCLASSIFIED")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("national plan")
        verbose_name_plural = _("national plans")
        ordering = ["-cycle__year", "nation__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["nation", "cycle"], name="plan_one_per_nation_cycle")]

    def __str__(self) -> str:
        return f"{self.nation} plan {self.cycle_id and self.cycle.year}"

    @property
    def is_editable(self) -> bool:
        return self.status in {PlanStatus.DRAFT, PlanStatus.RETURNED}

    def audit_scope(self) -> AuditScope:
        # Until its first submission nobody outside the nation may see the plan at all; its rows
        # belong to the draft version and are released with it.
        if self.first_submitted_at is None and self.current_version_id is not None:
            return AuditScope(self.nation_id, f"pledges.planversion:{self.current_version_id}")
        return AuditScope(self.nation_id)


class PlanVersion(models.Model):
    """One version of a plan's content; frozen once submitted."""

    plan = models.ForeignKey(NationalPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    frozen = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_once")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(self.plan.nation_id, "" if self.frozen else draft_key(self))


class _InVersion:
    """Sections and entries are as private as the version they belong to."""

    def audit_scope(self) -> AuditScope:
        return self.plan_version.audit_scope()


class PlanSection(_InVersion, models.Model):
    """The narrative of one pledge commitment in one version; edited with optimistic locking."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sections")
    commitment = models.PositiveSmallIntegerField(choices=Commitment.choices)
    narrative = models.TextField(blank=True, max_length=50_000)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")
        ordering = ["plan_version", "commitment"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "commitment"], name="plan_section_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_version} section {self.commitment}"


class PlanEntry(_InVersion, models.Model):
    """Fields shared by the structured entries of a plan version."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="%(class)ss")
    # Stable across versions: the diff pairs entries on it.
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    commitment = models.PositiveSmallIntegerField(choices=Commitment.choices)
    illustrative = models.BooleanField(default=False, help_text=_("Demo data, not a nation's figures."))

    # How a version's prefetch reads this kind: its order and the relations selected with it.
    entry_ordering: ClassVar[tuple[str, ...]] = ("pk",)
    entry_select: ClassVar[tuple[str, ...]] = ()
    # The fields a reader compares and sees, in display order (diffs, review).
    shown_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @classproperty
    def entry_kind(cls) -> str:
        """The kind's one name (the services' ``kind``, the editor's URL segment, the API's path);
        every layer's per-kind table is keyed on the model, found through ``ENTRY_KINDS``."""
        return cls._meta.model_name

    @classproperty
    def entry_related(cls) -> str:
        """The relation on ``PlanVersion`` (the ``%(class)ss`` related name)."""
        return f"{cls._meta.model_name}s"

    def same_entry_key(self) -> tuple:
        """What makes this the same entry in another year's plan (entries of one plan's versions
        pair on ``key`` instead)."""
        raise NotImplementedError

    def entry_label(self) -> str:
        raise NotImplementedError


class CapacityLine(PlanEntry):
    """Planned national production capacity for one catalogue item."""

    entry_ordering = ("item__name", "pk")
    entry_select = ("item",)
    shown_fields = (
        "item", "site", "baseline_output", "baseline_year", "current_output", "target_output",
        "target_year", "surge_capacity", "lead_time_months", "commitment",
    )  # fmt: skip
    item = models.ForeignKey("procurement.Item", on_delete=models.PROTECT, related_name="capacity_lines")
    site = models.CharField(max_length=200, help_text=_("Production site or company."))
    baseline_output = models.PositiveBigIntegerField(help_text=_("Annual output in the baseline year."))
    baseline_year = models.PositiveSmallIntegerField(validators=year_validators)
    current_output = models.PositiveBigIntegerField()
    target_output = models.PositiveBigIntegerField()
    target_year = models.PositiveSmallIntegerField(validators=year_validators)
    surge_capacity = models.PositiveBigIntegerField(default=0, help_text=_("Extra annual output in a surge."))
    lead_time_months = models.PositiveSmallIntegerField(validators=[MaxValueValidator(240)])

    class Meta:
        verbose_name = _("capacity line")
        verbose_name_plural = _("capacity lines")
        ordering = ["plan_version", "item__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan_version", "key"], name="capacity_key_once_per_version"),
            models.CheckConstraint(
                name="capacity_target_after_baseline", condition=Q(target_year__gte=F("baseline_year"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} at {self.site}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'item')} at {self.site}"

    def same_entry_key(self) -> tuple:
        return (self.item_id, self.site.strip().lower())

    def entry_label(self) -> str:
        return f"{self.item} — {self.site}"

    def clean(self) -> None:
        if self.target_year and self.baseline_year and self.target_year < self.baseline_year:
            raise ValidationError({"target_year": _("The target year cannot precede the baseline year.")})


class Investment(PlanEntry):
    """An investment in new or reactivated production lines."""

    entry_ordering = ("year", "pk")
    shown_fields = ("description", "kind", "value", "currency", "year", "commitment")
    description = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=InvestmentKind.choices)
    value = models.DecimalField(max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3, validators=[alpha3])
    year = models.PositiveSmallIntegerField(validators=year_validators)

    class Meta:
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        ordering = ["plan_version", "year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan_version", "key"], name="investment_key_once_per_version")
        ]

    def __str__(self) -> str:
        return self.description

    def same_entry_key(self) -> tuple:
        return (self.description.strip().lower(),)

    def entry_label(self) -> str:
        return self.description


class Measure(PlanEntry):
    """A national measure under one commitment, with its status and due date."""

    entry_ordering = ("commitment", "pk")
    shown_fields = ("title", "status", "due_date", "commitment")
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["plan_version", "commitment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan_version", "key"], name="measure_key_once_per_version")
        ]

    def __str__(self) -> str:
        return self.title

    def same_entry_key(self) -> tuple:
        return (self.title.strip().lower(),)

    def entry_label(self) -> str:
        return self.title


class ReviewComment(models.Model):
    """A reviewer's comment on a submitted version, on one section or on the plan as a whole."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="comments")
    commitment = models.PositiveSmallIntegerField(choices=Commitment.choices, null=True, blank=True)
    text = models.TextField(max_length=10_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["plan_version", "commitment", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


# The one registry of entry kinds, in display order: name -> model.
ENTRY_KINDS: dict[str, type[PlanEntry]] = {
    model.entry_kind: model for model in (CapacityLine, Investment, Measure)
}
