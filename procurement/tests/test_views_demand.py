"""The demand entry grid: changed cells only, errors per cell, conflicts, filing on behalf of a
nation, who may open it and its query count."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portal.models import Nation, ObjectChange
from procurement import services
from procurement.forms import DemandGridForm
from procurement.models import DemandSignal
from procurement.tests.factories import ItemFactory
from procurement.tests.views_helpers import body, url


def base_queries(user) -> int:
    """Session and user, plus the nation shown in the user menu for users that have one."""
    return 2 + (1 if user.nation_id else 0)


# --- Demand entry ---------------------------------------------------------------------------


def grid_years():
    first = timezone.localdate().year
    return range(first, first + 5)


def grid_data(nation, items) -> dict:
    """What the grid page posts back unchanged: each cell's shown value, version and original."""
    signals = DemandSignal.objects.filter(nation=nation)
    form = DemandGridForm(items=items, years=grid_years(), signals=signals)
    return {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}


def test_director_files_changed_cells_only(client, owner):
    items = [ItemFactory(name="A round"), ItemFactory(name="B round")]
    year = grid_years()[1]
    unchanged = services.demand_signal_set(
        actor=owner, nation=owner.nation, item=items[1], year=year, quantity=7, firmness="planned"
    )
    client.force_login(owner)
    page = client.get(url("demand-entry"))
    assert page.status_code == 200
    assert "Demand entry: Poland" in body(page)
    data = grid_data(owner.nation, items)
    data[f"c{items[0].pk}_{year}_quantity"] = "1200"
    data[f"c{items[0].pk}_{year}_firmness"] = "firm"
    before = ObjectChange.objects.count()
    response = client.post(url("demand-entry"), data)
    assert response.status_code == 302
    created = DemandSignal.objects.get(nation=owner.nation, item=items[0], year=year)
    assert (created.quantity, created.firmness, created.filed_by) == (1200, "firm", owner)
    assert ObjectChange.objects.count() == before + 1  # the untouched cell was not re-saved
    unchanged.refresh_from_db()
    assert unchanged.version == 1

    # Clearing a cell withdraws the signal.
    data = grid_data(owner.nation, items)
    data[f"c{items[1].pk}_{year}_quantity"] = ""
    assert client.post(url("demand-entry"), data).status_code == 302
    assert not DemandSignal.objects.filter(pk=unchanged.pk).exists()


def test_grid_errors_save_nothing_and_name_the_cell(client, owner):
    items = [ItemFactory(name="Fuze")]
    years = grid_years()
    client.force_login(owner)
    data = grid_data(owner.nation, items)
    data[f"c{items[0].pk}_{years[0]}_quantity"] = "5"
    data[f"c{items[0].pk}_{years[0]}_firmness"] = "firm"
    data[f"c{items[0].pk}_{years[1]}_quantity"] = "9"  # no firmness
    data[f"c{items[0].pk}_{years[2]}_quantity"] = str(2**64)
    response = client.post(url("demand-entry"), data)
    assert response.status_code == 400
    page = body(response)
    assert f"Fuze {years[1]}: Choose firm, planned or indicative." in page
    assert f"Fuze {years[2]}: Ensure this value is less than or equal to" in page
    assert 'value="9"' in page
    assert not DemandSignal.objects.exists()


def test_concurrent_edit_of_a_cell_is_a_409_naming_it_and_nothing_is_saved(client, owner, nspa):
    items = [ItemFactory(name="ATGM"), ItemFactory(name="Stinger")]
    years = grid_years()
    signal = services.demand_signal_set(
        actor=owner, nation=owner.nation, item=items[0], year=years[0], quantity=10, firmness="planned"
    )
    client.force_login(owner)
    data = grid_data(owner.nation, items)  # the page as the director opened it
    services.demand_signal_set(  # NSPA edits the same cell meanwhile
        actor=nspa, nation=owner.nation, item=items[0], year=years[0], quantity=11, firmness="firm"
    )
    data[f"c{items[0].pk}_{years[0]}_quantity"] = "12"
    data[f"c{items[1].pk}_{years[0]}_quantity"] = "3"
    data[f"c{items[1].pk}_{years[0]}_firmness"] = "firm"
    response = client.post(url("demand-entry"), data)
    assert response.status_code == 409
    assert f"ATGM {years[0]}: This demand signal was changed by someone else" in body(response)
    assert 'value="12"' in body(response)
    signal.refresh_from_db()
    assert signal.quantity == 11
    assert not DemandSignal.objects.filter(item=items[1]).exists()  # all or nothing


def test_a_cell_someone_else_filled_meanwhile_is_a_conflict(client, owner, nspa):
    item = ItemFactory(name="Mortar round")
    year = grid_years()[0]
    client.force_login(owner)
    data = grid_data(owner.nation, [item])
    services.demand_signal_set(
        actor=nspa, nation=owner.nation, item=item, year=year, quantity=1, firmness="firm"
    )
    data[f"c{item.pk}_{year}_quantity"] = "2"
    data[f"c{item.pk}_{year}_firmness"] = "firm"
    assert client.post(url("demand-entry"), data).status_code == 409
    assert DemandSignal.objects.get().quantity == 1


def test_nspa_files_on_behalf_of_a_nation_and_directors_cannot(client, nspa, owner):
    item = ItemFactory(name="Tank round")
    france = Nation.objects.get(code="FRA")
    year = grid_years()[0]
    client.force_login(nspa)
    assert 'name="nation"' in body(client.get(url("demand-entry")))  # the nation picker
    page = client.get(url("demand-entry"), {"nation": "FRA"})
    assert 'data-testid="on-behalf"' in body(page)
    assert client.get(url("demand-entry"), {"nation": "XXX"}).status_code == 404
    data = grid_data(france, [item])
    data[f"c{item.pk}_{year}_quantity"] = "40"
    data[f"c{item.pk}_{year}_firmness"] = "indicative"
    response = client.post(url("demand-entry") + "?nation=FRA", data)
    assert response["Location"] == url("demand-entry") + "?nation=FRA"
    signal = DemandSignal.objects.get(nation=france)
    change = ObjectChange.objects.get(object_id=str(signal.pk), action="create")
    assert change.message == f"Filed by {nspa.username} on behalf of France"

    client.force_login(owner)
    assert client.get(url("demand-entry"), {"nation": "FRA"}).status_code == 403
    assert client.post(url("demand-entry") + "?nation=FRA", data).status_code == 403
    assert DemandSignal.objects.filter(nation=france).get().quantity == 40


@pytest.mark.parametrize("role", ["secretariat", "board_member", "partner", "no_role"])
def test_demand_entry_is_closed_to_other_roles(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get(url("demand-entry")).status_code == 403
    assert client.post(url("demand-entry"), {}).status_code == 403


def test_demand_grid_query_count_is_the_same_at_two_sizes(client, owner, django_assert_num_queries):
    client.force_login(owner)
    for size in (2, 6):
        for item in ItemFactory.create_batch(size):
            services.demand_signal_set(
                actor=owner, nation=owner.nation, item=item, year=grid_years()[0], quantity=1, firmness="firm"
            )
        with django_assert_num_queries(base_queries(owner) + 2):  # items and signals
            assert client.get(url("demand-entry")).status_code == 200
