"""Fixtures shared by several test modules: the analytics data (``test_analytics_*.py``), the API
client and the framework the API tests place call-offs and deliveries under (``test_api*.py``), and
the delivery import's call-off line (``test_import_*.py``) and a call-off of two lines (the pages and
the import that name lines by number)."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from portal.models import Nation
from procurement import services
from procurement.tests.analytics_data import build_data
from procurement.tests.api_helpers import nspa_nation
from procurement.tests.factories import make_calloff, make_framework


@pytest.fixture
def data():
    return build_data()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def framework(nspa):
    """Active 2024-2027, ceiling 550,000; POL joined 2024-01-01, FRA on 2025-01-01; one line of
    5,000 at 100.00 and one of 100 at 1,000.00."""
    framework = make_framework(
        actor=nspa,
        nations=("POL",),
        ceiling=Decimal("550000.00"),
        lines=((Decimal("100.00"), 5000), (Decimal("1000.00"), 100)),
    )
    services.framework_participant_add(
        actor=nspa, framework=framework, nation=nspa_nation("FRA"), joined_on=dt.date(2025, 1, 1)
    )
    return framework


@pytest.fixture
def line(nspa):
    """A call-off line of 1,000 rounds ordered on 2024-06-01 by Poland."""
    framework = make_framework(actor=nspa, lines=[(1, 50_000)])
    call_off = make_calloff(framework, quantity=1000, actor=nspa)
    return call_off.lines.get()


@pytest.fixture
def two_line_call_off(nspa):
    """Poland's CO-POL-2024-07, ordered 2024-06-01: line 1, 100 of one item; line 2, 50 of another."""
    framework = make_framework(actor=nspa, lines=((Decimal("10.00"), 1000), (Decimal("20.00"), 1000)))
    first, second = framework.lines.order_by("pk")
    return services.calloff_create(
        actor=nspa,
        framework=framework,
        nation=Nation.objects.get(code="POL"),
        reference="CO-POL-2024-07",
        order_date=dt.date(2024, 6, 1),
        lines=[
            services.CallOffLineInput(framework_line=first, quantity=100),
            services.CallOffLineInput(framework_line=second, quantity=50),
        ],
    )
