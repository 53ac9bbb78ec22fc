"""The delivery file import's formats: CSV dialects and encodings, XLSX workbooks (hostile ones
refused before openpyxl opens them), and arbitrary bytes: a clear rejection or an import, never a crash."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procurement.importers import ImportRejected, reader
from procurement.models import Delivery
from procurement.tests.import_helpers import (
    HEADER,
    csv_bytes,
    messages,
    rejection,
    row,
    run,
    where,
    xlsx_bytes,
)


def rewrite_zip(data: bytes, name: str, change) -> bytes:
    """The same xlsx with one part's XML changed, e.g. to give a formula a saved value."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


# --- CSV dialects and encodings ---------------------------------------------------------------


def test_utf8_with_bom(nspa, line):
    run(nspa, csv_bytes([row(line, where="Kraków")], bom=True))
    assert Delivery.objects.get().location == "Kraków"


def test_cp1252_is_the_fallback(nspa, line):
    run(nspa, csv_bytes([row(line, where="M\u00fcller \u2013 Nord")], delimiter=";", encoding="cp1252"))
    assert Delivery.objects.get().location == "M\u00fcller \u2013 Nord"


def test_utf16_tab_separated_as_excel_saves_unicode_text(nspa, line):
    data = csv_bytes([row(line, where="\u0141\u00f3d\u017a")], delimiter="\t", encoding="utf-16")
    run(nspa, data)
    assert Delivery.objects.get().location == "\u0141\u00f3d\u017a"


def test_semicolon_delimiter_with_european_numbers(nspa, line):
    run(nspa, csv_bytes([row(line, delivered="1.000", accepted="1.000")], delimiter=";"))
    assert Delivery.objects.get().quantity_delivered == 1000


def test_quoted_newlines_stay_in_the_field_and_rows_count_as_records(nspa, line):
    rows = [row(line, "A", where="Depot\nNorth gate"), row(line, "B", on="not a date")]
    exc = rejection(nspa, csv_bytes(rows))
    assert where(exc) == [(3, "delivered_on")]

    run(nspa, csv_bytes(rows[:1]))
    assert Delivery.objects.get().location == "Depot\nNorth gate"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (",".join(HEADER).encode(), "no data rows"),
        ((",".join(HEADER) + "\r\n,,,\r\n\r\n").encode(), "no data rows"),
        (b"\r\n\r\n", "The file is empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"\x81\x8d\x8f\x90\x9d", "not text"),
        ((",".join(HEADER) + '\r\n"' + "x" * 200_000 + '"').encode(), "cannot be read near line"),
    ],
)
def test_empty_header_only_and_binary_files_get_a_clear_message(nspa, line, data, message):
    exc = rejection(nspa, data)
    assert message in messages(exc)


def test_too_many_rows_are_refused(nspa, line, monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    exc = rejection(nspa, csv_bytes([row(line, f"L{n}", "1", "1") for n in range(4)]))
    assert "more than 3 rows" in messages(exc)
    assert Delivery.objects.count() == 0


def test_at_most_a_thousand_errors_are_listed(nspa, line):
    rows = [row(line, f"L{n}", delivered="x", accepted="1") for n in range(1200)]
    exc = rejection(nspa, csv_bytes(rows))
    assert len(exc.errors) == 1001
    assert exc.errors[-1].message == "… and 200 more errors not listed."


# --- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_with_numbers_and_dates_as_cells(nspa, line):
    data = xlsx_bytes([[line.pk, dt.datetime(2024, 7, 1), 100, 95.0, 5, "Dented", 4711, "Depot"]])
    result = run(nspa, data, "deliveries.xlsx")

    assert result.created == 1
    delivery = Delivery.objects.get()
    assert (delivery.delivered_on, delivery.quantity_accepted, delivery.lot_number) == (
        dt.date(2024, 7, 1),
        95,
        "4711",
    )


def test_xlsx_cells_of_the_wrong_kind_are_row_errors(nspa, line):
    rows = [
        [line.pk, dt.date(2024, 7, 1), 10.5, 10, 0, "", "A", ""],
        [line.pk, 45000, -1, 2**31, 0, "", "B", ""],
    ]
    exc = rejection(nspa, xlsx_bytes(rows), "d.xlsx")
    assert where(exc) == [
        (2, "quantity_delivered"),
        (3, "delivered_on"),
        (3, "quantity_delivered"),
        (3, "quantity_accepted"),
    ]
    assert "Found the number 45000, not a date" in messages(exc)


def test_xlsx_formula_uses_its_saved_value_and_is_never_calculated(nspa, line):
    data = xlsx_bytes([[line.pk, "2024-07-01", "=40+2", 42, 0, "", "F1", ""]])
    with_cache = rewrite_zip(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<v />", b"<v>42</v>")
    )

    assert run(nspa, with_cache, "d.xlsx").created == 1
    assert Delivery.objects.get().quantity_delivered == 42


def test_xlsx_formula_with_a_wrong_saved_value_is_taken_as_saved(nspa, line):
    data = xlsx_bytes([[line.pk, "2024-07-01", "=40+2", 7, 0, "", "F1", ""]])
    stale = rewrite_zip(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<v />", b"<v>7</v>"))

    run(nspa, stale, "d.xlsx")
    assert Delivery.objects.get().quantity_delivered == 7


def test_xlsx_formula_without_a_saved_value_is_an_error_for_that_cell(nspa, line):
    header = [*HEADER, "accepted_on"]
    data = xlsx_bytes([[line.pk, "2024-07-01", 5, 5, 0, "", "F1", "", "=TODAY()"]], header=header)

    exc = rejection(nspa, data, "d.xlsx")
    assert where(exc) == [(2, "accepted_on")]
    assert "formula with no saved value" in messages(exc)


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file that should have been refused first")

    # What openpyxl's load_workbook and the upload reader both open a workbook with.
    monkeypatch.setattr(openpyxl.reader.excel.ExcelReader, "read", refuse)


def zip_with(entries) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, size in entries:
            with archive.open(name, "w", force_zip64=True) as handle:
                chunk = b"\0" * min(size, 1024 * 1024)
                for _ in range(size // len(chunk) if chunk else 0):
                    handle.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024 + 1), "the limit is 20.0 MB"),
        (zip_with([("xl/workbook.xml", 10), ("xl/worksheets/sheet1.xml", 201 * 1024 * 1024)]), "unpacks to"),
        (zip_with([("xl/workbook.xml", 10), ("xl/worksheets/sheet1.xml", 50 * 1024 * 1024)]), "zip bomb"),
        (zip_with([(f"part{n}", 0) for n in range(10_001)]), "10,001 parts"),
        (zip_with([("readme.txt", 10)]), "not an Excel workbook"),
        (b"PK\x03\x04 this is not really a zip", "damaged"),
    ],
    ids=["over-20MB", "unpacks-over-200MB", "ratio", "entries", "not-a-workbook", "damaged"],
)
def test_hostile_zips_are_refused_before_openpyxl_opens_them(
    nspa, line, openpyxl_must_not_open, data, message
):
    exc = rejection(nspa, data, "deliveries.xlsx")
    assert message in messages(exc)
    assert Delivery.objects.count() == 0


def test_old_xls_renamed_to_xlsx(nspa, line, openpyxl_must_not_open):
    exc = rejection(nspa, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "deliveries.xlsx")
    assert messages(exc) == "This is an old-format .xls file; save it as .xlsx or CSV and upload that."


def test_text_named_xlsx(nspa, line, openpyxl_must_not_open):
    exc = rejection(nspa, b"call_off_line,delivered_on\n", "deliveries.xlsx")
    assert "is not an Excel workbook" in messages(exc)


def test_xml_entity_expansion_in_a_workbook_is_refused(nspa, line):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>'
    )
    data = rewrite_zip(xlsx_bytes([row(line)]), "xl/workbook.xml", lambda xml: bomb)
    exc = rejection(nspa, data, "d.xlsx")
    assert "could not be read" in messages(exc)


# --- Anything at all: a clear rejection or an import, never a crash -------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xd0\xcf\x11\xe0"]),
    body=st.binary(max_size=600),
    name=st.sampled_from(["d.csv", "d.xlsx", "d"]),
)
def test_arbitrary_bytes_are_rejected_cleanly(nspa, line, prefix, body, name):
    result, errors = attempt(nspa, prefix + body, name)
    assert result is not None or (errors and all(error.message for error in errors))


cell_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


@FUZZ
@given(cells=st.lists(st.lists(cell_text, min_size=1, max_size=9), min_size=1, max_size=4))
def test_arbitrary_cells_are_imported_or_rejected_by_row(nspa, line, cells):
    result, errors = attempt(nspa, csv_bytes(cells))
    if result is not None:
        assert result.created + result.skipped == result.rows
    assert all(0 <= error.row <= len(cells) + 1 and error.message for error in errors)


def attempt(nspa, data, name="d.csv"):
    """(result, []) for an import, (None, errors) for a rejection; anything else propagates."""
    try:
        return run(nspa, data, name), []
    except ImportRejected as exc:
        return None, exc.errors
