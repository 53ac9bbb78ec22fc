from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    STANAG = "stanag", _("STANAG")
    STANREC = "stanrec", _("STANREC")
    AP = "ap", _("Allied Publication")


class StandardStatus(models.TextChoices):
    STUDY = "study", _("Study")
    RATIFICATION_DRAFT = "ratification_draft", _("Ratification draft")
    PROMULGATED = "promulgated", _("Promulgated")
    SUPERSEDED = "superseded", _("Superseded")
    CANCELLED = "cancelled", _("Cancelled")


# A nation may respond to an edition in these states; Study and Cancelled take no response.
RESPONDABLE = frozenset(
    {StandardStatus.RATIFICATION_DRAFT, StandardStatus.PROMULGATED, StandardStatus.SUPERSEDED}
)


class Level(models.TextChoices):
    """The level of standardisation an edition seeks (AAP-06's four levels)."""

    COMPATIBILITY = "compatibility", _("Compatibility")
    INTEROPERABILITY = "interoperability", _("Interoperability")
    INTERCHANGEABILITY = "interchangeability", _("Interchangeability")
    COMMONALITY = "commonality", _("Commonality")


class Ratification(models.TextChoices):
    RATIFIED = "ratified", _("Ratified")
    RESERVATIONS = "reservations", _("Ratified with reservations")
    WILL_NOT_RATIFY = "will_not_ratify", _("Will not ratify")
    NO_RESPONSE = "no_response", _("No response")


RATIFIED = frozenset({Ratification.RATIFIED, Ratification.RESERVATIONS})


class Implementation(models.TextChoices):
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
    PLANNED = "planned", _("Planned")
    IMPLEMENTED = "implemented", _("Implemented")


class Service(models.TextChoices):
    ARMY = "army", _("Army")
    NAVY = "navy", _("Navy")
    AIR_FORCE = "air_force", _("Air force")


class ReviewStatus(models.TextChoices):
    DUE = "due", _("Due")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class ReviewOutcome(models.TextChoices):
    NO_CHANGE = "no_change", _("No change")
    AMEND = "amend", _("Amend")
    NEW_EDITION = "new_edition", _("New edition")
    CANCEL = "cancel", _("Cancel")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PROPOSAL_OPEN = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.UNDER_CONSIDERATION})
PROPOSAL_DECISIONS = frozenset({ProposalStatus.ACCEPTED, ProposalStatus.REJECTED})


class AlertKind(models.TextChoices):
    """Why a nation's order or firm demand for an item conflicts with a standard the item requires."""

    NOT_RATIFIED = "not_ratified", _("Not ratified")
    RESERVATIONS = "reservations", _("Ratified with reservations")
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")


class AlertSource(models.TextChoices):
    CALL_OFF = "call_off", _("Call-off")
    DEMAND = "demand", _("Firm demand")


class AuditEvent(models.TextChoices):
    """Standards' business events in the audit trail (``ObjectChange.action``)."""

    RESPONSE_RECORDED = "response.recorded", _("Response recorded")
    RESPONSE_ON_BEHALF = "response.recorded_on_behalf", _("Response recorded on the nation's behalf")
    EDITION_SUPERSEDED = "standard.superseded", _("Edition superseded")
    REVIEW_STARTED = "review.started", _("Review started")
    REVIEW_COMPLETED = "review.completed", _("Review completed")
    PROPOSAL_SUBMITTED = "proposal.submitted", _("Proposal submitted")
    PROPOSAL_DECIDED = "proposal.decided", _("Proposal decided")
    CATALOGUE_IMPORTED = "catalogue.imported", _("Catalogue imported")
    RESPONSES_IMPORTED = "responses.imported", _("Responses imported")
