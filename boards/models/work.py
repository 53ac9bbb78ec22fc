"""What bodies decide and carry out: action items and recommendations to CNAD."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards.choices import OPEN_ACTIONS, ActionStatus, RecommendationState
from boards.models.bodies import Body
from boards.models.meetings import AgendaItem, Meeting
from portal.models import Nation


class ActionItem(models.Model):
    """A decision or action of a body: its text, an owner (a user or a nation), a due date and a
    status. ``overdue_since`` is set once by the daily job when an open action passes its date."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="actions", verbose_name=_("body"))
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("decided at"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    is_decision = models.BooleanField(_("a decision, not an action"), default=False)
    text = models.TextField(_("text"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("owner"),
    )
    owner_nation = models.ForeignKey(
        Nation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner nation"),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_nation__isnull=False),
                name="action_has_an_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["body", "status"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def owner_label(self) -> str:
        """Who owns it, as the tracker shows it: the person, or the nation."""
        if self.owner_user_id:
            return self.owner_user.get_full_name() or self.owner_user.get_username()
        return self.owner_nation.name if self.owner_nation_id else ""

    @staticmethod
    def late(status: str, due_on, today) -> bool:
        """Whether an action in ``status``, due ``due_on``, is overdue ``today``: open and past it."""
        return status in OPEN_ACTIONS and due_on < today

    @staticmethod
    def late_q(today) -> Q:
        """``late`` as a filter: the open actions past their date ``today``."""
        return Q(status__in=OPEN_ACTIONS, due_on__lt=today)

    @property
    def is_overdue(self) -> bool:
        """Open and past its date today (the daily job's ``overdue_since`` is when it was flagged)."""
        return self.late(self.status, self.due_on, timezone.localdate())

    def clean(self) -> None:
        errors = {}
        if not self.owner_user_id and not self.owner_nation_id:
            errors["owner_user"] = _("Give the action an owner: a person or a nation.")
        if self.meeting_id and self.due_on and self.due_on < self.meeting.starts_at.date():
            errors["due_on"] = _(
                "An action cannot fall due before the meeting that decided it (%(day)s)."
            ) % {"day": self.meeting.starts_at.date().isoformat()}
        if self.meeting_id and self.body_id and self.meeting.body_id != self.body_id:
            errors["meeting"] = _("The meeting belongs to another body.")
        if self.agenda_item_id and self.meeting_id and self.agenda_item.meeting_id != self.meeting_id:
            errors["agenda_item"] = _("The agenda item belongs to another meeting.")
        if errors:
            raise ValidationError(errors)


class Recommendation(models.Model):
    """A recommendation to CNAD: drafted by a working group, endorsed by the Board, submitted to
    CNAD, then noted, approved or returned. Each transition is a service and an audit row."""

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("drafted by")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("recommendation"))
    state = models.CharField(
        _("state"), max_length=12, choices=RecommendationState.choices, default=RecommendationState.DRAFTED
    )
    endorsed_on = models.DateField(_("endorsed on"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("CNAD decision on"), null=True, blank=True)
    decision_note = models.TextField(_("CNAD's note"), blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = _("recommendations")
        ordering = ["-created_at", "pk"]
        verbose_name = _("recommendation")

    def __str__(self) -> str:
        return self.title
