"""Defence expenditure inputs and the Defence Investment Pledge metrics computed from them.

A dataset is one source of figures: a NATO edition (which revises history, so editions are never
mixed) or one nation's own return. Records are the inputs per nation and year; ``DipMetric`` rows are
derived by ``pledges.dip`` in a Celery job and never edited by hand. A NATO edition also carries the
ratios NATO printed (a record's ``published_pct_gdp``, NATO's aggregates in ``PublishedAggregate``):
they are the figures shown, and the recomputation from the inputs is their reconciliation.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pledges.choices import Aggregate, DatasetSource, DatasetStatus
from portal.audit import AuditScope, draft_key
from portal.models import Nation, alpha3

YEAR_MIN, YEAR_MAX = 1949, 2100
dip_year_validators = [MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
non_negative = [MinValueValidator(Decimal("0"))]
share_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def _amount(help_text: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, validators=non_negative, help_text=help_text
    )


def _share(help_text: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=share_validators,
        help_text=help_text,
    )


class ExpenditureDataset(models.Model):
    """One source of expenditure figures, with its edition and price base."""

    source = models.CharField(max_length=16, choices=DatasetSource.choices)
    title = models.CharField(max_length=200)
    edition_year = models.PositiveSmallIntegerField(validators=dip_year_validators)
    price_base_year = models.PositiveSmallIntegerField(
        validators=dip_year_validators, help_text=_("Constant prices are in this year's prices.")
    )
    currency_basis = models.CharField(
        max_length=3, default="USD", validators=[alpha3], help_text=_("Currency of the USD-basis amounts.")
    )
    published_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=10_000)
    # Only a national return belongs to a nation; NATO editions cover every Ally.
    nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, null=True, blank=True, related_name="expenditure_returns"
    )
    status = models.CharField(max_length=12, choices=DatasetStatus.choices, default=DatasetStatus.PUBLISHED)
    is_reference = models.BooleanField(default=False, help_text=_("The dataset the dashboard opens on."))
    # Bumped by every change to the records: metrics computed before it are stale.
    inputs_changed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expenditure dataset")
        verbose_name_plural = _("expenditure datasets")
        ordering = ["-edition_year", "source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition_year"],
                condition=Q(source=DatasetSource.NATO_EDITION),
                name="dip_one_nato_edition_per_year",
            ),
            models.UniqueConstraint(
                fields=["nation", "edition_year"],
                condition=Q(source=DatasetSource.NATIONAL_RETURN),
                name="dip_one_return_per_nation_year",
            ),
            models.UniqueConstraint(
                fields=["is_reference"], condition=Q(is_reference=True), name="dip_one_reference_dataset"
            ),
            models.CheckConstraint(
                name="dip_return_has_nation",
                condition=(Q(source=DatasetSource.NATIONAL_RETURN, nation__isnull=False))
                | (Q(source=DatasetSource.NATO_EDITION, nation__isnull=True)),
            ),
            models.CheckConstraint(
                name="dip_reference_is_nato_edition",
                condition=Q(is_reference=False) | Q(source=DatasetSource.NATO_EDITION),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_national_return(self) -> bool:
        return self.source == DatasetSource.NATIONAL_RETURN

    @property
    def is_editable(self) -> bool:
        return self.status == DatasetStatus.DRAFT

    def audit_scope(self) -> AuditScope:
        # A national return is its nation's alone until submitted; NATO editions are published.
        private = self.source == DatasetSource.NATIONAL_RETURN and self.status == DatasetStatus.DRAFT
        return AuditScope(self.nation_id, draft_key(self) if private else "")


# The input columns of a record, in the order imports, forms and exports use.
AMOUNT_FIELDS = (
    "def_nc_current_m",
    "def_usd_current_m",
    "gdp_usd_current_m",
    "def_usd_constant_m",
    "gdp_usd_constant_m",
    "core_defence_usd_constant_m",
    "security_related_usd_constant_m",
)
SHARE_FIELDS = ("equipment_pct", "personnel_pct", "infrastructure_pct", "other_pct")
INPUT_FIELDS = ("is_estimate", "currency", *AMOUNT_FIELDS, *SHARE_FIELDS)
# What a NATO edition publishes beside the inputs; a national return has none of them.
PUBLISHED_FIELDS = ("published_pct_gdp",)
EDITION_FIELDS = (*INPUT_FIELDS, *PUBLISHED_FIELDS)


class ExpenditureRecord(models.Model):
    """One nation's expenditure inputs for one year in one dataset (amounts in millions)."""

    dataset = models.ForeignKey(ExpenditureDataset, on_delete=models.CASCADE, related_name="records")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="expenditure_records")
    year = models.PositiveSmallIntegerField(validators=dip_year_validators)
    is_estimate = models.BooleanField(default=False)
    def_nc_current_m = _amount(_("Defence expenditure, national currency, current prices."))
    currency = models.CharField(max_length=3, blank=True, validators=[alpha3], help_text=_("ISO 4217."))
    def_usd_current_m = _amount(_("Defence expenditure, USD, current prices."))
    gdp_usd_current_m = _amount(_("GDP, USD, current prices."))
    def_usd_constant_m = _amount(_("Defence expenditure, USD, constant prices of the price-base year."))
    gdp_usd_constant_m = _amount(_("GDP, USD, constant prices of the price-base year."))
    equipment_pct = _share(_("Major equipment incl. related R&D, % of defence expenditure."))
    personnel_pct = _share(_("Personnel, % of defence expenditure."))
    infrastructure_pct = _share(_("Infrastructure, % of defence expenditure."))
    other_pct = _share(_("Other, % of defence expenditure."))
    core_defence_usd_constant_m = _amount(_("Hague core defence, USD constant prices (where known)."))
    security_related_usd_constant_m = _amount(
        _("Hague defence- and security-related spending, USD constant prices (where known).")
    )
    # NATO rounds its inputs to whole millions, so the ratio recomputed from them can print one
    # hundredth away from the ratio NATO published; the published one is the figure shown.
    published_pct_gdp = _share(_("NATO's published % of GDP (Table 3); NATO editions only."))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("expenditure record")
        verbose_name_plural = _("expenditure records")
        ordering = ["dataset", "nation__name", "year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "nation", "year"], name="dip_record_once_per_nation_year"
            ),
            models.CheckConstraint(
                name="dip_record_year_range", condition=Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX)
            ),
            *(
                models.CheckConstraint(name=f"dip_record_{f}_not_negative", condition=Q(**{f"{f}__gte": 0}))
                for f in AMOUNT_FIELDS
            ),
            *(
                models.CheckConstraint(
                    name=f"dip_record_{f}_is_share", condition=Q(**{f"{f}__gte": 0, f"{f}__lte": 100})
                )
                for f in (*SHARE_FIELDS, *PUBLISHED_FIELDS)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nation_id and self.nation.code} {self.year}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(self.nation_id, self.dataset.audit_scope().draft)

    def clean(self) -> None:
        shares = [getattr(self, f) for f in SHARE_FIELDS if getattr(self, f) is not None]
        if sum(shares, Decimal("0")) > 100:
            raise ValidationError({"other_pct": _("The category shares add up to more than 100%.")})
        for gdp in ("gdp_usd_current_m", "gdp_usd_constant_m"):
            if getattr(self, gdp) == 0:
                raise ValidationError({gdp: _("GDP cannot be zero.")})
        if self.def_nc_current_m is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the national-currency amount.")})


def _ratio(help_text: str) -> models.DecimalField:
    return models.DecimalField(max_digits=9, decimal_places=4, null=True, help_text=help_text)


class PublishedAggregate(models.Model):
    """NATO's own figures for an Alliance aggregate in one edition (the aggregate rows of its file).

    The portal builds aggregates from the nations' inputs; where the edition publishes the
    aggregate's ratio, NATO's figure is the one shown and the sum its reconciliation. Written only
    by the edition import; a national return has none.
    """

    dataset = models.ForeignKey(
        ExpenditureDataset, on_delete=models.CASCADE, related_name="published_aggregates"
    )
    subject = models.CharField(max_length=12, choices=Aggregate.choices)
    year = models.PositiveSmallIntegerField(validators=dip_year_validators)
    pct_gdp = _share(_("NATO's published % of GDP of the aggregate (Table 3)."))
    equipment_pct = _share(_("NATO's published equipment share of the aggregate (Table 8a)."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("published aggregate")
        verbose_name_plural = _("published aggregates")
        ordering = ["dataset", "subject", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "subject", "year"], name="dip_published_aggregate_once_per_year"
            ),
            *(
                models.CheckConstraint(
                    name=f"dip_published_aggregate_{f}_is_share",
                    condition=Q(**{f"{f}__gte": 0, f"{f}__lte": 100}),
                )
                for f in ("pct_gdp", "equipment_pct")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.year}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(None, "")  # NATO's published figures belong to no nation and no draft


class DipMetric(models.Model):
    """Defence Investment Pledge figures for one nation or aggregate, year and dataset.

    Written only by ``pledges.dip.recompute`` (an idempotent upsert on the unique key). ``stale`` is
    set in the same transaction as an input change and cleared by the recompute that follows.
    """

    dataset = models.ForeignKey(ExpenditureDataset, on_delete=models.CASCADE, related_name="metrics")
    # A nation's ISO code, or an Aggregate code; ``nation`` is set for nations only.
    subject = models.CharField(max_length=12)
    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    is_estimate = models.BooleanField(default=False)
    nations_count = models.PositiveSmallIntegerField(default=1, help_text=_("Nations whose inputs it sums."))
    # The figure is NATO's published one where the dataset has it, else the one computed from the
    # inputs; both are kept, so the difference can be listed (``reconcile``).
    pct_gdp = _ratio(_("% of GDP: NATO's published figure where the dataset has one, else computed."))
    equipment_pct = _ratio(_("Equipment share: NATO's published figure where there is one, else computed."))
    computed_pct_gdp = _ratio(_("% of GDP computed from the dataset's constant-price inputs."))
    published_pct_gdp = _ratio(_("NATO's published % of GDP; empty where the dataset publishes none."))
    computed_equipment_pct = _ratio(_("Equipment share computed from the inputs (weighted for aggregates)."))
    published_equipment_pct = _ratio(_("NATO's published equipment share; empty where there is none."))
    reconcile = models.BooleanField(
        default=False,
        help_text=_(
            "A published figure and its recomputation differ by more than 0.005 points or print "
            "differently at two decimals: the figure is listed in the reconciliation."
        ),
    )
    real_change_pct = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    meets_2pct = models.BooleanField(null=True)
    meets_20pct = models.BooleanField(null=True)
    hague_core_pct = models.DecimalField(max_digits=9, decimal_places=4, null=True)
    hague_gap_pct = models.DecimalField(max_digits=9, decimal_places=4, null=True)
    hague_related_pct = models.DecimalField(max_digits=9, decimal_places=4, null=True)
    path_base_year = models.PositiveSmallIntegerField(null=True)
    path_pct = models.DecimalField(max_digits=9, decimal_places=4, null=True)
    on_track = models.BooleanField(null=True)
    stale = models.BooleanField(default=False)
    computed_at = models.DateTimeField()
    input_watermark = models.DateTimeField(null=True, help_text=_("Latest input change the figures include."))

    class Meta:
        verbose_name = _("DIP metric")
        verbose_name_plural = _("DIP metrics")
        ordering = ["dataset", "subject", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "subject", "year"], name="dip_metric_once_per_subject_year"
            )
        ]
        indexes = [models.Index(fields=["dataset", "year"], name="dip_metric_dataset_year")]

    def __str__(self) -> str:
        return f"{self.subject} {self.year}"
