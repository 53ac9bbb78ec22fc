"""Exports open in a spreadsheet without running anything a user typed."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.exports import escape_text, export_response

HOSTILE = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']
HEADERS = ["Name", "Quantity", "Value", "Date"]
ROWS = [[text, 5, Decimal("-12.50"), dt.date(2025, 3, 1)] for text in HOSTILE] + [
    ["Plain Łódź", -3, Decimal("1.00"), None]
]


def read_xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True, data_only=False)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


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


def test_xlsx_cells_are_text_with_the_quote_and_numbers_stay_numbers():
    response = export_response("frameworks", HEADERS, ROWS, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="frameworks.xlsx"'
    rows = read_xlsx(response)
    assert rows[0] == HEADERS
    # XML turns a carriage return into a line feed; what matters is the quote in front.
    assert [row[0] for row in rows[1:-1]] == ["'" + text.replace("\r", "\n") for text in HOSTILE]
    # Not one cell came back as a formula: openpyxl reads formulas as strings starting with "=".
    assert not any(isinstance(v, str) and v.startswith("=") for row in rows for v in row)
    assert rows[1][1] == 5
    assert rows[1][2] == -12.5
    assert rows[1][3] == dt.datetime(2025, 3, 1)
    assert rows[-1][:2] == ["Plain Łódź", -3]


def test_xlsx_drops_control_characters_instead_of_failing():
    response = export_response("x", ["A"], [["bell\x07here"]], "xlsx")
    assert read_xlsx(response)[1] == ["bellhere"]


def test_csv_cells_are_escaped_and_utf8_with_bom():
    response = export_response("deliveries", HEADERS, ROWS, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="deliveries.csv"'
    rows = read_csv(response)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:-1]] == ["'" + text for text in HOSTILE]
    assert rows[1][1:] == ["5", "-12.50", "2025-03-01"]
    assert rows[-1] == ["Plain Łódź", "-3", "1.00", ""]


def test_filename_cannot_break_the_header():
    response = export_response('a"b\r\nSet-Cookie: x', ["A"], [], "csv")
    assert response["Content-Disposition"] == 'attachment; filename="a-b-Set-Cookie-x.csv"'


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="Unknown export format"):
        export_response("x", ["A"], [], "pdf")
