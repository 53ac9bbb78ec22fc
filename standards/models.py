"""The standards catalogue: documents and their editions, each nation's ratification and
implementation of an edition, review cycles, change proposals and what catalogue items require.

Editions are history. A new edition is a new ``Standard`` row that ``supersedes`` the old one; the
old row's national responses stay with it, and the new one starts with none.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import loaded_name
from portal.models import Nation
from procurement.models import Item
from standards.choices import (
    RATIFIED,
    DocumentType,
    Implementation,
    Level,
    ProposalStatus,
    Ratification,
    ReviewOutcome,
    ReviewStatus,
    Service,
    StandardStatus,
)

number_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9.\-]{0,29}$", _("Use capital letters, digits, dots and hyphens, e.g. 4425 or AOP-29.")
)
edition_validator = RegexValidator(
    r"^[0-9A-Z][0-9A-Za-z.]{0,7}( v[0-9]{1,3})?$", _("Use the edition as written, e.g. 3, D or D v1.")
)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months on, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Domain(models.Model):
    """A subject area of the catalogue (land battle decisive munitions, air and missile defence...),
    maintained by the secretariat."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    name_fr = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["order", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        language = language or _language()
        return self.name_fr if language == "fr" and self.name_fr else self.name


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "en")[:2]


class Standard(models.Model):
    """One edition of a standardisation document (a STANAG, a STANREC or an Allied Publication)."""

    doc_type = models.CharField(_("type"), max_length=8, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=30, validators=[number_validator])
    edition = models.CharField(_("edition"), max_length=12, validators=[edition_validator])
    title = models.CharField(_("title"), max_length=300)
    title_fr = models.CharField(_("French title"), max_length=300, blank=True)
    covering_publication = models.CharField(_("covering publication"), max_length=40, blank=True)
    covering_edition = models.CharField(_("covering publication edition"), max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=StandardStatus.choices, db_index=True)
    promulgated_on = models.DateField(_("promulgation date"), null=True, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    custodian = models.CharField(_("custodian"), max_length=120, blank=True)
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="standards", verbose_name=_("domain")
    )
    level = models.CharField(_("level of standardisation"), max_length=20, choices=Level.choices)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    review_cycle_months = models.PositiveSmallIntegerField(
        _("review cycle (months)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    last_reviewed_on = models.DateField(_("last review completed"), null=True, blank=True, editable=False)
    # Computed in save() from the dates above and the cycle; no form or API field writes it.
    next_review_due = models.DateField(
        _("next review due"), null=True, blank=True, editable=False, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["doc_type", "number", "edition", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "number", "edition"],
                name="standard_one_per_type_number_edition",
                violation_error_message=_("This type, number and edition is already in the catalogue."),
            ),
            models.CheckConstraint(
                condition=~models.Q(supersedes=models.F("pk")), name="standard_not_superseding_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.designation} Ed. {self.edition}"

    def save(self, *args, **kwargs):
        self.next_review_due = self.compute_next_review_due()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "next_review_due"}
        super().save(*args, **kwargs)

    @property
    def designation(self) -> str:
        """How the document is cited: "STANAG 4425", "STANREC 4770", or an AP's own code, "AOP-29"."""
        if self.doc_type == DocumentType.AP:
            return self.number
        return f"{self.get_doc_type_display()} {self.number}"

    def display_title(self, language: str | None = None) -> str:
        language = language or _language()
        return self.title_fr if language == "fr" and self.title_fr else self.title

    def compute_next_review_due(self) -> dt.date | None:
        """Only a promulgated edition is reviewed: a cycle after its last review, or after it took
        effect (or was promulgated) when it has not been reviewed yet."""
        if self.status != StandardStatus.PROMULGATED:
            return None
        base = self.last_reviewed_on or self.effective_on or self.promulgated_on
        return add_months(base, self.review_cycle_months) if base else None

    def clean(self) -> None:
        errors = {}
        self.number = (self.number or "").strip().upper()
        self.edition = (self.edition or "").strip()
        if self.status in (StandardStatus.PROMULGATED, StandardStatus.SUPERSEDED) and not self.promulgated_on:
            errors["promulgated_on"] = _("A promulgated edition needs its promulgation date.")
        if self.promulgated_on and self.effective_on and self.effective_on < self.promulgated_on:
            errors["effective_on"] = _("The effective date cannot be before the promulgation date.")
        if self.supersedes_id and self.supersedes_id == self.pk:
            errors["supersedes"] = _("An edition cannot supersede itself.")
        if errors:
            raise ValidationError(errors)


class NationalResponse(models.Model):
    """A nation's ratification and implementation of one edition. There is no draft: a saved
    response is recorded, and every Ally reads it (ratification status is shared among Allies)."""

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="standard_responses")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="responses")
    ratification = models.CharField(
        _("ratification"), max_length=16, choices=Ratification.choices, default=Ratification.NO_RESPONSE
    )
    ratification_reference = models.CharField(_("ratification reference"), max_length=120, blank=True)
    ratified_on = models.DateField(_("ratification date"), null=True, blank=True)
    reservations = models.TextField(_("reservations"), blank=True)
    implementation = models.CharField(
        _("implementation"),
        max_length=16,
        choices=Implementation.choices,
        default=Implementation.NOT_IMPLEMENTED,
    )
    implementation_date = models.DateField(_("implementation date"), null=True, blank=True)
    implemented_without_ratification = models.BooleanField(
        _("implemented without ratification"), default=False
    )
    without_ratification_reason = models.TextField(
        _("reason for implementing without ratification"), blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("national response")
        verbose_name_plural = _("national responses")
        ordering = ["standard", "nation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "standard"], name="response_one_per_nation_edition"),
        ]

    def __str__(self) -> str:
        return f"{self.nation_id}: {self.standard}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'nation')}: {loaded_name(self, 'standard')}"

    @property
    def is_ratified(self) -> bool:
        return self.ratification in RATIFIED

    def clean(self) -> None:
        errors = rule_errors(
            ratification=self.ratification,
            ratified_on=self.ratified_on,
            reservations=self.reservations,
            implementation=self.implementation,
            implementation_date=self.implementation_date,
            without_ratification=self.implemented_without_ratification,
            reason=self.without_ratification_reason,
        )
        if errors:
            raise ValidationError(errors)


def rule_errors(
    *,
    ratification: str,
    ratified_on: dt.date | None,
    reservations: str,
    implementation: str,
    implementation_date: dt.date | None,
    without_ratification: bool = False,
    reason: str = "",
    date_field: str = "implementation_date",
) -> dict[str, str]:
    """The rules of one response (or one service's line of it), as field messages. The form, the
    import and the model share them, so a row says the same thing wherever it was typed."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if ratified_on and ratified_on > today:
        errors["ratified_on"] = _("A ratification date cannot be in the future.")
    if ratified_on and ratification not in RATIFIED:
        errors["ratified_on"] = _("Only a ratification has a ratification date.")
    if ratification == Ratification.RESERVATIONS and not reservations.strip():
        errors["reservations"] = _("State the reservations.")
    if implementation == Implementation.PLANNED and not implementation_date:
        errors[date_field] = _("A planned implementation needs its planned date.")
    if implementation == Implementation.IMPLEMENTED and implementation_date and implementation_date > today:
        errors[date_field] = _("An implementation date cannot be in the future; record it as planned.")
    if implementation == Implementation.NOT_IMPLEMENTED and implementation_date:
        errors[date_field] = _("Only a planned or implemented standard has an implementation date.")
    if implementation == Implementation.IMPLEMENTED and ratification not in RATIFIED:
        if not without_ratification:
            errors["implemented_without_ratification"] = _(
                "Implemented without a ratification: tick “implemented without ratification” "
                "and give the reason."
            )
        elif not reason.strip():
            errors["without_ratification_reason"] = _(
                "Give the reason for implementing without ratification."
            )
    elif without_ratification and (implementation != Implementation.IMPLEMENTED or ratification in RATIFIED):
        errors["implemented_without_ratification"] = _(
            "Only an implemented, unratified standard is implemented without ratification."
        )
    return errors


class ServiceImplementation(models.Model):
    """A response's implementation in one service (army, navy, air force), where it differs."""

    response = models.ForeignKey(NationalResponse, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    implementation = models.CharField(_("implementation"), max_length=16, choices=Implementation.choices)
    implementation_date = models.DateField(_("implementation date"), null=True, blank=True)

    class Meta:
        verbose_name = _("service implementation")
        verbose_name_plural = _("service implementations")
        ordering = ["response", "service", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "service"], name="service_once_per_response")
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.service}"

    def audit_scope(self):
        from portal.audit import AuditScope

        return AuditScope(nation_id=self.response.nation_id)


class ReviewCycle(models.Model):
    """One review of an edition: due, in progress, then completed with an outcome."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DUE
    )
    started_on = models.DateField(_("started"), null=True, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReviewOutcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    new_edition = models.OneToOneField(
        Standard, on_delete=models.PROTECT, null=True, blank=True, related_name="created_by_review"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("standard review")
        verbose_name_plural = _("standard reviews")
        ordering = ["standard", "-due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ReviewStatus.COMPLETED, completed_on__isnull=False)
                & ~models.Q(outcome="")
                | ~models.Q(status=ReviewStatus.COMPLETED) & models.Q(outcome=""),
                name="review_outcome_iff_completed",
            ),
        ]

    def __str__(self) -> str:
        # The due date is shown beside it wherever it matters, in the reader's format.
        return f"{self.standard} review"


class ChangeProposal(models.Model):
    """A nation's proposal to change an edition, and the custodian's decision on it."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="proposals")
    nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposer nation")
    )
    text = models.TextField(_("proposal"))
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")
        ordering = ["standard", "-submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.nation_id} on {self.standard}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'nation')} on {loaded_name(self, 'standard')}"

    def clean(self) -> None:
        decided = self.status in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)
        if decided and not (self.decision.strip() and self.decided_on):
            raise ValidationError({"decision": _("A decision needs its text and date.")})


class ItemRequirement(models.Model):
    """A catalogue item must meet this edition: what ties a standard to what nations buy."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="standard_requirements")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="item_requirements")

    class Meta:
        verbose_name = _("item requirement")
        verbose_name_plural = _("item requirements")
        ordering = ["item", "standard", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "standard"], name="requirement_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id} requires {self.standard_id}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'item')} requires {loaded_name(self, 'standard')}"


class UnmatchedDesignation(models.Model):
    """A STANAG designation from the old free list on an item that the data migration could not
    match to a catalogue edition: kept, and listed for the secretariat to resolve."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="unmatched_designations")
    designation = models.CharField(max_length=60)

    class Meta:
        verbose_name = _("unmatched designation")
        verbose_name_plural = _("unmatched designations")
        ordering = ["item", "designation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "designation"], name="unmatched_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.designation}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'item')}: {self.designation}"
