from django.db import models
from django.utils.translation import gettext_lazy as _


class CapabilityArea(models.TextChoices):
    LAND_BATTLE_DECISIVE_MUNITIONS = "lbdm", _("Land battle decisive munitions")
    AIR_MISSILE_DEFENCE = "iamd", _("Air and missile defence")
    ARMOUR = "armour", _("Armour and tank ammunition")
    ANTI_TANK = "anti_tank", _("Anti-tank weapons")
    OTHER = "other", _("Other")


class Firmness(models.TextChoices):
    FIRM = "firm", _("Firm")
    PLANNED = "planned", _("Planned")
    INDICATIVE = "indicative", _("Indicative")


class ProgrammeKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("Support partnership")
    PROGRAMME = "programme", _("Programme")
    HIGH_VISIBILITY_PROJECT = "hvp", _("High Visibility Project")


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class AmendmentRationale(models.TextChoices):
    """Why a framework changed, after OCDS's amendment rationale classifications."""

    CEILING_CHANGE = "ceiling_change", _("Ceiling changed")
    PERIOD_EXTENSION = "period_extension", _("Period extended")
    PRICE_CHANGE = "price_change", _("Unit price changed")
    QUANTITY_CHANGE = "quantity_change", _("Maximum quantity changed")
    PARTICIPANT_ADDED = "participant_added", _("Participant added")
    STATUS_CHANGE = "status_change", _("Status changed")
    OTHER = "other", _("Other")


class AuditEvent(models.TextChoices):
    """Procurement's business events as the audit trail stores them (``ObjectChange.action``),
    beside the generic create, update and delete of ``portal.choices.AuditAction``."""

    CALL_OFF_PLACED = "calloff.placed", _("Call-off placed")
    FRAMEWORK_AMENDED = "framework.amended", _("Framework amended")
    DELIVERY_RECORDED = "delivery.recorded", _("Delivery recorded")
    DELIVERY_CORRECTED = "delivery.corrected", _("Delivery corrected")
    DELIVERIES_IMPORTED = "deliveries.imported", _("Deliveries imported")
