"""The one exporter: typed XLSX a person can work with, CSV a machine can read, and neither runs
anything a user typed. Files are read back with openpyxl (and the portal's own upload reader)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.exports import Column, Kind, Sheet, escape_text, export_response, workbook_bytes
from portal.spreadsheets import safe_xlsx_rows

HOSTILE = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")', "+EXT-2"]
COLUMNS = [
    Column("name", "Name"),
    Column("quantity", "Quantity", Kind.INTEGER),
    Column("value", "Value", Kind.MONEY),
    Column("delivered_on", "Delivered on", Kind.DATE),
    Column("updated_at", "Updated at", Kind.DATETIME),
    Column("year", "Year", Kind.YEAR),
    Column("share", "Share %", Kind.DECIMAL),
    Column("illustrative", "Illustrative", Kind.BOOLEAN),
]
WHEN = dt.datetime(2025, 3, 1, 14, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
ROWS = [
    [text, 150000, Decimal("-300000000.50"), dt.date(2025, 3, 1), WHEN, 2026, Decimal("3.7484"), True]
    for text in HOSTILE
] + [["Plain Łódź", -3, Decimal("1.00"), None, None, None, None, False]]


def xlsx_sheet(response):
    """The first sheet as openpyxl reads it in full: cells with their types and styles."""
    return load_workbook(io.BytesIO(response.content)).active


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("text", HOSTILE)
def test_every_formula_prefix_is_escaped(text):
    assert escape_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Plain", "1=1", "a-b", "", "'already"])
def test_harmless_text_is_left_alone(text):
    assert escape_text(text) == text


def test_xlsx_cells_are_typed_with_number_formats():
    response = export_response("frameworks", COLUMNS, ROWS, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="frameworks.xlsx"'
    sheet = xlsx_sheet(response)
    _name, quantity, value, delivered, updated, year, share, flag = sheet[2]
    assert (quantity.value, quantity.data_type, quantity.number_format) == (150000, "n", "#,##0")
    assert (value.value, value.number_format) == (-300000000.5, "#,##0.00")
    assert delivered.is_date
    assert delivered.value == dt.datetime(2025, 3, 1)
    assert delivered.number_format == "yyyy-mm-dd"
    # Excel has no time zones: the time is written in UTC.
    assert updated.is_date
    assert updated.value == dt.datetime(2025, 3, 1, 12, 30, 5)
    assert updated.number_format == "yyyy-mm-dd hh:mm:ss"
    assert (year.value, year.number_format) == (2026, "0")
    assert (share.value, share.number_format) == (3.7484, "#,##0.00##")
    assert (flag.value, flag.data_type) == (True, "b")
    last = sheet[sheet.max_row]
    assert last[0].value == "Plain Łódź"
    assert last[7].value is False
    # Empty is empty: no "—" and no empty text cell (which openpyxl reads as an "inlineStr" None).
    assert [(c.value, c.data_type) for c in last[3:7]] == [(None, "n")] * 4


def test_xlsx_header_is_bold_frozen_and_filtered():
    sheet = xlsx_sheet(export_response("x", COLUMNS, ROWS, "xlsx"))
    assert [c.value for c in sheet[1]] == [c.label for c in COLUMNS]
    assert all(c.font.b for c in sheet[1])
    assert not any(c.font.b for c in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{1 + len(ROWS)}"


def test_xlsx_stores_formula_looking_text_as_text_without_the_apostrophe():
    sheet = xlsx_sheet(export_response("x", COLUMNS, ROWS, "xlsx"))
    cells = [sheet.cell(row=n, column=1) for n in range(2, 2 + len(HOSTILE))]
    # XML turns a carriage return into a line feed; the text is otherwise exactly what was typed.
    assert [c.value for c in cells] == [text.replace("\r", "\n") for text in HOSTILE]
    assert {c.data_type for c in cells} == {"s"}
    # quotePrefix: Excel keeps the cell text when someone edits it, as a typed ' would.
    assert all(c.quotePrefix for c in cells)
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_xlsx_reimport_gives_back_the_text():
    content = export_response("x", COLUMNS, ROWS, "xlsx").content
    rows = list(safe_xlsx_rows(content, max_bytes=len(content)))
    assert rows[0][0] == "Name"
    assert rows[HOSTILE.index("+EXT-2") + 1][0] == "+EXT-2"
    assert rows[1][0] == "=1+2"


def test_xlsx_drops_control_characters_instead_of_failing():
    response = export_response("x", [Column("a", "A")], [["bell\x07here"]], "xlsx")
    assert xlsx_sheet(response)["A2"].value == "bellhere"


def test_csv_cells_are_escaped_and_utf8_with_bom():
    response = export_response("deliveries", COLUMNS, ROWS, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="deliveries.csv"'
    rows = read_csv(response)
    assert rows[0] == [c.label for c in COLUMNS]
    # CSV has no types: the apostrophe is the only way to say "text" to a spreadsheet.
    assert [row[0] for row in rows[1:-1]] == ["'" + text for text in HOSTILE]
    assert rows[1][1:] == [
        "150000", "-300000000.50", "2025-03-01", "2025-03-01T14:30:05+02:00", "2026", "3.7484", "True",
    ]  # fmt: skip
    assert rows[-1] == ["Plain Łódź", "-3", "1.00", "", "", "", "", "False"]


def test_header_names_are_the_stable_machine_names():
    rows = read_csv(export_response("x", COLUMNS, ROWS, "csv", header="names"))
    assert rows[0] == [c.name for c in COLUMNS]
    sheet = xlsx_sheet(export_response("x", COLUMNS, ROWS, "xlsx", header="names"))
    assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS]
    with pytest.raises(ValueError, match="Unknown header"):
        export_response("x", COLUMNS, ROWS, "csv", header="both")


def test_a_workbook_of_several_sheets_has_every_header_styled():
    content = workbook_bytes(
        [
            Sheet("Plan", [Column("field", "Field"), Column("value", "Value")], [("Cycle", 2026)]),
            Sheet("Lines: [1/2]?", [Column("due", "Due", Kind.DATE)], [(dt.date(2026, 1, 31),)]),
        ]
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Plan", "Lines   1 2  "]
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
    assert book["Plan"].auto_filter.ref == "A1:B2"
    assert book["Lines   1 2  "]["A2"].is_date


def test_filename_cannot_break_the_header():
    response = export_response('a"b\r\nSet-Cookie: x', [Column("a", "A")], [], "csv")
    assert response["Content-Disposition"] == 'attachment; filename="a-b-Set-Cookie-x.csv"'


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="Unknown export format"):
        export_response("x", [Column("a", "A")], [], "pdf")
