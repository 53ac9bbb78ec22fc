"""Fixtures shared by the analytics test modules (``test_analytics_*.py``) and the delivery import
ones (``test_import_*.py``)."""

import pytest

from procurement.tests.analytics_data import build_data
from procurement.tests.factories import make_calloff, make_framework


@pytest.fixture
def data():
    return build_data()


@pytest.fixture
def line(nspa):
    """A call-off line of 1,000 rounds ordered on 2024-06-01 by Poland."""
    framework = make_framework(actor=nspa, lines=[(1, 50_000)])
    call_off = make_calloff(framework, quantity=1000, actor=nspa)
    return call_off.lines.get()
