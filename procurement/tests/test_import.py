"""The delivery file import: all rows or none, every error reported, hostile files refused cleanly."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from portal.exceptions import Forbidden
from portal.models import ObjectChange
from portal.tests.openapi import assert_matches_schema
from procurement import importers, services
from procurement.importers import (
    ImportRejected,
    checks,
    deliveries,
    import_deliveries,
    parse_whole_number,
    reader,
)
from procurement.models import CallOffLine, Delivery, DeliveryImport
from procurement.tests.factories import make_calloff, make_framework

# The importer's columns without the optional identification pair and acceptance date.
HEADER = [name for name in importers.COLUMNS if name not in {"call_off", "item", "accepted_on"}]
URL = "/api/procurement/deliveries/import/"


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8", bom=False):
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, name: str, change) -> bytes:
    """The same xlsx with one part's XML changed, e.g. to give a formula a saved value."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def rejection(nspa, data, name="deliveries.csv") -> ImportRejected:
    with pytest.raises(ImportRejected) as exc_info:
        run(nspa, data, name)
    return exc_info.value


def where(exc: ImportRejected) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in exc.errors]


def messages(exc: ImportRejected) -> str:
    return " | ".join(error.message for error in exc.errors)


@pytest.fixture
def line(nspa):
    """A call-off line of 1,000 rounds ordered on 2024-06-01 by Poland."""
    framework = make_framework(actor=nspa, lines=[(1, 50_000)])
    call_off = make_calloff(framework, quantity=1000, actor=nspa)
    return call_off.lines.get()


def row(
    line, lot="L1", delivered="100", accepted="100", rejected="0", reason="", on="2024-07-01", where="Depot"
):
    return [line.pk, on, delivered, accepted, rejected, reason, lot, where]


def record(nspa, line, lot, quantity):
    """A delivery recorded one at a time (the form or the API), outside any file."""
    services.delivery_record(
        actor=nspa,
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=dt.date(2024, 7, 2),
            quantity_delivered=quantity,
            quantity_accepted=quantity,
            lot_number=lot,
        ),
    )


def run(nspa, data, name="deliveries.csv"):
    return import_deliveries(actor=nspa, data=data, file_name=name)


# --- Happy path, identity, atomicity ---------------------------------------------------------


def test_imports_every_row_once_and_audits_once(nspa, line):
    data = csv_bytes([row(line, "L1", "100", "90", "10", "Damaged"), row(line, "L2", "50", "50")])
    result = run(nspa, data)

    assert (result.rows, result.created, result.skipped) == (2, 2, 0)
    first, second = Delivery.objects.filter(call_off_line=line).order_by("lot_number")
    assert (first.quantity_delivered, first.quantity_accepted, first.quantity_rejected) == (100, 90, 10)
    assert (first.rejection_reason, first.location, first.delivered_on) == (
        "Damaged",
        "Depot",
        dt.date(2024, 7, 1),
    )
    assert second.imported_in == result.batch
    line.refresh_from_db()
    assert (line.delivered_quantity, line.accepted_quantity) == (150, 140)
    assert ObjectChange.objects.filter(action="deliveries.imported").count() == 1


def test_call_off_and_item_columns_identify_the_line(nspa, line):
    header = ["Call Off ", " ITEM", "delivered_on", "quantity_delivered", "quantity_accepted", "lot_number"]
    item_code = line.framework_line.item.code
    data = csv_bytes([[line.call_off.reference, item_code, "01/07/2024", "5", "5", "A"]], header=header)

    result = run(nspa, data)

    assert result.created == 1
    delivery = Delivery.objects.get()
    assert (delivery.call_off_line_id, delivery.delivered_on) == (line.pk, dt.date(2024, 7, 1))


def test_same_file_again_imports_nothing_new(nspa, line):
    data = csv_bytes([row(line, "L1"), row(line, "L2")])
    run(nspa, data)

    again = run(nspa, data)

    assert (again.rows, again.created, again.skipped, again.batch) == (2, 0, 2, None)
    assert Delivery.objects.count() == 2
    assert DeliveryImport.objects.count() == 1
    line.refresh_from_db()
    assert line.delivered_quantity == 200


def test_a_file_that_adds_rows_imports_only_the_new_ones(nspa, line, lot_lookup):
    run(nspa, csv_bytes([row(line, "L1"), row(line, "L2")]))

    result = run(nspa, csv_bytes([row(line, "L1"), row(line, "L2"), row(line, "L3", "7", "7")]))

    assert (result.created, result.skipped) == (1, 2)
    line.refresh_from_db()
    assert line.delivered_quantity == 207


@pytest.fixture(params=["read-all", "by-lot"])
def lot_lookup(request, monkeypatch):
    """Both ways of finding recorded lots: read a line's deliveries, or look the file's lots up."""
    if request.param == "by-lot":
        monkeypatch.setattr(checks, "_read_all_recorded", lambda recorded, wanted: False)


def test_a_lot_recorded_with_other_values_is_an_error(nspa, line, lot_lookup):
    run(nspa, csv_bytes([row(line, "L1", "100", "100"), row(line, "L0", "1", "1")]))

    exc = rejection(nspa, csv_bytes([row(line, "L2"), row(line, "L1", "90", "90")]))

    assert where(exc) == [(3, "lot_number")]
    assert "different quantity_delivered, quantity_accepted" in messages(exc)
    assert Delivery.objects.count() == 2


def test_every_error_is_reported_by_row_and_column_and_nothing_is_imported(nspa, line):
    rows = [
        row(line, "OK1"),
        [999_999, "2024-07-01", "1", "1", "0", "", "X", ""],  # unknown line
        row(line, "D1", on="31/02/2024"),  # no such date
        row(line, "N1", delivered="12,5", accepted="12"),  # not a whole number
        row(line, "S1", delivered="10", accepted="8", rejected="1", reason="Wet"),  # 8 + 1 != 10
        row(line, "R1", delivered="10", accepted="8", rejected="2"),  # rejected without a reason
        row(line, "OK1"),  # the same lot twice in the file
        row(line, "E1", on="2024-05-01"),  # before the order date
    ]
    exc = rejection(nspa, csv_bytes(rows))

    assert where(exc) == [
        (4, "delivered_on"),
        (5, "quantity_delivered"),
        (6, "quantity_rejected"),
        (7, "rejection_reason"),
        (3, "call_off_line"),
        (8, "lot_number"),
        (9, "delivered_on"),
    ]
    text = messages(exc)
    assert "'31/02/2024' is not a real date" in text
    assert "'12,5' is not a whole number" in text
    assert "Unknown call-off line 999999" in text
    assert "first in row 2" in text
    assert Delivery.objects.count() == 0
    assert DeliveryImport.objects.count() == 0


def test_over_delivery_counts_the_whole_file_and_what_was_delivered(nspa, line):
    record(nspa, line, "EARLIER", 600)
    rows = [row(line, "A", "300", "300"), row(line, "B", "100", "100"), row(line, "C", "1", "1")]

    exc = rejection(nspa, csv_bytes(rows))

    # 600 + 300 + 100 fills the order exactly; the last unit is one too many.
    assert where(exc) == [(4, "quantity_delivered")]
    assert messages(exc) == (
        f"Over-delivery: call-off line {line.pk} ordered 1,000; 600 were already delivered and this file "
        "brings it to 1,001."
    )
    line.refresh_from_db()
    assert line.delivered_quantity == 600


def test_missing_required_column_is_one_clear_error(nspa, line):
    header = [name for name in HEADER if name != "quantity_accepted"]
    exc = rejection(nspa, csv_bytes([[line.pk, "2024-07-01", "1", "0", "", "L", ""]], header=header))

    assert where(exc) == [(1, "quantity_accepted")]
    assert "Missing required column quantity_accepted" in messages(exc)


def test_a_file_without_any_way_to_find_the_line_is_refused(nspa, line):
    header = HEADER[1:]
    exc = rejection(nspa, csv_bytes([["2024-07-01", "1", "1", "0", "", "L", ""]], header=header))

    assert where(exc) == [(1, "call_off_line")]


def test_unknown_columns_are_named(nspa, line):
    exc = rejection(nspa, csv_bytes([[*row(line), "x"]], header=[*HEADER, "acepted_on"]))

    assert where(exc) == [(1, "acepted_on")]


def test_only_nspa_and_superusers_may_import(line, users_by_role):
    data = csv_bytes([row(line)])
    for role in ("director", "secretariat", "board_member", "partner", "no_role"):
        with pytest.raises(Forbidden):
            import_deliveries(actor=users_by_role[role], data=data, file_name="d.csv")
    assert import_deliveries(actor=users_by_role["superuser"], data=data, file_name="d.csv").created == 1


def test_query_count_does_not_grow_with_rows(nspa, line):
    # One import first: it queues the analytics refresh job, which later imports then find queued.
    run(nspa, csv_bytes([row(line, "warm-up", "1", "1")]))
    counts = []
    for size, prefix in ((3, "small"), (40, "large")):
        rows = [row(line, f"{prefix}{n}", "1", "1") for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            result = run(nspa, csv_bytes(rows))
        assert result.created == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_query_count_does_not_grow_with_rows_identified_by_call_off_and_item(nspa, line):
    header = ["call_off", "item", "delivered_on", "quantity_delivered", "quantity_accepted", "lot_number"]
    ids = [line.call_off.reference, line.framework_line.item.code]
    # One import first: it queues the analytics refresh job, which later imports then find queued.
    run(nspa, csv_bytes([[*ids, "2024-07-01", "1", "1", "warm-up"]], header=header))
    counts = []
    for size, prefix in ((2, "a"), (30, "b")):
        rows = [[*ids, "2024-07-01", "1", "1", f"{prefix}{n}"] for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            run(nspa, csv_bytes(rows, header=header))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Races between validation and import -------------------------------------------------------


def test_a_lot_recorded_concurrently_rejects_the_file(nspa, line, monkeypatch):
    check = deliveries.check_against_database

    def check_then_someone_else_records(rows, lines, errors):
        plan = check(rows, lines, errors)
        record(nspa, line, "L2", 1)
        return plan

    monkeypatch.setattr(deliveries, "check_against_database", check_then_someone_else_records)
    exc = rejection(nspa, csv_bytes([row(line, "L1"), row(line, "L2")]))

    assert "recorded by someone else" in messages(exc)
    assert list(Delivery.objects.values_list("lot_number", flat=True)) == ["L2"]


def test_a_concurrent_delivery_that_uses_up_the_order_rejects_the_file(nspa, line, monkeypatch):
    check = deliveries.check_against_database

    def check_then_someone_else_records(rows, lines, errors):
        plan = check(rows, lines, errors)
        CallOffLine.objects.filter(pk=line.pk).update(delivered_quantity=950)
        return plan

    monkeypatch.setattr(deliveries, "check_against_database", check_then_someone_else_records)
    exc = rejection(nspa, csv_bytes([row(line, "L1")]))

    assert "would exceed the 50 outstanding" in messages(exc)
    assert Delivery.objects.count() == 0


# --- Numbers and dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        (" 1 234 ", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234\u202f567", 1234567),
        ("1,234", 1234),
        ("1.234", 1234),
        ("1'234", 1234),
        ("1,234,567", 1234567),
        ("1 234,00", 1234),
        ("1,234.0", 1234),
        ("2147483647", 2**31 - 1),
    ],
)
def test_whole_numbers_with_certain_thousands_separators(text, number):
    assert parse_whole_number(text) == number


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1 234,56", "not a whole number"),
        ("1,234.56", "not a whole number"),
        ("12,5", "not a whole number"),
        ("1,23,456", "not a number"),
        ("1.234.5", "not a number"),
        ("12 34", "not a number"),
        ("1,234,5678", "not a number"),
        ("-5", "negative"),
        ("\u22121 234", "negative"),
        ("2147483648", "too large"),
        ("2 147 483 648", "too large"),
        ("9" * 5000, "too large"),
        ("1e5", "not a number"),
        ("\u0661\u0662", "not a number"),
        ("abc", "not a number"),
        (12.5, "not a whole number"),
        (-1, "negative"),
        (2**31, "too large"),
        (1e20, "too large"),
        (float("nan"), "Expected a whole number"),
        (True, "TRUE or FALSE"),
        (dt.date(2024, 1, 1), "date"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value, message):
    with pytest.raises(importers.CellError, match=message):
        parse_whole_number(value)


def test_huge_and_negative_numbers_in_a_file_are_row_errors(nspa, line):
    rows = [row(line, "A", "2147483648", "2147483648"), row(line, "B", "-3", "-3")]
    exc = rejection(nspa, csv_bytes(rows))

    assert where(exc) == [
        (2, "quantity_delivered"),
        (2, "quantity_accepted"),
        (3, "quantity_delivered"),
        (3, "quantity_accepted"),
    ]
    assert "below 2^31 (2,147,483,648)" in messages(exc)


@pytest.mark.parametrize("text", ["2024-13-01", "yesterday", "01/06/24", "2024-06-01x", "01/06/1066"])
def test_bad_dates_are_row_errors(nspa, line, text):
    exc = rejection(nspa, csv_bytes([row(line, on=text)]))

    assert where(exc) == [(2, "delivered_on")]


def test_accepted_on_before_delivery_is_an_error(nspa, line):
    header = [*HEADER, "accepted_on"]
    exc = rejection(nspa, csv_bytes([[*row(line, on="2024-07-10"), "2024-07-01"]], header=header))
    assert where(exc) == [(2, "accepted_on")]


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


# --- Command ------------------------------------------------------------------------------------


def test_command_imports_a_file(nspa, line, tmp_path):
    path = tmp_path / "deliveries.csv"
    path.write_bytes(csv_bytes([row(line, "L1"), row(line, "L2")]))
    out = io.StringIO()

    call_command("import_deliveries", str(path), "--as", nspa.username, stdout=out)

    assert out.getvalue().strip() == "deliveries.csv: 2 rows, 2 deliveries imported, 0 already recorded."
    assert Delivery.objects.count() == 2


def test_command_prints_each_error_and_fails(nspa, line, tmp_path):
    path = tmp_path / "deliveries.csv"
    path.write_bytes(csv_bytes([row(line, "L1", on="bad"), row(line, "L2", delivered="x")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="rejected; nothing was imported"):
        call_command("import_deliveries", str(path), "--as", nspa.username, stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 2, delivered_on: 'bad' is not a date")
    assert lines[1].startswith("row 3, quantity_delivered: 'x' is not a number")
    assert Delivery.objects.count() == 0


def test_command_needs_an_nspa_user(owner, line, tmp_path):
    path = tmp_path / "deliveries.csv"
    path.write_bytes(csv_bytes([row(line)]))
    with pytest.raises(CommandError, match="--as"):
        call_command("import_deliveries", str(path))
    with pytest.raises(CommandError, match="No active user 'ghost'"):
        call_command("import_deliveries", str(path), "--as", "ghost")
    with pytest.raises(CommandError, match="Only NSPA staff"):
        call_command("import_deliveries", str(path), "--as", owner.username)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_deliveries", str(tmp_path / "missing.csv"), "--as", owner.username)


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def upload(api, data, name="deliveries.csv"):
    return api.post(URL, {"file": _named(data, name)}, format="multipart")


def _named(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_api_imports_then_reports_nothing_new(api, nspa, line):
    api.force_authenticate(nspa)
    data = csv_bytes([row(line, "L1"), row(line, "L2")])

    first = upload(api, data)
    assert first.status_code == 201
    assert_matches_schema(first, URL, "post")
    batch = DeliveryImport.objects.get()
    assert first.json() == {"rows": 2, "created": 2, "skipped": 0, "import_id": batch.pk}

    again = upload(api, data)
    assert again.status_code == 200
    assert_matches_schema(again, URL, "post")
    assert again.json() == {"rows": 2, "created": 0, "skipped": 2, "import_id": None}


def test_api_lists_errors(api, nspa, line):
    api.force_authenticate(nspa)
    response = upload(api, xlsx_bytes([row(line, on="bad")]), "d.xlsx")

    assert response.status_code == 400
    assert_matches_schema(response, URL, "post")
    assert response.json() == {
        "errors": [
            {
                "row": 2,
                "column": "delivered_on",
                "message": "'bad' is not a date; use YYYY-MM-DD or DD/MM/YYYY.",
            }
        ]
    }


def test_api_without_a_file(api, nspa):
    api.force_authenticate(nspa)
    response = api.post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "file"


def test_api_refuses_an_upload_over_the_limit_before_reading_it(api, nspa, line, monkeypatch):
    monkeypatch.setattr(reader, "MAX_UPLOAD_BYTES", 100)
    api.force_authenticate(nspa)
    response = upload(api, csv_bytes([row(line, f"L{n}") for n in range(5)]))
    assert response.status_code == 400
    assert "the limit is" in response.json()["errors"][0]["message"]
    assert Delivery.objects.count() == 0


def test_api_is_for_nspa_only(api, owner, line):
    data = csv_bytes([row(line)])
    assert upload(api, data).status_code == 401
    api.force_authenticate(owner)
    response = upload(api, data)
    assert response.status_code == 403
    assert_matches_schema(response, URL, "post")
    assert Delivery.objects.count() == 0
