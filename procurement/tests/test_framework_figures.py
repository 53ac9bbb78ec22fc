"""A framework's committed value sums every nation's call-offs: the list, its exports and the API
withhold it from a reader who may not read those call-offs, where it would give away fewer than
AGGREGATE_MIN_NATIONS other nations' orders (portal.aggregates), as the framework page does."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from portal import aggregates
from procurement import selectors
from procurement.models import CallOff, FrameworkContract
from procurement.tests.factories import make_calloff, make_framework

pytestmark = pytest.mark.django_db

ROMANIA = ("432100", "567900", "4321")  # Romania's value, the remaining value, its quantity


@pytest.fixture
def solo():
    """Germany and Romania take part; only Romania has ordered (4321 at 100.00)."""
    framework = make_framework(nations=("DEU", "ROU", "FRA", "ITA"))
    make_calloff(framework, nation="ROU", quantity=4321)
    framework.refresh_from_db()
    return framework


@pytest.fixture
def german(make_user):
    return make_user("director", "DEU", username="director_deu")


def _list(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("procurement:framework-list"), query)
    assert response.status_code == 200
    return response


def test_the_list_and_its_exports_withhold_a_single_nations_orders(client, german, solo):
    html = _list(client, german).content.decode()
    for figure in ROMANIA[:2]:
        assert figure not in html
    assert 'data-testid="withheld"' in html
    assert "fewer than 3 nations" in html
    exported = _list(client, german, export="csv").content.decode("utf-8-sig")
    (row,) = [r for r in csv.DictReader(io.StringIO(exported)) if r["Reference"] == solo.reference]
    assert row["Committed value"] == ""
    assert row["Remaining"] == ""
    assert "1000000" in row["Ceiling value"]  # the contract's own terms stay


def test_the_api_withholds_them_too(client, german, solo):
    client.force_login(german)
    listed = client.get("/api/procurement/frameworks/").json()["results"]
    (entry,) = [f for f in listed if f["id"] == solo.pk]
    assert entry["committed_value"] is None
    assert entry["remaining_value"] is None
    detail = client.get(f"/api/procurement/frameworks/{solo.pk}/").json()
    assert detail["committed_value"] is None
    assert [line["ordered_quantity"] for line in detail["lines"]] == [None]
    for figure in ROMANIA:
        assert figure not in str(detail)


@pytest.mark.parametrize("role", ["nspa", "secretariat"])
def test_readers_of_every_call_off_see_the_figures(client, users_by_role, solo, role):
    client.force_login(users_by_role[role])
    detail = client.get(f"/api/procurement/frameworks/{solo.pk}/").json()
    assert detail["committed_value"] == "432100.00"
    assert detail["remaining_value"] == "567900.00"
    assert [line["ordered_quantity"] for line in detail["lines"]] == [4321]
    assert 'data-testid="withheld"' not in _list(client, users_by_role[role]).content.decode()


def test_three_other_nations_orders_are_shown_summed(client, german, solo):
    for code in ("FRA", "ITA"):
        make_calloff(solo, nation=code, quantity=10)
    client.force_login(german)
    detail = client.get(f"/api/procurement/frameworks/{solo.pk}/").json()
    assert detail["committed_value"] == "434100.00"
    assert [line["ordered_quantity"] for line in detail["lines"]] == [4341]


def test_the_readers_own_orders_do_not_count_towards_the_minimum(client, german, solo):
    make_calloff(solo, nation="DEU", quantity=10)
    make_calloff(solo, nation="FRA", quantity=10)
    client.force_login(german)
    # Germany, Romania and France ordered: the total less Germany's own is two nations' orders.
    assert client.get(f"/api/procurement/frameworks/{solo.pk}/").json()["committed_value"] is None


@pytest.mark.parametrize("others", [0, 1, 2, 3])
def test_the_sql_rule_agrees_with_the_python_rule(german, solo, others):
    CallOff.objects.all().delete()
    for code in ("ROU", "FRA", "ITA")[:others]:
        make_calloff(solo, nation=code, quantity=1)
    reader = aggregates.audience(german, CallOff)
    nations = set(CallOff.objects.filter(framework=solo).values_list("nation", flat=True))
    annotated = selectors.framework_list(user=german).get(pk=solo.pk)
    assert annotated.figures_withheld == reader.hides(nations)
    assert FrameworkContract.objects.get(pk=solo.pk).committed_shown is not None  # no selector, no flag
