"""The supply-chain risk register that working group 2 keeps."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from boards.choices import RiskStatus, RiskType, Tier
from boards.models.bodies import Body
from procurement.models import FrameworkContract, Item

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
country_validator = RegexValidator(r"^[A-Z]{3}$", _("Give the country's ISO 3166 alpha-3 code, e.g. DEU."))


class Risk(models.Model):
    """One supply-chain risk: what is at risk and at which tier, the supplier, what depends on it,
    its kind, likelihood and impact (1 to 5; ``score`` is their product, computed by the database),
    and how it is handled. A sensitive risk is read only by the secretariat and the register's
    working group."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="risks", verbose_name=_("kept by"))
    title = models.CharField(_("risk"), max_length=200)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    component = models.CharField(_("component"), max_length=200, blank=True)
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices)
    supplier = models.CharField(_("supplier"), max_length=200)
    supplier_country = models.CharField(_("supplier country"), max_length=3, validators=[country_validator])
    risk_type = models.CharField(_("type"), max_length=20, choices=RiskType.choices)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=SCALE)
    score = models.GeneratedField(
        expression=F("likelihood") * F("impact"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    frameworks = models.ManyToManyField(
        FrameworkContract, blank=True, related_name="+", verbose_name=_("dependent frameworks")
    )
    dependent_items = models.ManyToManyField(
        Item, blank=True, related_name="+", verbose_name=_("dependent items")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    review_on = models.DateField(_("review date"))
    sensitive = models.BooleanField(_("sensitive"), default=False)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = _("supply-chain risks")
        ordering = ["-score", "title", "pk"]
        verbose_name = _("supply-chain risk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scale_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return self.title
