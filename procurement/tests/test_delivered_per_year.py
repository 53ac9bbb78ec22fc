"""The running per-year totals the services keep: delivered (``DeliveredPerYear``, after single
deliveries and an import across nations, items and years) and ordered (``OrderedPerYear``, after
call-offs across nations, items and years) equal what the deliveries and call-off lines themselves
sum to, and the aggregated demand read from them gives those rows' own figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import ExtractYear

from portal.models import Nation
from procurement import services
from procurement.analytics import aggregated_demand
from procurement.models import CallOffLine, DeliveredPerYear, Delivery, OrderedPerYear
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


def ordered_totals() -> dict[tuple[int, int, int], int]:
    return {(row.item_id, row.nation_id, row.year): row.quantity for row in OrderedPerYear.objects.all()}


def from_call_off_lines() -> dict[tuple[int, int, int], int]:
    rows = (
        CallOffLine.objects.order_by()
        .values_list("framework_line__item_id", "call_off__nation_id", ExtractYear("call_off__order_date"))
        .annotate(total=Sum("quantity"))
    )
    return {(item, nation, int(year)): total for item, nation, year, total in rows}


def test_placed_call_offs_keep_the_ordered_totals_exact():
    nspa = nspa_user()
    framework = make_framework(actor=nspa, lines=((Decimal("10.00"), 5000), (Decimal("20.00"), 5000)))
    first, second = framework.lines.order_by("pk")
    for nation, quantity, on, line in [
        ("POL", 100, dt.date(2024, 6, 1), first),
        ("POL", 50, dt.date(2024, 12, 31), first),  # adds to a total that exists
        ("POL", 7, dt.date(2025, 1, 1), first),  # the next year: a new total
        ("FRA", 30, dt.date(2025, 3, 1), second),
        ("FRA", 20, dt.date(2025, 3, 2), first),
    ]:
        make_calloff(framework, nation=nation, quantity=quantity, order_date=on, actor=nspa, line=line)
    with pytest.raises(ValidationError):  # a refused call-off (over the line's maximum) adds nothing
        make_calloff(framework, nation="FRA", quantity=10_000, order_date=dt.date(2025, 5, 1), actor=nspa)
    pol, fra = (Nation.objects.get(code=code).pk for code in ("POL", "FRA"))
    expected = {
        (first.item_id, pol, 2024): 150,
        (first.item_id, pol, 2025): 7,
        (second.item_id, fra, 2025): 30,
        (first.item_id, fra, 2025): 20,
    }
    assert ordered_totals() == from_call_off_lines() == expected
    assert services.ordered_per_year_rebuild() == 4
    assert ordered_totals() == expected

    ordered = {
        (row.item_id, row.year): row.ordered
        for row in aggregated_demand(user=nspa, year_from=2024, year_to=2026)
        if row.ordered
    }
    assert ordered == {(first.item_id, 2024): 150, (first.item_id, 2025): 27, (second.item_id, 2025): 30}
