"""Procurement pages as their users see them: lists, exports, details, forms and the demand grid."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import web
from portal.models import Nation, ObjectChange
from procurement import services
from procurement.forms import DemandGridForm
from procurement.models import Amendment, CallOff, Delivery, DemandSignal, FrameworkContract, Item
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user

_seq = itertools.count(1)


def url(name: str, **kwargs) -> str:
    return reverse(f"procurement:{name}", kwargs=kwargs or None)


def body(response) -> str:
    return response.content.decode()


def base_queries(user) -> int:
    """Session and user, plus the nation shown in the user menu for users that have one."""
    return 2 + (1 if user.nation_id else 0)


def deliver(call_off, *, quantity=1, lot=None, day=dt.date(2024, 9, 1), actor=None):
    line = call_off.lines.order_by("pk").first()
    return services.delivery_record(
        actor=actor or nspa_user(),
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=day,
            quantity_delivered=quantity,
            quantity_accepted=quantity,
            lot_number=lot or f"LOT-{next(_seq)}",
        ),
    )


def populate(count: int, actor=None) -> list[FrameworkContract]:
    """``count`` frameworks, each with a Polish and a French call-off and deliveries, plus
    programmes, suppliers and demand: every list has rows for NSPA and for Poland's director."""
    actor = actor or nspa_user()
    poland, france = Nation.objects.get(code="POL"), Nation.objects.get(code="FRA")
    frameworks = []
    for _ in range(count):
        n = next(_seq)
        programme = services.programme_create(
            actor=actor, code=f"prog-{n}", name=f"Programme {n}", kind="programme"
        )
        services.programme_member_add(
            actor=actor, programme=programme, nation=poland, joined_on=dt.date(2020, 1, 1)
        )
        services.programme_member_add(
            actor=actor, programme=programme, nation=france, joined_on=dt.date(2021, 1, 1)
        )
        supplier = services.supplier_create(actor=actor, name=f"Supplier {n}", country="DEU")
        framework = make_framework(actor=actor)
        services.framework_update(
            actor=actor,
            framework=framework,
            expected_version=framework.version,
            programme=programme,
            suppliers=[supplier],
        )
        framework.refresh_from_db()
        for nation in ("POL", "FRA"):
            call_off = make_calloff(framework, nation=nation, quantity=10, actor=actor)
            deliver(call_off, quantity=2, actor=actor)
            deliver(call_off, quantity=3, actor=actor)
        item = framework.lines.get().item
        for nation in (poland, france):
            services.demand_signal_set(
                actor=actor, nation=nation, item=item, year=2026, quantity=100, firmness="firm"
            )
        frameworks.append(framework)
    return frameworks


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


JUNK = ["99999999999999999999", "-1", "x", "1e30", "nul\x00byte", "2024-02-30", "' OR 1=1 --"]


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


# --- Forms ----------------------------------------------------------------------------------


def test_hostile_form_input_is_a_400_never_a_500(client, nspa):
    (framework,) = populate(1)
    call_off = CallOff.objects.filter(framework=framework).first()
    client.force_login(nspa)
    forms_ = [url(n) for n in ("item-create", "programme-create", "supplier-create", "framework-create")] + [
        url(n, pk=framework.pk)
        for n in ("framework-edit", "framework-amend", "framework-participant-add", "framework-line-add")
    ]
    forms_ += [url("call-off-create", pk=framework.pk), url("delivery-create", pk=call_off.pk)]
    before = ObjectChange.objects.count()
    for form_url in forms_:
        fields = client.get(form_url).context["form"].fields
        for value in JUNK:
            data = dict.fromkeys(fields, value)
            if form_url.endswith("/call-offs/new/"):
                data.update({"lines-TOTAL_FORMS": value, "lines-INITIAL_FORMS": "0"})
            response = client.post(form_url, data)
            assert response.status_code == 400, (form_url, value)
    assert ObjectChange.objects.count() == before


def test_nspa_creates_an_item_and_a_duplicate_code_keeps_the_input(client, nspa):
    client.force_login(nspa)
    data = {
        "code": "gem-t",
        "name": "Patriot GEM-T",
        "capability_area": "iamd",
        "unit": "missile",
        "stanags": "4425, 2895",
    }
    response = client.post(url("item-create"), data)
    item = Item.objects.get(code="gem-t")
    assert response.status_code == 302
    assert response["Location"] == url("item-detail", pk=item.pk)
    assert item.stanags == ["4425", "2895"]
    assert ObjectChange.objects.filter(object_id=str(item.pk), action="create", actor=nspa).exists()

    response = client.post(url("item-create"), {**data, "name": "Second try"})
    assert response.status_code == 400
    assert "Item with this Code already exists." in body(response)
    assert 'value="Second try"' in body(response)


def test_item_edit_goes_through_the_service(client, nspa):
    item = ItemFactory(name="Old name")
    client.force_login(nspa)
    page = body(client.get(url("item-edit", pk=item.pk)))
    assert 'value="Old name"' in page
    response = client.post(
        url("item-edit", pk=item.pk),
        {
            "code": item.code,
            "name": "New name",
            "capability_area": "lbdm",
            "unit": "round",
            "nato_stock_number": "12",
        },
    )
    assert response.status_code == 400
    assert "Use the NATO stock number form" in body(response)
    response = client.post(
        url("item-edit", pk=item.pk),
        {"code": item.code, "name": "New name", "capability_area": "lbdm", "unit": "round"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "New name"
    assert ObjectChange.objects.filter(object_id=str(item.pk), action="update").exists()


@pytest.mark.parametrize("role", ["director", "secretariat", "board_member", "partner"])
def test_only_nspa_may_post_create_forms(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = client.post(
        url("item-create"), {"code": "x", "name": "X", "capability_area": "lbdm", "unit": "r"}
    )
    assert response.status_code == 403
    assert not Item.objects.filter(code="x").exists()


def test_programme_and_member_and_supplier_forms(client, nspa):
    client.force_login(nspa)
    response = client.post(
        url("programme-create"),
        {"code": "asp", "name": "Ammunition Support Partnership", "kind": "partnership"},
    )
    programme_url = response["Location"]
    pk = int(programme_url.rstrip("/").split("/")[-1])
    poland = Nation.objects.get(code="POL")
    add = url("programme-member-add", pk=pk)
    assert client.post(add, {"nation": poland.pk, "joined_on": "2023-05-01"})["Location"] == programme_url
    again = client.post(add, {"nation": poland.pk, "joined_on": "2024-01-01"})
    assert again.status_code == 400
    assert "is already a member of" in body(again)
    assert "Poland" in body(client.get(programme_url))
    response = client.post(url("supplier-create"), {"name": "Nammo", "country": "nor"})
    assert response.status_code == 302
    assert "Nammo" in body(client.get(url("supplier-list")))


def test_framework_create_edit_with_a_stale_version_is_a_409_that_keeps_the_input(client, nspa):
    client.force_login(nspa)
    response = client.post(
        url("framework-create"),
        {
            "reference": "NSPA-155-2024",
            "title": "155mm for CAESAR and PzH 2000",
            "currency": "eur",
            "ceiling_value": "1100000000",
            "firm_order_value": "0",
            "period_start": "2024-01-01",
            "period_end": "2027-12-31",
            "status": "active",
        },
    )
    framework = FrameworkContract.objects.get(reference="NSPA-155-2024")
    assert response["Location"] == url("framework-detail", pk=framework.pk)
    assert framework.currency == "EUR"

    edit = url("framework-edit", pk=framework.pk)
    assert 'name="version" value="1"' in body(client.get(edit))
    # Someone else saves first.
    services.framework_update(actor=nspa, framework=framework, expected_version=1, notes="Theirs")
    response = client.post(edit, {"title": "My title", "notes": "Mine", "version": "1"})
    assert response.status_code == 409
    assert "was changed by someone else since you opened it" in body(response)
    assert 'value="My title"' in body(response)
    framework.refresh_from_db()
    assert (framework.title, framework.notes) == ("155mm for CAESAR and PzH 2000", "Theirs")

    response = client.post(edit, {"title": "My title", "notes": "Mine", "version": "2"})
    assert response.status_code == 302
    framework.refresh_from_db()
    assert (framework.title, framework.notes, framework.version) == ("My title", "Mine", 3)


def test_framework_amend_records_old_and_new_values(client, nspa):
    framework = make_framework(ceiling=Decimal("1000000.00"))
    client.force_login(nspa)
    amend = url("framework-amend", pk=framework.pk)
    assert 'value="1000000.00"' in body(client.get(amend))
    values = {
        "version": framework.version,
        "date": "2024-06-01",
        "rationale": "ceiling_change",
        "description": "Ceiling raised after new orders.",
        "title": framework.title,
        "ceiling_value": "1500000.00",
        "firm_order_value": "0.00",
        "period_start": "2024-01-01",
        "period_end": "2027-12-31",
        "status": "active",
    }
    nothing = client.post(amend, {**values, "ceiling_value": "1000000.00"})
    assert nothing.status_code == 400
    assert "The amendment changes nothing." in body(nothing)
    too_low = client.post(amend, {**values, "firm_order_value": "2000000.00"})
    assert too_low.status_code == 400
    assert "Firm orders cannot exceed the ceiling." in body(too_low)
    assert client.post(amend, values).status_code == 302
    amendment = Amendment.objects.get(framework=framework, rationale="ceiling_change")
    assert amendment.changes == {"ceiling_value": {"old": "1000000.00", "new": "1500000.00"}}
    page = body(client.get(url("framework-detail", pk=framework.pk)))
    assert "Ceiling raised after new orders." in page
    assert "1000000.00 → 1500000.00" in page


def test_amending_from_a_stale_page_is_a_409_and_changes_nothing(client, nspa):
    framework = make_framework()
    client.force_login(nspa)
    values = {
        "version": framework.version,
        "date": "2024-06-01",
        "rationale": "period_extension",
        "description": "Extended by a year.",
        "title": framework.title,
        "ceiling_value": "1000000.00",
        "firm_order_value": "0.00",
        "period_start": "2024-01-01",
        "period_end": "2028-12-31",
        "status": "active",
    }
    services.framework_update(actor=nspa, framework=framework, expected_version=framework.version, notes="x")
    response = client.post(url("framework-amend", pk=framework.pk), values)
    assert response.status_code == 409
    assert "changed by someone else" in body(response)
    assert 'value="2028-12-31"' in body(response)
    framework.refresh_from_db()
    assert framework.period_end == dt.date(2027, 12, 31)
    assert not Amendment.objects.filter(framework=framework).exists()


def test_framework_line_and_participant_forms_report_duplicates_on_the_field(client, nspa):
    framework = make_framework(nations=("POL",))
    item = framework.lines.get().item
    client.force_login(nspa)
    response = client.post(
        url("framework-line-add", pk=framework.pk), {"item": item.pk, "unit_price": "10", "max_quantity": "5"}
    )
    assert response.status_code == 400
    assert "already has a line in this framework" in body(response)
    poland = Nation.objects.get(code="POL")
    response = client.post(
        url("framework-participant-add", pk=framework.pk), {"nation": poland.pk, "joined_on": "2024-02-01"}
    )
    assert response.status_code == 400
    assert "already takes part in this framework" in body(response)


def calloff_post(framework, rows, **overrides):
    data = {
        "nation": Nation.objects.get(code="POL").pk,
        "reference": f"CO-WEB-{next(_seq)}",
        "order_date": "2024-06-01",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        **overrides,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{index}-{key}"] = value
    return data


def test_calloff_form_places_an_order_with_a_schedule(client, nspa):
    framework = make_framework(lines=((Decimal("100.00"), 500), (Decimal("7.50"), 100)))
    first, second = framework.lines.order_by("pk")
    client.force_login(nspa)
    create = url("call-off-create", pk=framework.pk)
    assert client.get(create).status_code == 200
    data = calloff_post(
        framework,
        [
            {"framework_line": first.pk, "quantity": "100", "schedule": "2024-12-31: 60; 2025-06-30: 40"},
            {},
            {"framework_line": second.pk, "quantity": "10"},
        ],
    )
    response = client.post(create, data)
    call_off = CallOff.objects.get(reference=data["reference"])
    assert response["Location"] == url("call-off-detail", pk=call_off.pk)
    assert call_off.total_value == Decimal("10075.00")
    page = body(client.get(response["Location"]))
    assert "60 by" in page
    assert "40 by" in page


def test_calloff_errors_land_on_the_row_and_keep_the_input(client, nspa):
    framework = make_framework(lines=((Decimal("100.00"), 50),))
    line = framework.lines.get()
    client.force_login(nspa)
    create = url("call-off-create", pk=framework.pk)
    # A blank row, then a row whose schedule does not add up: the error is on the second row.
    data = calloff_post(
        framework, [{}, {"framework_line": line.pk, "quantity": "20", "schedule": "2024-12-31: 5"}]
    )
    response = client.post(create, data)
    assert response.status_code == 400
    row = body(response).split('data-testid="line-row-1"')[1].split("</tr>")[0]
    assert "The schedule adds up to 5, not the 20 ordered." in row
    assert 'value="2024-12-31: 5"' in row

    too_many = client.post(create, calloff_post(framework, [{"framework_line": line.pk, "quantity": "51"}]))
    assert too_many.status_code == 400
    assert "would exceed the line&#x27;s maximum of 50" in body(too_many)
    outside = client.post(
        create,
        calloff_post(framework, [{"framework_line": line.pk, "quantity": "1"}], order_date="2030-01-01"),
    )
    assert "The order date must fall inside the framework period" in body(outside)
    garbled = client.post(
        create, calloff_post(framework, [{"framework_line": "x", "quantity": "-1", "schedule": "soon"}])
    )
    assert garbled.status_code == 400
    assert not CallOff.objects.exists()


def test_delivery_form_records_and_refuses_over_delivery(client, nspa):
    framework = make_framework()
    call_off = make_calloff(framework, quantity=10)
    line = call_off.lines.get()
    client.force_login(nspa)
    create = url("delivery-create", pk=call_off.pk)
    data = {
        "call_off_line": line.pk,
        "delivered_on": "2024-07-01",
        "quantity_delivered": "6",
        "quantity_accepted": "5",
        "quantity_rejected": "1",
        "rejection_reason": "Damaged crate",
        "lot_number": "L-1",
        "location": "Bydgoszcz",
    }
    response = client.post(create, data)
    delivery = Delivery.objects.get(lot_number="L-1")
    assert response["Location"] == url("delivery-detail", pk=delivery.pk)
    assert "Damaged crate" in body(client.get(response["Location"]))
    over = client.post(
        create, {**data, "lot_number": "L-2", "quantity_accepted": "6", "quantity_rejected": "0"}
    )
    assert over.status_code == 400
    assert "Only 4 of 10 remain to be delivered on this line." in body(over)
    assert 'value="L-2"' in body(over)


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


# --- Security -------------------------------------------------------------------------------


def test_posts_need_the_csrf_token(nspa):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nspa)
    data = {"name": "Rheinmetall", "country": "DEU"}
    refused = client.post(url("supplier-create"), data)
    assert refused.status_code == 403
    assert "Your form expired or came from another site." in body(refused)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', body(client.get(url("supplier-create")))
    )[1]
    assert client.post(url("supplier-create"), {**data, "csrfmiddlewaretoken": token}).status_code == 302


def test_menu_shows_procurement_pages_by_role(client, users_by_role):
    client.force_login(users_by_role["nspa"])
    menu = body(client.get("/")).split('class="mainnav"')[1].split("</nav>")[0]
    for page in (
        "framework-list",
        "call-off-list",
        "delivery-list",
        "demand-list",
        "item-list",
    ):
        assert f'href="{url(page)}"' in menu
    assert f'href="{url("demand-entry")}"' not in menu  # NSPA opens it from the demand list
    assert f'href="{url("demand-entry")}"' in body(client.get(url("demand-list")))
    client.force_login(users_by_role["director"])
    menu = body(client.get("/")).split('class="mainnav"')[1].split("</nav>")[0]
    assert f'href="{url("demand-entry")}"' in menu
    client.force_login(users_by_role["partner"])
    menu = body(client.get("/")).split('class="mainnav"')[1].split("</nav>")[0]
    assert f'href="{url("item-list")}"' in menu
    assert f'href="{url("framework-list")}"' not in menu
    assert f'href="{url("demand-entry")}"' not in menu


def test_nspa_corrects_a_delivery_in_the_browser(client, nspa):
    from procurement.tests.factories import make_calloff as _calloff
    from procurement.tests.factories import make_delivery as _delivery
    from procurement.tests.factories import make_framework as _framework

    recorded = _delivery(_calloff(_framework(), quantity=50).lines.get(), delivered=5, lot="WEB-C")
    client.force_login(nspa)
    url = reverse("procurement:delivery-correct", kwargs={"pk": recorded.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "compensating lot" in page.content.decode()
    response = client.post(url, {"accepted_on": "2024-08-01", "location": "Depot 9", "rejection_reason": ""})
    # Acceptance before the delivery date is refused on the field, input kept.
    assert response.status_code == 400
    assert "Depot 9" in response.content.decode()
    response = client.post(url, {"accepted_on": "2024-09-02", "location": "Depot 9", "rejection_reason": ""})
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert (recorded.location, str(recorded.accepted_on)) == ("Depot 9", "2024-09-02")
