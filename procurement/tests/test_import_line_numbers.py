"""The delivery import finds a line by its call-off's reference and the line's number, as the
call-off page numbers them (its place among the call-off's lines by pk, from 1), beside the id
machines give and the reference with the item's code: good rows, every kind of error by row and
column, and nothing imported when any row is wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import Nation
from procurement import services
from procurement.models import Delivery, DeliveryImport
from procurement.tests.factories import make_framework
from procurement.tests.import_helpers import csv_bytes, messages, rejection, run, where

BY_NUMBER = [
    "call_off",
    "line_number",
    "delivered_on",
    "quantity_delivered",
    "quantity_accepted",
    "lot_number",
]
EVERY_WAY = ["call_off_line", "call_off", "line_number", "item", *BY_NUMBER[2:]]


@pytest.fixture
def call_off(two_line_call_off):
    return two_line_call_off


def lines_of(call_off):
    first, second = call_off.lines.order_by("pk")
    return first, second


def code(line) -> str:
    return line.framework_line.item.code


def test_rows_by_reference_and_line_number_reach_the_numbered_lines(nspa, call_off):
    first, second = lines_of(call_off)
    header = ["Call off", "Line Number", *BY_NUMBER[2:]]
    rows = [
        ["CO-POL-2024-07", "1", "2024-07-01", "10", "10", "A"],
        ["CO-POL-2024-07", "2", "01/07/2024", "5", "5", "B"],
    ]

    result = run(nspa, csv_bytes(rows, header=header))

    assert (result.rows, result.created) == (2, 2)
    assert dict(Delivery.objects.values_list("lot_number", "call_off_line_id")) == {
        "A": first.pk,
        "B": second.pk,
    }


def test_every_way_of_naming_a_line_may_be_mixed_and_agree(nspa, call_off):
    first, second = lines_of(call_off)
    rows = [
        [first.pk, "", "", "", "2024-07-01", "1", "1", "by-id"],
        ["", "CO-POL-2024-07", "2", "", "2024-07-01", "1", "1", "by-number"],
        ["", "CO-POL-2024-07", "", code(second), "2024-07-01", "1", "1", "by-item"],
        # Everything given, all naming the first line: no contradiction, no error.
        [first.pk, "CO-POL-2024-07", "1", code(first), "2024-07-01", "1", "1", "all-of-them"],
        # The id with its call-off: checked to be one of the call-off's lines.
        [second.pk, "CO-POL-2024-07", "", "", "2024-07-01", "1", "1", "id-and-reference"],
    ]

    assert run(nspa, csv_bytes(rows, header=EVERY_WAY)).created == 5

    assert dict(Delivery.objects.values_list("lot_number", "call_off_line_id")) == {
        "by-id": first.pk,
        "by-number": second.pk,
        "by-item": second.pk,
        "all-of-them": first.pk,
        "id-and-reference": second.pk,
    }


def test_each_way_a_row_can_fail_to_name_its_line_is_its_own_error(nspa, call_off, line):
    first, second = lines_of(call_off)
    rows = [
        ["", "CO-POL-2024-07", "1", "", "2024-07-01", "1", "1", "fine"],  # 2: a good row
        ["", "CO-NOWHERE", "1", "", "2024-07-01", "1", "1", "x1"],  # 3: unknown reference
        ["", "CO-POL-2024-07", "3", "", "2024-07-01", "1", "1", "x2"],  # 4: no line 3
        ["", "CO-POL-2024-07", "0", "", "2024-07-01", "1", "1", "x3"],  # 5: lines start at 1
        [second.pk, "CO-POL-2024-07", "1", "", "2024-07-01", "1", "1", "x4"],  # 6: id is line 2, not 1
        [line.pk, "CO-POL-2024-07", "", "", "2024-07-01", "1", "1", "x5"],  # 7: id on another call-off
        ["", "CO-POL-2024-07", "1", code(second), "2024-07-01", "1", "1", "x6"],  # 8: number vs item
        [first.pk, "", "", code(second), "2024-07-01", "1", "1", "x7"],  # 9: id vs item
        [first.pk, "", "2", "", "2024-07-01", "1", "1", "x8"],  # 10: a number needs its call-off
        ["", "CO-POL-2024-07", "", "", "2024-07-01", "1", "1", "x9"],  # 11: the reference alone
        ["", "CO-POL-2024-07", "second", "", "2024-07-01", "1", "1", "x10"],  # 12: not a number
    ]

    exc = rejection(nspa, csv_bytes(rows, header=EVERY_WAY))

    assert where(exc) == [
        (5, "line_number"),
        (10, "call_off"),
        (11, "call_off_line"),
        (12, "line_number"),
        (3, "call_off"),
        (4, "line_number"),
        (6, "call_off_line"),
        (7, "call_off_line"),
        (8, "item"),
        (9, "item"),
    ]
    text = [error.message for error in exc.errors]
    assert text[0] == "Lines are numbered from 1, as the call-off page shows them."
    assert text[1] == "Required with the line number: it counts the call-off's lines."
    assert text[4] == "No call-off with the reference CO-NOWHERE."
    assert text[5] == "Call-off CO-POL-2024-07 has 2 lines; there is no line 3."
    assert text[6] == f"Call-off line {second.pk} is not line 1 of call-off CO-POL-2024-07."
    assert text[7] == f"Call-off line {line.pk} is not on call-off CO-POL-2024-07."
    assert text[8] == (f"Line 1 of call-off CO-POL-2024-07 is for item {code(first)}, not {code(second)}.")
    assert text[9] == f"Call-off line {first.pk} is for item {code(first)}, not {code(second)}."
    # All or nothing: the good row in the file was not imported either.
    assert Delivery.objects.count() == 0
    assert DeliveryImport.objects.count() == 0


def test_a_call_off_of_one_line_says_so_in_the_singular(nspa, line):
    rows = [[line.call_off.reference, "2", "2024-07-01", "1", "1", "x"]]

    exc = rejection(nspa, csv_bytes(rows, header=BY_NUMBER))

    assert messages(exc) == f"Call-off {line.call_off.reference} has 1 line; there is no line 2."


def test_an_item_on_two_lines_of_the_call_off_points_to_the_line_number(nspa):
    framework = make_framework(actor=nspa, lines=((Decimal("10.00"), 1000),))
    framework_line = framework.lines.get()
    services.calloff_create(
        actor=nspa,
        framework=framework,
        nation=Nation.objects.get(code="POL"),
        reference="CO-TWICE",
        order_date=dt.date(2024, 6, 1),
        lines=[services.CallOffLineInput(framework_line=framework_line, quantity=10)] * 2,
    )
    header = ["call_off", "item", *BY_NUMBER[2:]]
    item = framework_line.item.code
    exc = rejection(nspa, csv_bytes([["CO-TWICE", item, "2024-07-01", "1", "1", "x"]], header))

    assert where(exc) == [(2, "item")]
    assert "has several lines for" in messages(exc)
    assert "use line_number" in messages(exc)
    # By number each line is found.
    rows = [["CO-TWICE", "1", "2024-07-01", "1", "1", "a"], ["CO-TWICE", "2", "2024-07-01", "1", "1", "b"]]
    assert run(nspa, csv_bytes(rows, header=BY_NUMBER)).created == 2


def test_later_errors_name_the_line_as_the_file_did(nspa, call_off):
    rows = [
        ["CO-POL-2024-07", "2", "2024-07-01", "40", "40", "A"],
        ["CO-POL-2024-07", "2", "2024-07-01", "20", "20", "B"],
        ["CO-POL-2024-07", "1", "2024-07-01", "1", "1", "C"],
        ["CO-POL-2024-07", "1", "2024-07-01", "1", "1", "C"],
    ]

    exc = rejection(nspa, csv_bytes(rows, header=BY_NUMBER))

    assert where(exc) == [(5, "lot_number"), (3, "quantity_delivered")]
    assert "Lot C is repeated for line 1 of CO-POL-2024-07 (first in row 4)" in messages(exc)
    assert "Over-delivery: line 2 of CO-POL-2024-07 ordered 50; 0 were already delivered" in messages(exc)


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        (
            ["call_off_line", "line_number", *BY_NUMBER[2:]],
            "call_off",
            "Missing column call_off: line_number counts the lines of a call-off.",
        ),
        (
            ["call_off", *BY_NUMBER[2:]],
            "line_number",
            "Missing column: give line_number or item with call_off.",
        ),
        (
            BY_NUMBER[2:],
            "call_off_line",
            "Missing column: give call_off_line, or call_off with line_number or item.",
        ),
    ],
)
def test_a_header_that_cannot_find_lines_is_refused_before_any_row(nspa, call_off, header, column, message):
    exc = rejection(nspa, csv_bytes([["1"] * len(header)], header=header))

    assert where(exc) == [(1, column)]
    assert messages(exc) == message


def test_query_count_does_not_grow_with_rows_identified_by_reference_and_line_number(nspa, call_off):
    # One import first: it queues the analytics refresh job, which later imports then find queued.
    run(nspa, csv_bytes([["CO-POL-2024-07", "1", "2024-07-01", "1", "1", "warm-up"]], header=BY_NUMBER))
    counts = []
    for size, prefix in ((2, "a"), (30, "b")):
        rows = [
            ["CO-POL-2024-07", str(1 + n % 2), "2024-07-01", "1", "1", f"{prefix}{n}"] for n in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            assert run(nspa, csv_bytes(rows, header=BY_NUMBER)).created == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
