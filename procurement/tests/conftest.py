"""Fixtures shared by the analytics test modules (``test_analytics_*.py``)."""

import pytest

from procurement.tests.analytics_data import build_data


@pytest.fixture
def data():
    return build_data()
