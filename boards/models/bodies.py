"""The Board, its working groups, and who sits on them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from boards.choices import BodyKind, MemberRole
from portal.audit import loaded_name


class Body(models.Model):
    """The Defence Industrial Production Board or one of its working groups: a mandate, a chair,
    and the dates it sits between. Its members are ``Membership`` rows."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=160)
    name_fr = models.CharField(_("name in French"), max_length=160, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups",
        verbose_name=_("reports to"),
    )
    mandate = models.TextField(_("mandate"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    # Which working group keeps the supply-chain risk register (working group 2).
    keeps_risk_register = models.BooleanField(_("keeps the supply-chain risk register"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "code", "pk"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="body_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def chair_label(self) -> str:
        if self.chair_id is None:
            return ""
        return self.chair.get_full_name() or self.chair.get_username()

    def clean(self) -> None:
        if self.kind == BodyKind.BOARD and self.parent_id:
            raise ValidationError({"parent": _("The Board reports to CNAD, not to another body.")})
        if self.kind == BodyKind.WORKING_GROUP and not self.parent_id:
            raise ValidationError({"parent": _("A working group reports to the Board.")})


class Membership(models.Model):
    """A user's seat on a body, in a role, from a date and, once it ends, to a date. A user may sit
    on several bodies; on one body their seats never overlap."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("memberships")
        ordering = ["body", "from_date", "pk"]
        verbose_name = _("membership")
        constraints = [
            models.CheckConstraint(
                condition=Q(to_date__isnull=True) | Q(to_date__gte=models.F("from_date")),
                name="membership_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["user", "body"])]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.body_id} ({self.role})"

    def audit_name(self) -> str:
        return f"{loaded_name(self, 'user')} on {loaded_name(self, 'body')} ({self.get_role_display()})"

    @staticmethod
    def current_q(day: dt.date) -> Q:
        """``covers`` as a filter: the seats held on ``day``."""
        return Q(from_date__lte=day) & (Q(to_date__isnull=True) | Q(to_date__gte=day))

    def covers(self, day: dt.date) -> bool:
        return self.from_date <= day and (self.to_date is None or day <= self.to_date)

    def overlaps(self, other: Membership) -> bool:
        """Whether two seats share a day (an open end is forever)."""
        ends = self.to_date or dt.date.max
        other_ends = other.to_date or dt.date.max
        return self.from_date <= other_ends and other.from_date <= ends
