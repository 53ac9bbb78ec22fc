from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DIRECTOR = "director", _("National armaments director")
    NSPA = "nspa", _("NSPA staff")
    SECRETARIAT = "secretariat", _("CNAD secretariat")
    BOARD_MEMBER = "board_member", _("Board member")
    PARTNER = "partner", _("Partner")


# Roles whose every read is confined to one nation or organisation.
NATION_BOUND_ROLES = frozenset({Role.DIRECTOR, Role.PARTNER})


class NationKind(models.TextChoices):
    ALLY = "ally", _("Ally")
    PARTNER = "partner", _("Partner nation")
    ORGANISATION = "organisation", _("Organisation")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class AuditAction(models.TextChoices):
    """Generic actions. Business events (``plan.submitted``...) are each app's ``AuditEvent``
    choices, in its choices.py."""

    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class AuditEvent(models.TextChoices):
    """The core's business events in the audit trail (``ObjectChange.action``)."""

    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
