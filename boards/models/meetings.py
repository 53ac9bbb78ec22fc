"""Meetings: their ordered agenda, attendance and minutes, and the links from agenda items and
actions to other portal objects."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from boards.choices import MeetingStatus, MinutesState, Presence
from boards.models.bodies import Body
from portal.audit import loaded_name


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Give an IANA time zone, such as Europe/Brussels."))


class Meeting(models.Model):
    """One sitting of a body. Start and end are stored in UTC; ``time_zone`` is where it sits, so
    a page can show both the reader's time and the meeting's own."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_time_zone]
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    virtual = models.BooleanField(_("virtual"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # The marking of the meeting's record: the banner on every page of its minutes' PDF.
    classification = models.CharField(_("classification"), max_length=60, default="NATO UNCLASSIFIED")
    illustrative = models.BooleanField(_("illustrative"), default=False)
    # Bumped by every agenda change, so two people reordering at once cannot both win.
    agenda_version = models.PositiveIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["body", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.virtual and not self.location.strip():
            raise ValidationError({"location": _("Give the location, or mark the meeting virtual.")})


class AgendaItem(models.Model):
    """One point of a meeting's agenda, at its ``position`` (1, 2, ...), with its presenter."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenter"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(models.Model):
    """Whether a user attended a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    presence = models.CharField(_("presence"), max_length=12, choices=Presence.choices)

    class Meta:
        verbose_name_plural = _("attendance records")
        ordering = ["meeting", "user", "pk"]
        verbose_name = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.presence} at {self.meeting_id}"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'user')} {self.get_presence_display()} at {loaded_name(self, 'meeting')}"


class Minutes(models.Model):
    """One version of a meeting's minutes. A draft is edited until a later meeting of the body
    approves it; approved minutes are frozen. A correction is a new version (``corrects`` the
    approved one), drafted and approved in turn; the newest approved version is the record."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    number = models.PositiveSmallIntegerField(_("minutes version"))
    text = models.TextField(_("minutes"))
    state = models.CharField(
        _("state"), max_length=10, choices=MinutesState.choices, default=MinutesState.DRAFT
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_minutes",
        verbose_name=_("approved at"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateTimeField(_("approved on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "number", "pk"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_number_once"),
            # One draft at a time per meeting: a second would fork the record.
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(state=MinutesState.DRAFT), name="minutes_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(state=MinutesState.DRAFT, approved_at_meeting__isnull=True)
                | Q(state=MinutesState.APPROVED, approved_at_meeting__isnull=False),
                name="minutes_approved_at_a_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} minutes v{self.number}"

    @property
    def frozen(self) -> bool:
        return self.state == MinutesState.APPROVED


# What an agenda item or an action may link to: the portal objects a Board discusses.
LINKABLE = (
    "procurement.frameworkcontract",
    "procurement.item",
    "pledges.nationalplan",
    "standards.standard",
    "boards.risk",
)


class Link(models.Model):
    """A link from an agenda item or an action to a portal object (a framework, an item, a plan, a
    standard, a risk). A page shows a link only to readers who may see its target."""

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    action = models.ForeignKey(
        "boards.ActionItem", on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name_plural = _("links")
        ordering = ["pk"]
        verbose_name = _("link")
        constraints = [
            models.CheckConstraint(
                condition=Q(agenda_item__isnull=False, action__isnull=True)
                | Q(agenda_item__isnull=True, action__isnull=False),
                name="link_has_one_owner",
            ),
            # NULLs never clash in a unique index, so each owner has its own.
            models.UniqueConstraint(
                fields=["agenda_item", "target_type", "target_id"],
                condition=Q(agenda_item__isnull=False),
                name="agenda_link_once",
            ),
            models.UniqueConstraint(
                fields=["action", "target_type", "target_id"],
                condition=Q(action__isnull=False),
                name="action_link_once",
            ),
        ]

    def __str__(self) -> str:
        return f"link to {self.target_type_id}:{self.target_id}"

    def clean(self) -> None:
        if self.target_type_id and f"{self.target_type.app_label}.{self.target_type.model}" not in LINKABLE:
            raise ValidationError({"target_type": _("This kind of object cannot be linked.")})
