"""The running delivered-per-year totals (``DeliveredPerYear``) the delivery services keep: after
single deliveries and an import across nations, items and years, they equal what the deliveries
themselves sum to, and the aggregated demand read from them gives the deliveries' own figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import ExtractYear

from procurement import services
from procurement.analytics import aggregated_demand
from procurement.models import DeliveredPerYear, Delivery
from procurement.tests.factories import make_calloff, make_delivery, make_framework, nspa_user

pytestmark = pytest.mark.django_db


def totals() -> dict[tuple[int, int, int], int]:
    return {(row.item_id, row.nation_id, row.year): row.quantity for row in DeliveredPerYear.objects.all()}


def from_deliveries() -> dict[tuple[int, int, int], int]:
    rows = (
        Delivery.objects.order_by()
        .values_list(
            "call_off_line__framework_line__item_id",
            "call_off_line__call_off__nation_id",
            ExtractYear("delivered_on"),
        )
        .annotate(total=Sum("quantity_delivered"))
    )
    return {(item, nation, int(year)): total for item, nation, year, total in rows}


def test_recorded_and_imported_deliveries_keep_the_totals_exact():
    nspa = nspa_user()
    framework = make_framework(actor=nspa, lines=((Decimal("10.00"), 5000), (Decimal("20.00"), 5000)))
    first, second = framework.lines.order_by("pk")
    polish = make_calloff(framework, nation="POL", quantity=900, actor=nspa, line=first)
    french = make_calloff(framework, nation="FRA", quantity=900, actor=nspa, line=second)
    polish_line, french_line = polish.lines.get(), french.lines.get()
    make_delivery(polish_line, delivered=10, on=dt.date(2024, 9, 1), actor=nspa)
    make_delivery(polish_line, delivered=15, rejected=5, on=dt.date(2024, 12, 31), actor=nspa)
    make_delivery(polish_line, delivered=7, on=dt.date(2025, 1, 1), actor=nspa)
    services.deliveries_import(
        actor=nspa,
        rows=[
            services.DeliveryInput(
                call_off_line_id=line.pk,
                delivered_on=on,
                quantity_delivered=quantity,
                quantity_accepted=quantity,
                lot_number=f"IMP-{n}",
            )
            for n, (line, on, quantity) in enumerate(
                [
                    (polish_line, dt.date(2024, 10, 1), 3),  # adds to a total that exists
                    (french_line, dt.date(2025, 3, 1), 40),
                    (french_line, dt.date(2025, 4, 1), 2),  # two rows of one new total
                    (french_line, dt.date(2026, 1, 2), 1),
                ]
            )
        ],
        file_name="d.csv",
        sha256="0" * 64,
    )
    item_a, item_b = first.item_id, second.item_id
    pol, fra = polish.nation_id, french.nation_id
    expected = {
        (item_a, pol, 2024): 28,
        (item_a, pol, 2025): 7,
        (item_b, fra, 2025): 42,
        (item_b, fra, 2026): 1,
    }
    assert totals() == from_deliveries() == expected
    assert services.delivered_per_year_rebuild() == 4
    assert totals() == expected

    delivered = {
        (row.item_id, row.year): row.delivered
        for row in aggregated_demand(user=nspa, year_from=2024, year_to=2026)
        if row.delivered
    }
    assert delivered == {(item_a, 2024): 28, (item_a, 2025): 7, (item_b, 2025): 42, (item_b, 2026): 1}


def test_a_refused_delivery_adds_nothing():
    nspa = nspa_user()
    framework = make_framework(actor=nspa)
    line = make_calloff(framework, quantity=10, actor=nspa).lines.get()
    make_delivery(line, delivered=10, actor=nspa)
    with pytest.raises(ValidationError, match="remain to be delivered"):
        make_delivery(line, delivered=1, actor=nspa)
    assert list(totals().values()) == [10]
