"""Every procurement list's CSV and XLSX, read back as a person's spreadsheet and a script would:
typed cells, the page's labels (or the stable names) in the header, and money as the pages show it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from portal.exports import table_export
from procurement import tables
from procurement.tests.factories import make_calloff, make_delivery, make_framework
from procurement.tests.views_helpers import body, populate, url

pytestmark = pytest.mark.django_db

LISTS = {
    "item-list": tables.ItemTable,
    "programme-list": tables.ProgrammeTable,
    "supplier-list": tables.SupplierTable,
    "demand-list": tables.DemandSignalTable,
    "framework-list": tables.FrameworkTable,
    "call-off-list": tables.CallOffTable,
    "delivery-list": tables.DeliveryTable,
}


class _HeaderCells(HTMLParser):
    """The text of each ``<th>`` in the page's table head."""

    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self._in_head = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._in_head = True
        elif tag == "th" and self._in_head:
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag == "th":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def page_labels(client, name) -> list[str]:
    parser = _HeaderCells()
    parser.feed(body(client.get(url(name))))
    return [cell.strip() for cell in parser.cells]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def sheet_of(response):
    return load_workbook(io.BytesIO(response.content)).active


def names(name) -> list[str]:
    table_class = LISTS[name]
    columns, _rows = table_export(table_class(table_class._meta.model.objects.none()))
    return [c.name for c in columns]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_list_exports_the_pages_labels_in_a_bold_frozen_filtered_header(client, nspa, name):
    populate(1)
    client.force_login(nspa)
    labels = page_labels(client, name)
    assert labels  # the page has its table

    rows = csv_rows(client.get(url(name), {"export": "csv"}))
    assert rows[0] == labels
    assert len(rows) > 1
    assert csv_rows(client.get(url(name), {"export": "csv", "header": "names"}))[0] == names(name)

    sheet = sheet_of(client.get(url(name), {"export": "xlsx"}))
    assert [c.value for c in sheet[1]] == labels
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(labels)).column_letter}{len(rows)}"
    names_sheet = sheet_of(client.get(url(name), {"export": "xlsx", "header": "names"}))
    assert [c.value for c in names_sheet[1]] == names(name)


def cells_by_label(sheet, row: int = 2) -> dict:
    return {head.value: cell for head, cell in zip(sheet[1], sheet[row], strict=True)}


def test_framework_and_call_off_exports_have_dates_money_and_booleans(client, nspa):
    framework = make_framework(ceiling=Decimal("300000000.00"))
    make_calloff(framework, nation="POL", quantity=10, order_date=dt.date(2024, 6, 3))
    client.force_login(nspa)

    row = cells_by_label(sheet_of(client.get(url("framework-list"), {"export": "xlsx"})))
    assert (row["Ceiling value"].value, row["Ceiling value"].number_format) == (300000000, "#,##0.00")
    assert row["Ceiling value"].data_type == "n"
    for label, day in (("Period start", dt.date(2024, 1, 1)), ("Period end", dt.date(2027, 12, 31))):
        assert row[label].is_date
        assert row[label].value.date() == day
        assert row[label].number_format == "yyyy-mm-dd"
    assert (row["Committed value"].value, row["Committed value"].number_format) == (1000, "#,##0.00")

    row = cells_by_label(sheet_of(client.get(url("call-off-list"), {"export": "xlsx"})))
    assert row["Order date"].is_date
    assert row["Order date"].value.date() == dt.date(2024, 6, 3)
    assert (row["Total value"].value, row["Total value"].number_format) == (1000, "#,##0.00")
    assert (row["Illustrative"].value, row["Illustrative"].data_type) == (False, "b")

    (header, line) = csv_rows(client.get(url("call-off-list"), {"export": "csv"}))
    shown = dict(zip(header, line, strict=True))
    assert (shown["Order date"], shown["Total value"], shown["Illustrative"]) == (
        "2024-06-03",
        "1000.00",
        "False",
    )


def test_delivery_and_demand_exports_have_dates_quantities_years_and_empty_cells(client, nspa):
    framework = populate(1)[0]
    line = framework.call_offs.get(nation__code="POL").lines.get()
    make_delivery(line, delivered=5, rejected=2, lot="+EXT-2", on=dt.date(2024, 10, 7))
    client.force_login(nspa)

    sheet = sheet_of(client.get(url("delivery-list"), {"export": "xlsx"}))
    rows = [cells_by_label(sheet, n) for n in range(2, sheet.max_row + 1)]
    row = next(r for r in rows if r["Lot number"].value == "+EXT-2")
    assert row["Lot number"].data_type == "s"  # text, as typed, not a formula
    assert row["Delivered on"].is_date
    assert row["Delivered on"].value.date() == dt.date(2024, 10, 7)
    assert [row[f"Quantity {k}"].value for k in ("delivered", "accepted", "rejected")] == [5, 3, 2]
    assert {row[f"Quantity {k}"].number_format for k in ("delivered", "accepted", "rejected")} == {"#,##0"}
    plain = next(r for r in rows if r["Lot number"].value != "+EXT-2")
    assert (plain["Rejection reason"].value, plain["Rejection reason"].data_type) == (None, "n")

    row = cells_by_label(sheet_of(client.get(url("demand-list"), {"export": "xlsx"})))
    assert (row["Year"].value, row["Year"].number_format) == (2026, "0")
    assert (row["Quantity"].value, row["Quantity"].number_format) == (100, "#,##0")
    assert row["Updated at"].is_date
    assert row["Updated at"].number_format == "yyyy-mm-dd hh:mm:ss"

    (header, *lines) = csv_rows(client.get(url("demand-list"), {"export": "csv", "header": "names"}))
    updated = dt.datetime.fromisoformat(dict(zip(header, lines[0], strict=True))["updated_at"])
    assert updated.tzinfo is not None  # ISO 8601 with its offset


def test_an_unknown_header_choice_is_refused_with_a_message(client, nspa):
    client.force_login(nspa)
    response = client.get(url("item-list"), {"export": "csv", "header": "both", "unit": "round"}, follow=True)
    assert response.redirect_chain[-1][0] == url("item-list") + "?unit=round"
    assert "Choose labels or names for the export&#x27;s header row." in body(response)


def test_money_on_the_pages_is_grouped_in_the_readers_language(client, nspa):
    framework = make_framework(ceiling=Decimal("300000000.00"))
    call_off = make_calloff(framework, nation="POL", quantity=10)
    client.force_login(nspa)

    english = body(client.get(url("framework-list")))
    assert ">300,000,000.00<" in english
    french = body(client.get(url("framework-list"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert ">300\xa0000\xa0000,00<" in french  # Django's fr THOUSAND_SEPARATOR is U+00A0

    detail = body(client.get(url("framework-detail", pk=framework.pk)))
    assert "300,000,000.00 EUR" in detail
    french_detail = body(client.get(url("framework-detail", pk=framework.pk), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "300\xa0000\xa0000,00 EUR" in french_detail
    assert "1,000.00 EUR" in body(client.get(url("call-off-detail", pk=call_off.pk)))
