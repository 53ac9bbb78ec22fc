"""Helpers of the procurement API tests (``test_api*.py``): the base path, signing in a client,
recording a delivery, counting a GET's queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement import services
from procurement.tests.factories import nspa_user

BASE = "/api/procurement"


def as_user(api, user):
    api.force_authenticate(user)
    return api


def deliver(line, *, lot, quantity=10, accepted=None, on=dt.date(2024, 9, 1), actor=None):
    return services.delivery_record(
        actor=actor or nspa_user(),
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=on,
            quantity_delivered=quantity,
            quantity_accepted=quantity if accepted is None else accepted,
            quantity_rejected=0 if accepted is None else quantity - accepted,
            rejection_reason="" if accepted is None or accepted == quantity else "Failed inspection",
            lot_number=lot,
        ),
    )


def count_queries(api, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def nspa_nation(code):
    from portal.models import Nation

    return Nation.objects.get(code=code)
