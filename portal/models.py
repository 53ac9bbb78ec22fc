"""Shared core: nations, users with a role and a nation, the audit trail, job runs and the API's
idempotency records."""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.choices import NATION_BOUND_ROLES, AuditEvent, JobState, NationKind, Role

alpha3 = RegexValidator(r"^[A-Z]{3}$", _("Use three capital letters."))


class Nation(models.Model):
    """An Ally, partner nation or organisation taking part in the portal.

    ``code`` is ISO 3166-1 alpha-3 for states. The EU has no ISO alpha-3 code; it uses ``EUU``, the
    code the World Bank and UN statistics use for it.
    """

    code = models.CharField(max_length=3, unique=True, validators=[alpha3])
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=NationKind.choices, db_index=True)
    accession_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1949), MaxValueValidator(2100)],
        help_text=_("Year the nation joined NATO; empty for non-Allies."),
    )
    currency = models.CharField(max_length=3, validators=[alpha3], help_text=_("ISO 4217 code."))

    class Meta:
        verbose_name = _("nation")
        verbose_name_plural = _("nations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="nation_ally_has_accession_year",
                condition=Q(kind=NationKind.ALLY, accession_year__isnull=False) | ~Q(kind=NationKind.ALLY),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ally(self) -> bool:
        return self.kind == NationKind.ALLY


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA zone names this machine knows (``zoneinfo``), read once."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in time_zones():
        raise ValidationError(_("%(zone)s is not a time zone."), params={"zone": value})


class User(AbstractUser):
    """A portal user. ``role`` decides what they may do; ``nation`` bounds what directors and
    partners may see. Staff and superusers are orthogonal to role (they administer the system)."""

    role = models.CharField(max_length=16, choices=Role.choices, blank=True, db_index=True)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    # Pages show times in this zone, and name it (portal.middleware.TimeZoneMiddleware); empty is UTC.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Times are shown in this zone, with its name. Empty shows them in UTC."),
    )
    # The language of the portal's emails to this user; empty is the portal's default language.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the emails the portal sends you."),
    )
    # The header's unread count without a query on every page: only portal.notifications writes
    # it, by recounting in the transaction that changed the rows, and ``save`` never does.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_nation_bound_role_has_nation",
                condition=~Q(role__in=sorted(r.value for r in NATION_BOUND_ROLES)) | Q(nation__isnull=False),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role in NATION_BOUND_ROLES and self.nation_id is None:
            raise ValidationError(
                {"nation": _("A %(role)s must belong to a nation.") % {"role": self.get_role_display()}}
            )
        if self.role == Role.DIRECTOR and self.nation_id and not self.nation.is_ally:
            raise ValidationError({"nation": _("A national armaments director represents an Ally.")})
        if self.role == Role.PARTNER and self.nation_id and self.nation.is_ally:
            raise ValidationError(
                {"nation": _("A partner user represents a partner nation or organisation.")}
            )

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_cleared = True

    def save(self, *args, **kwargs) -> None:
        """API tokens die with a password change and with deactivation, on every path that saves
        the user (admin, ``changepassword``, password reset, services). ``set_password`` keeps the
        new password in ``_password`` until the save; Django leaves it unset for hash upgrades,
        which are not password changes.

        A save of a loaded user never writes ``unread_notifications``: the copy in memory may be
        older than a notification written since."""
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "unread_notifications"
            ]
        reason = None
        if self.pk is not None:
            if not self.is_active:
                reason = "account deactivated"
            elif self._password is not None or getattr(self, "_password_cleared", False):
                reason = "password changed"
        if reason is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._password_cleared = False
            revoked, _by_model = self.auth_token_set.all().delete()
            if revoked:
                from portal.audit import record_change  # portal.audit imports this module

                record_change(
                    actor=None,
                    obj=self,
                    action=AuditEvent.API_TOKEN_REVOKED,
                    message=f"{revoked} API token(s) revoked: {reason}",
                )


class ObjectChange(models.Model):
    """One audited write or business event, recorded in the same transaction as the write.

    ``nation`` and ``draft_key`` make the row as private as what it describes (DESIGN, convention
    12). ``record_change`` sets both from the object. A non-empty ``draft_key`` marks a row about a
    nation's unsubmitted draft: only that nation (and the row's actor) read it, until the draft is
    submitted and ``release_draft`` empties the key.
    """

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept even if the user row goes, so the trail still says who acted.
    actor_username = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    # The nation the described object belongs to, if any.
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # "app.model:pk" of the unsubmitted draft the object belongs to; empty once it is submitted.
    draft_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="objectchange_target_idx"),
            models.Index(fields=["draft_key"], name="objectchange_draft_idx", condition=~Q(draft_key="")),
            models.Index(fields=["nation", "-time"], name="objectchange_nation_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


class JobRun(models.Model):
    """One run of a background job. A ``queued`` row is also the outbox entry: if publishing to the
    broker failed, the sweeper sends it again later, so a job is never silently lost."""

    job_name = models.CharField(max_length=200, db_index=True)
    args = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the run was last sent to the broker (portal.jobs re-sends one left unclaimed too long).
    published_at = models.DateTimeField(null=True, blank=True)
    publish_attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "published_at"], name="jobrun_outbox_idx")]

    def __str__(self) -> str:
        return f"{self.job_name} #{self.pk} ({self.state})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class IdempotencyRecord(models.Model):
    """The first response to an API write sent with an ``Idempotency-Key``, replayed for retries
    (``portal.idempotency``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The model began in procurement and moved here without a table change (portal.0004 and
        # procurement.0002 move it in the migration state only), so existing rows stay where they are.
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        db_table = "procurement_idempotencyrecord"
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Notification(models.Model):
    """One thing that happened, told to one user (``portal.notifications``).

    The text is rendered from ``kind`` and ``params`` when shown, in the reader's language; the
    object's name in ``params`` is taken when the event happens, as the audit trail does. A
    non-empty ``dedupe_key`` (a reminder's threshold) makes the row unique per recipient, kind and
    object, so a reminder job that runs twice tells nobody twice. ``email_state`` is the mail's
    own outbox: the sending job picks up ``pending`` rows, the daily digest ``digest`` rows.
    """

    class Email(models.TextChoices):
        NONE = "none", _("not emailed")
        PENDING = "pending", _("to send")
        DIGEST = "digest", _("in the next digest")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500)
    dedupe_key = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=8, choices=Email.choices, default=Email.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "content_type", "object_id", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_reminder_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            # Who has a reminder already (portal.notifications.notify).
            models.Index(
                fields=["content_type", "object_id", "kind", "dedupe_key"],
                name="notification_reminder_idx",
                condition=~Q(dedupe_key=""),
            ),
            models.Index(
                fields=["email_state", "recipient"],
                name="notification_mail_idx",
                condition=Q(email_state__in=["pending", "digest"]),
            ),
        ]

    def __str__(self) -> str:
        from portal.notifications import render_text

        return render_text(self)


class NotificationPreference(models.Model):
    """How one user wants one kind of notification by email: at once, in the daily digest, or not
    at all. No row means the kind's default; compulsory kinds ignore ``off``."""

    class Channel(models.TextChoices):
        IMMEDIATE = "immediate", _("Email at once")
        DIGEST = "digest", _("Daily digest")
        OFF = "off", _("No email")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.channel}"
