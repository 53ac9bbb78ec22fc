"""Helpers shared by the procurement page tests (``procurement/tests/test_views_*.py``): URLs, response
bodies, hostile input and ``populate``, which gives every list rows for NSPA and Poland's director."""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse

from portal.models import Nation
from procurement import services
from procurement.models import FrameworkContract
from procurement.tests.factories import make_calloff, make_framework, nspa_user

_seq = itertools.count(1)


def url(name: str, **kwargs) -> str:
    return reverse(f"procurement:{name}", kwargs=kwargs or None)


def body(response) -> str:
    return response.content.decode()


def deliver(call_off, *, quantity=1, lot=None, day=dt.date(2024, 9, 1), actor=None):
    line = call_off.lines.order_by("pk").first()
    return services.delivery_record(
        actor=actor or nspa_user(),
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=day,
            quantity_delivered=quantity,
            quantity_accepted=quantity,
            lot_number=lot or f"LOT-{next(_seq)}",
        ),
    )


def populate(count: int, actor=None) -> list[FrameworkContract]:
    """``count`` frameworks, each with a Polish and a French call-off and deliveries, plus
    programmes, suppliers and demand: every list has rows for NSPA and for Poland's director."""
    actor = actor or nspa_user()
    poland, france = Nation.objects.get(code="POL"), Nation.objects.get(code="FRA")
    frameworks = []
    for _ in range(count):
        n = next(_seq)
        programme = services.programme_create(
            actor=actor, code=f"prog-{n}", name=f"Programme {n}", kind="programme"
        )
        services.programme_member_add(
            actor=actor, programme=programme, nation=poland, joined_on=dt.date(2020, 1, 1)
        )
        services.programme_member_add(
            actor=actor, programme=programme, nation=france, joined_on=dt.date(2021, 1, 1)
        )
        supplier = services.supplier_create(actor=actor, name=f"Supplier {n}", country="DEU")
        framework = make_framework(actor=actor)
        services.framework_update(
            actor=actor,
            framework=framework,
            expected_version=framework.version,
            programme=programme,
            suppliers=[supplier],
        )
        framework.refresh_from_db()
        for nation in ("POL", "FRA"):
            call_off = make_calloff(framework, nation=nation, quantity=10, actor=actor)
            deliver(call_off, quantity=2, actor=actor)
            deliver(call_off, quantity=3, actor=actor)
        item = framework.lines.get().item
        for nation in (poland, france):
            services.demand_signal_set(
                actor=actor, nation=nation, item=item, year=2026, quantity=100, firmness="firm"
            )
        frameworks.append(framework)
    return frameworks


JUNK = ["99999999999999999999", "-1", "x", "1e30", "nul\x00byte", "2024-02-30", "' OR 1=1 --"]


def calloff_post(framework, rows, *, line_rows=5, **overrides):
    """The call-off form's POST: the order's fields, then ``rows`` of line fields, each with an
    optional ``schedule`` of (due date, quantity) texts (more than the form shows raise its total)."""
    from procurement.forms import SCHEDULE_ROWS

    data = {
        "nation": Nation.objects.get(code="POL").pk,
        "reference": f"CO-WEB-{next(_seq)}",
        "order_date": "2024-06-01",
        "lines-TOTAL_FORMS": str(line_rows),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        **overrides,
    }
    for index in range(line_rows):
        prefix = f"lines-{index}-schedule"
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(SCHEDULE_ROWS),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "60",
            }
        )
    for index, row in enumerate(rows):
        row = dict(row)
        schedule = row.pop("schedule", ())
        for key, value in row.items():
            data[f"lines-{index}-{key}"] = value
        prefix = f"lines-{index}-schedule"
        data[f"{prefix}-TOTAL_FORMS"] = str(max(SCHEDULE_ROWS, len(schedule)))
        for number, (due, quantity) in enumerate(schedule):
            data[f"{prefix}-{number}-due_date"] = due
            data[f"{prefix}-{number}-quantity"] = quantity
    return data
