"""The delivery file import row by row: all rows or none, every error reported by row and column,
races with writers outside the file, and the numbers and dates a cell may hold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.exceptions import Forbidden
from portal.models import ObjectChange
from procurement import importers, services
from procurement.importers import checks, deliveries, import_deliveries, parse_whole_number
from procurement.models import CallOffLine, Delivery, DeliveryImport
from procurement.tests.import_helpers import HEADER, csv_bytes, messages, rejection, row, run, where


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
