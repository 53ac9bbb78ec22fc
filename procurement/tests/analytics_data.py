"""Hand-built procurement data shared by the analytics tests (``procurement/tests/test_analytics_*.py``):
their pages, the ``place``/``deliver`` shortcuts, ``build_data`` (the ``data`` fixture, in conftest.py)
and ``grow``, which adds more of everything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from portal.models import Nation
from procurement import services
from procurement.choices import Firmness, FrameworkStatus
from procurement.tests.factories import make_calloff, make_framework, nspa_user

AGGREGATE = reverse("procurement:demand-aggregate")
PERFORMANCE = reverse("procurement:delivery-performance")


def deliver(line, *, lot, delivered_on, quantity, accepted=None, accepted_on=None, actor):
    accepted = quantity if accepted is None else accepted
    return services.delivery_record(
        actor=actor,
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=delivered_on,
            quantity_delivered=quantity,
            quantity_accepted=accepted,
            quantity_rejected=quantity - accepted,
            rejection_reason="Damaged packaging" if accepted < quantity else "",
            lot_number=lot,
            accepted_on=accepted_on,
        ),
    )


def place(framework, *, nation, quantity, order_date, actor, schedule=(), line=None):
    line = line or framework.lines.order_by("pk").first()
    call_off = services.calloff_create(
        actor=actor,
        framework=framework,
        nation=Nation.objects.get(code=nation),
        reference=f"CO-{nation}-{order_date}-{quantity}-{line.pk}",
        order_date=order_date,
        lines=[services.CallOffLineInput(framework_line=line, quantity=quantity, schedule=schedule)],
    )
    return call_off.lines.get()


def build_data():
    """One item in three frameworks (active, active one-year, draft), demand from POL and FRA,
    three call-offs and three deliveries; the expected figures are worked out in the tests."""
    actor = nspa_user()
    supplier = services.supplier_create(actor=actor, name="Nammo", country="NOR")
    framework = make_framework(actor=actor)  # 2024-2027, line: 100 EUR, max 5000
    services.framework_update(actor=actor, framework=framework, expected_version=None, suppliers=[supplier])
    item = framework.lines.get().item
    one_year = make_framework(actor=actor, lines=(), period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    services.framework_line_add(
        actor=actor, framework=one_year, item=item, unit_price=Decimal("90.00"), max_quantity=1000
    )
    draft = services.framework_create(
        actor=actor,
        reference="FW-DRAFT",
        title="Never signed",
        currency="EUR",
        ceiling_value=Decimal("1000"),
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2027, 12, 31),
    )
    services.framework_line_add(
        actor=actor, framework=draft, item=item, unit_price=Decimal("1"), max_quantity=777
    )
    assert draft.status == FrameworkStatus.DRAFT

    pol, fra = Nation.objects.get(code="POL"), Nation.objects.get(code="FRA")
    for nation, year, quantity, firmness in [
        (pol, 2025, 300, Firmness.FIRM),
        (fra, 2025, 200, Firmness.PLANNED),
        (pol, 2026, 100, Firmness.INDICATIVE),
    ]:
        services.demand_signal_set(
            actor=actor, nation=nation, item=item, year=year, quantity=quantity, firmness=firmness
        )

    pol_2025 = place(
        framework,
        nation="POL",
        quantity=100,
        order_date=dt.date(2025, 2, 1),
        actor=actor,
        schedule=[(dt.date(2025, 6, 30), 100)],
    )
    fra_2025 = place(framework, nation="FRA", quantity=50, order_date=dt.date(2025, 3, 1), actor=actor)
    place(framework, nation="POL", quantity=40, order_date=dt.date(2026, 1, 15), actor=actor)
    # Lead 98 days, before the due date.
    deliver(
        pol_2025,
        lot="P1",
        delivered_on=dt.date(2025, 5, 1),
        quantity=60,
        accepted_on=dt.date(2025, 5, 10),
        actor=actor,
    )
    # Lead 181 days, after the due date.
    deliver(pol_2025, lot="P2", delivered_on=dt.date(2025, 8, 1), quantity=30, actor=actor)
    # Lead 35 days, on a line without a schedule; 5 rejected.
    deliver(
        fra_2025,
        lot="F1",
        delivered_on=dt.date(2025, 4, 1),
        quantity=50,
        accepted=45,
        accepted_on=dt.date(2025, 4, 5),
        actor=actor,
    )
    framework.refresh_from_db()
    return {"actor": actor, "item": item, "framework": framework, "supplier": supplier}


def grow(data):
    """More of everything: another framework with its own item, call-offs, deliveries and demand."""
    actor = data["actor"]
    framework = make_framework(actor=actor, nations=("POL", "FRA", "DEU"), lines=((Decimal("10.00"), 9000),))
    services.framework_update(
        actor=actor, framework=framework, expected_version=None, suppliers=[data["supplier"]]
    )
    item = framework.lines.get().item
    for index, code in enumerate(["POL", "FRA", "DEU"] * 3):
        line = place(
            framework,
            nation=code,
            quantity=20,
            order_date=dt.date(2024, 3 + index, 1),
            actor=actor,
            schedule=[(dt.date(2025, 1, 1), 20)],
        )
        deliver(line, lot=f"G{index}", delivered_on=dt.date(2024, 12, 1 + index), quantity=10, actor=actor)
        services.demand_signal_set(
            actor=actor,
            nation=Nation.objects.get(code=code),
            item=item,
            year=2024 + index,
            quantity=5,
            firmness=Firmness.FIRM,
        )
    make_calloff(data["framework"], nation="FRA", quantity=3, actor=actor, order_date=dt.date(2026, 5, 1))
