"""Procurement test data, built through the services so rules and audit apply as in production."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory

from portal.models import Nation
from portal.tests.factories import UserFactory
from procurement import services
from procurement.choices import CapabilityArea, FrameworkStatus
from procurement.models import Item

_seq = itertools.count(1)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    code = factory.Sequence(lambda n: f"item-{n}")
    name = factory.Sequence(lambda n: f"Item {n}")
    capability_area = CapabilityArea.LAND_BATTLE_DECISIVE_MUNITIONS
    unit = "round"


def nspa_user():
    return UserFactory(role="nspa", username=f"nspa{next(_seq)}")


def make_framework(
    *,
    actor=None,
    nations=("POL", "FRA"),
    joined_on=dt.date(2024, 1, 1),
    ceiling=Decimal("1000000.00"),
    lines=((Decimal("100.00"), 5000),),
    period=(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    currency="EUR",
):
    """An active framework with participants and one line per (unit price, max quantity)."""
    actor = actor or nspa_user()
    framework = services.framework_create(
        actor=actor,
        reference=f"FW-{next(_seq)}",
        title="Test framework",
        currency=currency,
        ceiling_value=ceiling,
        period_start=period[0],
        period_end=period[1],
        status=FrameworkStatus.ACTIVE,
    )
    for code in nations:
        services.framework_participant_add(
            actor=actor, framework=framework, nation=Nation.objects.get(code=code), joined_on=joined_on
        )
    for price, max_quantity in lines:
        services.framework_line_add(
            actor=actor, framework=framework, item=ItemFactory(), unit_price=price, max_quantity=max_quantity
        )
    framework.refresh_from_db()
    return framework


def amend(framework, *, actor, rationale, description, date=dt.date(2025, 2, 1), **changes):
    """An amendment of ``framework``'s contract values, at whatever version it is."""
    return services.framework_amend(
        actor=actor,
        framework=framework,
        expected_version=None,
        date=date,
        rationale=rationale,
        description=description,
        changes=changes,
    )


def make_calloff(
    framework, *, nation="POL", quantity=100, order_date=dt.date(2024, 6, 1), actor=None, line=None
):
    actor = actor or nspa_user()
    line = line or framework.lines.order_by("pk").first()
    return services.calloff_create(
        actor=actor,
        framework=framework,
        nation=Nation.objects.get(code=nation),
        reference=f"CO-{next(_seq)}",
        order_date=order_date,
        lines=[services.CallOffLineInput(framework_line=line, quantity=quantity)],
    )


def make_delivery(line, *, delivered=10, rejected=0, lot=None, on=dt.date(2024, 9, 1), actor=None, reason=""):
    """Record a delivery on a call-off line through the service."""
    return services.delivery_record(
        actor=actor or nspa_user(),
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=on,
            quantity_delivered=delivered,
            quantity_accepted=delivered - rejected,
            quantity_rejected=rejected,
            rejection_reason=reason or ("Rejected at inspection" if rejected else ""),
            lot_number=lot or f"LOT-{next(_seq)}",
        ),
    )
