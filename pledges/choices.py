from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class Commitment(models.IntegerChoices):
    """The nine commitments of the Industrial Capacity Expansion Pledge: one plan section each."""

    COOPERATION = 1, _("Cooperation, openness, demand signals and contracting")
    INDUSTRIAL_DEVELOPMENT = 2, _("National approach to industrial development")
    CRITICAL_CAPABILITIES = (
        3,
        _("Critical capabilities: battle-decisive munitions and air and missile defence"),
    )
    MULTINATIONAL_PROCUREMENT = 4, _("Large-scale multinational procurement")
    TECHNOLOGY_AND_SMES = 5, _("New technologies and SMEs")
    UKRAINE = 6, _("Cooperation with Ukraine's defence industry")
    PARTNERS = 7, _("Cooperation with partners: the EU, Australia, Japan, New Zealand, Republic of Korea")
    STANDARDS = 8, _("NATO standards, interoperability and interchangeability")
    SUPPLY_CHAINS = 9, _("Protection of defence-critical supply chains")


class InvestmentKind(models.TextChoices):
    NEW_LINE = "new", _("New production line")
    REACTIVATED = "reactivated", _("Reactivated production line")
    EXPANSION = "expansion", _("Expansion of an existing line")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class DatasetSource(models.TextChoices):
    NATO_EDITION = "nato_edition", _("NATO edition")
    NATIONAL_RETURN = "national_return", _("National return")


class DatasetStatus(models.TextChoices):
    """NATO editions are published as imported; a national return is a draft until submitted."""

    PUBLISHED = "published", _("Published")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Aggregate(models.TextChoices):
    """Alliance aggregates, built from the member nations' inputs (never averaged percentages)."""

    NATO_EUROPE_CANADA = "NATO_EU_CA", _("NATO Europe and Canada")
    NATO = "NATO", _("NATO total")


class AuditEvent(models.TextChoices):
    """Pledges' business events as the audit trail stores them (``ObjectChange.action``), beside
    the generic create, update and delete of ``portal.choices.AuditAction``."""

    PLAN_STARTED = "plan.started", _("Plan started")
    PLAN_SUBMITTED = "plan.submitted", _("Plan submitted")
    PLAN_REVIEW_STARTED = "plan.review_started", _("Plan review started")
    PLAN_RETURNED = "plan.returned", _("Plan returned")
    PLAN_ACCEPTED = "plan.accepted", _("Plan accepted")
    PLAN_OVERDUE = "plan.overdue", _("Plan overdue")
    DATASET_IMPORTED = "dataset.imported", _("Edition imported")
    DATASET_MADE_REFERENCE = "dataset.made_reference", _("Made the reference edition")
    RETURN_SUBMITTED = "return.submitted", _("Return submitted")


NOT_SUBMITTED = "not_submitted"
# The filing states in the order a cycle moves through them (a draft is "not submitted" here).
FILING_STATES = [
    (NOT_SUBMITTED, _("Not started / not submitted")),
    (PlanStatus.SUBMITTED.value, PlanStatus.SUBMITTED.label),
    (PlanStatus.IN_REVIEW.value, PlanStatus.IN_REVIEW.label),
    (PlanStatus.RETURNED.value, PlanStatus.RETURNED.label),
    (PlanStatus.ACCEPTED.value, PlanStatus.ACCEPTED.label),
]
# Still with the nation: these count days overdue once the cycle's due date has passed.
WITH_THE_NATION = {NOT_SUBMITTED, PlanStatus.RETURNED.value}
