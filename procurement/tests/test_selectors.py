"""Procurement reads are scoped: a director sees their own nation's orders and deliveries."""

import datetime as dt

import pytest

from procurement import selectors, services
from procurement.services import DeliveryInput
from procurement.tests.factories import make_calloff, make_framework, nspa_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    shared = make_framework(nations=["POL", "FRA"])
    french_only = make_framework(nations=["FRA"])
    pol = make_calloff(shared, nation="POL", quantity=10)
    fra = make_calloff(shared, nation="FRA", quantity=10)
    make_calloff(french_only, nation="FRA", quantity=10)
    for call_off in (pol, fra):
        services.delivery_record(
            actor=nspa_user(),
            data=DeliveryInput(call_off.lines.get().pk, dt.date(2024, 9, 1), 5, 5, lot_number="L1"),
        )
    return {"shared": shared, "french_only": french_only, "pol": pol, "fra": fra}


def test_director_sees_own_call_offs_and_deliveries_only(owner, scenario):
    assert list(selectors.calloff_list(user=owner)) == [scenario["pol"]]
    assert {d.call_off_line.call_off_id for d in selectors.delivery_list(user=owner)} == {scenario["pol"].pk}
    assert list(selectors.framework_list(user=owner)) == [scenario["shared"]]


def test_director_of_another_nation_sees_theirs(other, scenario):
    assert selectors.calloff_list(user=other).count() == 2
    assert selectors.framework_list(user=other).count() == 2


@pytest.mark.parametrize("role", ["nspa", "secretariat", "superuser"])
def test_nspa_and_secretariat_read_everything(users_by_role, role, scenario):
    user = users_by_role[role]
    assert selectors.calloff_list(user=user).count() == 3
    assert selectors.delivery_list(user=user).count() == 2


@pytest.mark.parametrize("role", ["partner", "board_member", "no_role"])
def test_others_read_no_orders(users_by_role, role, scenario):
    user = users_by_role[role]
    assert selectors.calloff_list(user=user).count() == 0
    assert selectors.delivery_list(user=user).count() == 0
    assert selectors.demand_signal_list(user=user).count() == 0


def test_framework_detail_of_a_framework_not_joined_is_404(owner, scenario):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.framework_get(user=owner, pk=scenario["french_only"].pk)
    assert selectors.framework_get(user=owner, pk=scenario["shared"].pk) == scenario["shared"]


def test_list_selectors_keep_their_query_count(owner, scenario, django_assert_num_queries):
    for _ in range(3):
        make_calloff(scenario["shared"], nation="POL", quantity=1)
    with django_assert_num_queries(1):
        assert len([c.framework.reference for c in selectors.calloff_list(user=owner)]) == 4
    with django_assert_num_queries(5):  # framework, suppliers, lines with items, participants, amendments
        framework = selectors.framework_get(user=owner, pk=scenario["shared"].pk)
        [line.item.name for line in framework.lines.all()]
