"""The boards app's enumerations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    BOARD = "board", _("Board")
    WORKING_GROUP = "working_group", _("Working group")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary")
    NIAG_OBSERVER = "niag_observer", _("NIAG observer")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Presence(models.TextChoices):
    PRESENT = "present", _("Present")
    REMOTE = "remote", _("Present remotely")
    APOLOGIES = "apologies", _("Apologies")
    ABSENT = "absent", _("Absent")


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTIONS = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class RecommendationState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted by the working group")
    ENDORSED = "endorsed", _("Endorsed by the Board")
    SUBMITTED = "submitted", _("Submitted to CNAD")
    NOTED = "noted", _("Noted by CNAD")
    APPROVED = "approved", _("Approved by CNAD")
    RETURNED = "returned", _("Returned by CNAD")


# The workflow: each state's next states. CNAD's three answers end it; a returned recommendation
# goes back to its working group as a draft.
RECOMMENDATION_FLOW = {
    RecommendationState.DRAFTED: (RecommendationState.ENDORSED,),
    RecommendationState.ENDORSED: (RecommendationState.SUBMITTED, RecommendationState.DRAFTED),
    RecommendationState.SUBMITTED: (
        RecommendationState.NOTED,
        RecommendationState.APPROVED,
        RecommendationState.RETURNED,
    ),
    RecommendationState.RETURNED: (RecommendationState.DRAFTED,),
    RecommendationState.NOTED: (),
    RecommendationState.APPROVED: (),
}
# What CNAD has received: directors read these, never a draft.
SUBMITTED_TO_CNAD = frozenset(
    {
        RecommendationState.SUBMITTED,
        RecommendationState.NOTED,
        RecommendationState.APPROVED,
        RecommendationState.RETURNED,
    }
)


class Tier(models.TextChoices):
    PRIME = "prime", _("Prime")
    TIER_1 = "tier_1", _("Tier 1")
    TIER_2 = "tier_2", _("Tier 2")
    TIER_3 = "tier_3", _("Tier 3")


class RiskType(models.TextChoices):
    SINGLE_SOURCE = "single_source", _("Single source")
    CAPACITY_BOTTLENECK = "capacity_bottleneck", _("Capacity bottleneck")
    RAW_MATERIAL = "raw_material", _("Raw material")
    ENERGETICS = "energetics", _("Energetics")
    HOSTILE_INFLUENCE = "hostile_influence", _("Hostile influence or foreign ownership")
    OBSOLESCENCE = "obsolescence", _("Obsolescence")
    LOGISTICS = "logistics", _("Logistics")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATING = "mitigating", _("Being mitigated")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


LIVE_RISKS = frozenset({RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.ACCEPTED})


class AuditEvent(models.TextChoices):
    """Boards' business events in the audit trail (``ObjectChange.action``)."""

    MEMBER_ADDED = "membership.added", _("Member added")
    MEMBER_ENDED = "membership.ended", _("Membership ended")
    AGENDA_REORDERED = "agenda.reordered", _("Agenda reordered")
    MINUTES_APPROVED = "minutes.approved", _("Minutes approved")
    MINUTES_CORRECTED = "minutes.corrected", _("Minutes corrected")
    ACTION_OVERDUE = "action.overdue", _("Action overdue")
    RECOMMENDATION_ENDORSED = "recommendation.endorsed", _("Recommendation endorsed")
    RECOMMENDATION_SUBMITTED = "recommendation.submitted", _("Recommendation submitted to CNAD")
    RECOMMENDATION_NOTED = "recommendation.noted", _("Recommendation noted by CNAD")
    RECOMMENDATION_APPROVED = "recommendation.approved", _("Recommendation approved by CNAD")
    RECOMMENDATION_RETURNED = "recommendation.returned", _("Recommendation returned by CNAD")
    RECOMMENDATION_REDRAFTED = "recommendation.redrafted", _("Recommendation redrafted")
