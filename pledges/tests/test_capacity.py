"""Planned capacity from submitted plans against aggregated demand."""

import datetime as dt

import pytest
from django.urls import reverse

from pledges import services
from pledges.models import CapacityLine, PlanCycle
from pledges.selectors.capacity import capacity_vs_demand, planned_output
from procurement import services as procurement_services
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def test_planned_output_rule():
    line = CapacityLine(baseline_year=2023, current_output=60000, target_output=160000, target_year=2030)
    assert [planned_output(line, y, 2026) for y in (2025, 2026, 2027, 2030, 2031)] == [
        60000, 60000, 85000, 160000, 160000,
    ]  # fmt: skip


@pytest.fixture
def setup(owner, other, secretariat):
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    item = ItemFactory(name="155 mm artillery round")
    fields = {
        "item": item, "commitment": 3, "site": "S", "baseline_output": 1, "baseline_year": 2024,
        "current_output": 1000, "target_output": 2000, "target_year": 2028, "surge_capacity": 100,
    }  # fmt: skip
    submitted = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    services.entry_save(
        actor=owner, plan=submitted, kind="capacityline", fields={**fields, "lead_time_months": 12}
    )
    services.plan_submit(actor=owner, plan=submitted)
    draft = services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    services.entry_save(
        actor=other, plan=draft, kind="capacityline", fields={**fields, "lead_time_months": 12}
    )
    procurement_services.demand_signal_set(
        actor=owner, nation=owner.nation, item=item, year=2027, quantity=5000, firmness="firm"
    )
    return cycle, item


def test_only_submitted_capacity_counts_against_demand(setup, secretariat):
    cycle, _ = setup
    rows = {row.year: row for row in capacity_vs_demand(user=secretariat, cycle=cycle)}
    assert rows[2026].capacity == 1000  # the French draft is not counted
    assert rows[2027].capacity == 1500
    assert rows[2027].demanded == 5000
    assert rows[2027].gap == 3500
    assert rows[2028].capacity == 2000
    assert rows[2027].nations == 1


def test_page_for_secretariat_and_nspa_only(
    setup, client, secretariat, nspa, owner, django_assert_max_num_queries
):
    client.force_login(secretariat)
    response = client.get(reverse("pledges:capacity-vs-demand"), {"cycle": "2026"})
    assert response.status_code == 200
    assert b"155 mm artillery round" in response.content
    client.force_login(nspa)
    assert client.get(reverse("pledges:capacity-vs-demand")).status_code == 200
    client.force_login(owner)
    assert client.get(reverse("pledges:capacity-vs-demand")).status_code == 403


@pytest.mark.parametrize("extra_nations", [0, 3])
def test_page_query_count_does_not_grow(
    setup, client, secretariat, make_user, extra_nations, django_assert_num_queries
):
    cycle, item = setup
    for code in ["DEU", "NLD", "ITA"][:extra_nations]:
        director = make_user("director", code)
        plan = services.plan_start(actor=director, nation=director.nation, cycle=cycle)
        services.entry_save(
            actor=director,
            plan=plan,
            kind="capacityline",
            fields={"item": item, "commitment": 3, "site": code, "baseline_output": 1, "baseline_year": 2024,
                    "current_output": 10, "target_output": 20, "target_year": 2028, "lead_time_months": 6},
        )  # fmt: skip
        services.plan_submit(actor=director, plan=plan)
    client.force_login(secretariat)
    client.get(reverse("pledges:capacity-vs-demand"))  # fills the demand figures cache
    # session, user, cycles, versions+lines, demand cache stamp
    with django_assert_num_queries(5):
        response = client.get(reverse("pledges:capacity-vs-demand"))
    assert response.status_code == 200
