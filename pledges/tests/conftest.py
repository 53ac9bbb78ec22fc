"""Fixtures shared by the pledges API test modules (``test_api_*.py``); a module that defines its own
``cycle`` or ``plan`` keeps it."""

import datetime as dt

import pytest

from pledges import services
from pledges.models import PlanCycle


@pytest.fixture
def cycle():
    return PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))


@pytest.fixture
def plan(owner, cycle):
    return services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
