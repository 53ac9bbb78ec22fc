"""Procurement lists as their users see them: filters, sorting, exports and their caps, a director's
scope, and the framework page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from portal import web
from portal.models import Nation
from procurement import services
from procurement.models import CallOff, Delivery
from procurement.tests.factories import ItemFactory
from procurement.tests.views_helpers import JUNK, body, populate, url

# --- Query counts ---------------------------------------------------------------------------

# The list and detail pages' query counts are pinned at two sizes by the URL matrix
# (procurement/tests/url_matrix_web.py). Each list: count and page (2), plus its prefetches and the
# choices of its filters.
LIST_QUERIES = {
    "item-list": 2,
    "programme-list": 2 + 2 + 1,  # memberships and their nations; member choices
    "supplier-list": 2,
    "demand-list": 2 + 2,  # nation and item choices
    "framework-list": 2 + 1 + 2,  # suppliers; programme and participant choices
    "call-off-list": 2 + 2,  # framework and nation choices
    "delivery-list": 2 + 3,  # framework, nation and item choices
}


# --- Lists: filters, sorting, exports -------------------------------------------------------


def test_sorting_on_a_column_with_ties_never_repeats_rows_across_pages(client, nspa):
    ItemFactory.create_batch(web.PAGE_SIZE + 7, capability_area="lbdm", unit="round")
    client.force_login(nspa)
    seen = []
    for page in (1, 2):
        response = client.get(url("item-list"), {"sort": "unit", "page": page})
        seen += re.findall(r'href="/procurement/items/(\d+)/">item-', body(response))
        assert list(response.context["table"].data.data.query.order_by) == ["unit", "pk"]
    assert len(seen) == web.PAGE_SIZE + 7
    assert len(set(seen)) == len(seen)


def test_list_filters_and_junk_input_never_fail(client, nspa):
    ItemFactory(name="Patriot GEM-T missile", code="gem-t", capability_area="iamd")
    ItemFactory(name="155mm round", code="r155", capability_area="lbdm")
    client.force_login(nspa)
    response = client.get(url("item-list"), {"capability_area": "iamd"})
    assert "Patriot GEM-T missile" in body(response)
    assert "155mm round" not in body(response)
    for junk in (
        {"page": "zzz"},
        {"page": "999"},
        {"sort": "nonexistent"},
        {"per_page": "0"},
        {"capability_area": "nope"},
    ):
        assert client.get(url("item-list"), junk).status_code == 200
    response = client.get(url("delivery-list"), {"delivered_after": "not-a-date", "framework": "x"})
    assert response.status_code == 200
    assert "Enter a valid date." in body(response)


@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
def test_hostile_filter_values_never_fail_a_list_or_its_export(client, nspa, name):
    populate(1)
    client.force_login(nspa)
    filters = client.get(url(name)).context["filter"].filters
    assert filters
    for value in JUNK:
        query = dict.fromkeys(filters, value)
        assert client.get(url(name), query).status_code == 200, (name, value)
        assert client.get(url(name), {**query, "export": "csv"}).status_code in {200, 302}, (name, value)


def test_export_has_every_filtered_row_across_pages_and_escapes_formulas(client, nspa):
    ItemFactory.create_batch(web.PAGE_SIZE + 5, capability_area="lbdm")
    ItemFactory(name='=HYPERLINK("http://evil")', code="evil", capability_area="lbdm")
    ItemFactory(name="Not exported", code="other", capability_area="iamd")
    client.force_login(nspa)

    response = client.get(url("item-list"), {"capability_area": "lbdm", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="items-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Name", "Capability area"]
    assert len(rows) == 1 + web.PAGE_SIZE + 6
    names = {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in names
    assert "Not exported" not in names
    assert {row[2] for row in rows[1:]} == {"Land battle decisive munitions"}

    response = client.get(url("item-list"), {"capability_area": "lbdm", "export": "xlsx", "sort": "name"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 1 + web.PAGE_SIZE + 6
    # "=" sorts first. XLSX says "text" by the cell's type: no apostrophe, never a formula.
    assert values[1][1] == '=HYPERLINK("http://evil")'
    assert sheet["B2"].data_type == "s"


def test_export_of_frameworks_and_deliveries_is_scoped_for_a_director(client, owner):
    populate(2)
    client.force_login(owner)
    response = client.get(url("delivery-list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    nation_column = rows[0].index("Nation")
    assert len(rows) == 1 + 2 * 2
    assert {row[nation_column] for row in rows[1:]} == {"POL"}
    response = client.get(url("framework-list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *data = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(data) == 2
    assert data[0][header.index("Suppliers")].startswith("Supplier ")
    assert isinstance(data[0][header.index("Ceiling value")], float | int)


def test_export_over_the_cap_is_refused_with_a_message(client, nspa, monkeypatch):
    monkeypatch.setattr(web, "MAX_EXPORT_ROWS", 3)
    ItemFactory.create_batch(4)
    client.force_login(nspa)
    response = client.get(url("item-list"), {"export": "csv", "unit": "round"}, follow=True)
    assert response.redirect_chain[-1][0] == url("item-list") + "?unit=round"
    assert "4 rows match; an export holds at most 3." in body(response)
    bad = client.get(url("item-list"), {"export": "pdf"}, follow=True)
    assert "Choose CSV or XLSX to export." in body(bad)


def test_list_shows_export_links_that_keep_the_filters(client, nspa):
    client.force_login(nspa)
    page = body(client.get(url("framework-list"), {"status": "active", "page": "1"}))
    assert 'href="?status=active&amp;export=csv"' in page
    assert 'href="?status=active&amp;export=xlsx"' in page


# --- Scope ----------------------------------------------------------------------------------


def test_director_sees_only_their_nations_calloffs_and_deliveries(client, owner):
    (framework,) = populate(1)
    french = CallOff.objects.get(framework=framework, nation__code="FRA")
    polish = CallOff.objects.get(framework=framework, nation__code="POL")
    client.force_login(owner)
    listing = body(client.get(url("call-off-list")))
    assert polish.reference in listing
    assert french.reference not in listing
    assert client.get(url("call-off-detail", pk=french.pk)).status_code == 404
    french_delivery = Delivery.objects.filter(call_off_line__call_off=french).first()
    assert client.get(url("delivery-detail", pk=french_delivery.pk)).status_code == 404
    page = body(client.get(url("framework-detail", pk=framework.pk)))
    assert polish.reference in page
    assert french.reference not in page  # neither in the call-offs nor in the history
    assert "France ordered" not in page
    assert "Poland ordered" in page


# --- Framework page -------------------------------------------------------------------------


def test_framework_page_shows_lines_participants_amendments_history_and_burndown(client, nspa, secretariat):
    (framework,) = populate(1)
    services.framework_participant_add(
        actor=nspa, framework=framework, nation=Nation.objects.get(code="DEU"), joined_on=dt.date(2025, 3, 1)
    )
    client.force_login(secretariat)
    page = body(client.get(url("framework-detail", pk=framework.pk)))
    participants = page.split('data-testid="participants"')[1].split("</table>")[0]
    assert "Germany" in participants
    assert "Poland" in participants
    assert "Germany joined the framework." in page  # the amendment the service recorded
    history = page.split('data-testid="history"')[1]
    assert "Germany joined" in history  # the participant's audit row
    assert "ordered" in history  # call-offs placed under it
    assert 'data-testid="burndown"' in page
    assert f'id="burndown-{framework.pk}" type="application/json"' in page
    assert "js/procurement-charts.js" in page
    assert ">New call-off<" not in page  # the secretariat reads, it does not order
