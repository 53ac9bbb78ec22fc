"""Builders and checks shared by the delivery import test modules (``test_import_*.py``)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from procurement import importers
from procurement.importers import ImportRejected, import_deliveries

# The importer's columns without the optional ways to find a line by its call-off, and the
# acceptance date.
HEADER = [
    name for name in importers.COLUMNS if name not in {"call_off", "line_number", "item", "accepted_on"}
]


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


def rejection(nspa, data, name="deliveries.csv") -> ImportRejected:
    with pytest.raises(ImportRejected) as exc_info:
        run(nspa, data, name)
    return exc_info.value


def where(exc: ImportRejected) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in exc.errors]


def messages(exc: ImportRejected) -> str:
    return " | ".join(error.message for error in exc.errors)


def row(
    line, lot="L1", delivered="100", accepted="100", rejected="0", reason="", on="2024-07-01", where="Depot"
):
    return [line.pk, on, delivered, accepted, rejected, reason, lot, where]


def run(nspa, data, name="deliveries.csv"):
    return import_deliveries(actor=nspa, data=data, file_name=name)
