"""The core of every import: how a problem reads, how many are listed, how an upload's size is
bounded before it is read, and how bytes become rows (CSV or XLSX, as the import accepts)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.spreadsheets import OLE2_MAGIC
from portal.tests.workbooks import row, xlsx
from portal.uploads import (
    ImportRejected,
    RowError,
    RowErrors,
    UploadFormat,
    decode_csv,
    file_error,
    read_rows,
    read_upload,
)

BOTH = UploadFormat()
XLSX_ONLY = UploadFormat(csv=False)
UTF8_CSV_ONLY = UploadFormat(xlsx=False, encodings=("utf-8",), not_text="not UTF-8 text.")


def refusal(call) -> list[str]:
    with pytest.raises(ImportRejected) as excinfo:
        call()
    return [str(error) for error in excinfo.value.errors]


# --- How a problem reads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (RowError(3, "year", "1900 is too early."), "row 3, year: 1900 is too early."),
        (RowError(3, "", "Too many cells."), "row 3: Too many cells."),
        (RowError(0, "", "The file is empty."), "file: The file is empty."),
        (RowError(0, "file", "Attach the file."), "file, file: Attach the file."),
        (RowError(4, "year", "Not a year.", "usd.csv"), "usd.csv: row 4, year: Not a year."),
        # A named file stands for "file": the name says the problem is about that file.
        (RowError(0, "", "not UTF-8 text.", "usd.csv"), "usd.csv: not UTF-8 text."),
        (RowError(0, "currency", "Missing.", "nc.csv"), "nc.csv: currency: Missing."),
    ],
)
def test_a_row_error_says_where_it_is(error, shown):
    assert str(error) == shown


def test_a_file_error_is_row_zero_with_its_column_and_file():
    rejected = file_error("Attach the file.", column="file")
    assert rejected.errors == [RowError(0, "file", "Attach the file.")]
    named = file_error("no such file or directory.", file="/data/2026")
    assert named.errors == [RowError(0, "", "no such file or directory.", "/data/2026")]
    assert str(named) == "/data/2026: no such file or directory."


def test_a_rejection_reads_as_its_first_five_problems():
    rejected = ImportRejected([RowError(n, "lot", f"Problem {n}.") for n in range(2, 10)])
    assert str(rejected) == "; ".join(f"row {n}, lot: Problem {n}." for n in range(2, 7))
    assert len(rejected.errors) == 8


# --- How many are listed ------------------------------------------------------------------------


def test_the_collector_keeps_the_first_problems_and_counts_the_rest():
    errors = RowErrors(3)
    assert not errors
    for number in range(2, 9):
        errors.add(number, "lot", f"Problem {number}.")
    assert errors
    assert errors.count == 7
    listed = errors.rejection().errors
    assert listed[:3] == [RowError(n, "lot", f"Problem {n}.") for n in (2, 3, 4)]
    assert listed[3] == RowError(0, "", "… and 4 more errors not listed.")
    assert len(listed) == 4


def test_the_count_uses_thousands_separators():
    errors = RowErrors(1)
    for number in range(1_502):
        errors.add(number + 2, "", "Bad.")
    assert errors.rejection().errors[-1].message == "… and 1,501 more errors not listed."


def test_within_the_cap_nothing_is_added_to_the_list():
    errors = RowErrors(2)
    errors.add(2, "site", "Required.")
    errors.add(5, "site", "Required.", file="nc.csv")
    assert [str(error) for error in errors.rejection().errors] == [
        "row 2, site: Required.",
        "nc.csv: row 5, site: Required.",
    ]


def test_without_a_cap_every_problem_is_kept():
    errors = RowErrors(None)
    for number in range(2, 2_002):
        errors.add(number, "year", "Bad.", file="usd.csv")
    listed = errors.rejection().errors
    assert len(listed) == errors.count == 2_000
    assert listed[-1] == RowError(2_001, "year", "Bad.", "usd.csv")


# --- The upload's size ---------------------------------------------------------------------------


class Unreadable:
    """An upload that fails the test if it is read."""

    def __init__(self, size: int):
        self.size = size

    def read(self) -> bytes:
        raise AssertionError("The upload was read although it is too large.")


def test_an_upload_within_the_limit_is_read():
    assert read_upload(SimpleUploadedFile("d.csv", b"a,b\n1,2\n"), 8) == b"a,b\n1,2\n"


def test_an_upload_over_the_limit_is_refused_before_it_is_read():
    assert refusal(lambda: read_upload(Unreadable(3 * 1024 * 1024), 2 * 1024 * 1024)) == [
        "file: The file is 3.0 MB; the limit is 2.0 MB."
    ]


def test_an_import_words_its_own_size_refusal():
    assert refusal(lambda: read_upload(Unreadable(9), 8, too_large="The file is larger than 8 bytes.")) == [
        "file: The file is larger than 8 bytes."
    ]
    made = lambda size: f"{size:,} bytes; the limit is 8."  # noqa: E731
    assert refusal(lambda: read_upload(Unreadable(12_345), 8, too_large=made, file="usd.csv")) == [
        "usd.csv: 12,345 bytes; the limit is 8."
    ]


# --- Bytes to rows ---------------------------------------------------------------------------------


def workbook(*rows: list) -> bytes:
    return xlsx([row(number, *values) for number, values in enumerate(rows, start=1)])


def test_a_csv_is_read_with_the_delimiter_its_header_uses():
    assert list(read_rows(b"lot;qty\r\nL1;5\r\n", "d.csv", BOTH)) == [["lot", "qty"], ["L1", "5"]]
    assert list(read_rows(b"lot\tqty\nL1\t5\n", "d.txt", BOTH)) == [["lot", "qty"], ["L1", "5"]]


def test_a_workbook_is_read_as_one_whatever_its_name():
    data = workbook(["lot", "qty"], ["L1", 5])
    for name in ("d.xlsx", "d.csv", "upload"):
        rows = [tuple(cells[:2]) for cells in read_rows(data, name, BOTH)]
        assert rows == [("lot", "qty"), ("L1", 5)]


def test_a_text_file_named_xlsx_is_refused_with_what_to_save_it_as():
    assert refusal(lambda: read_rows(b"lot,qty\n", "d.xlsx", BOTH)) == [
        "file: This file is named .xlsx but is not an Excel workbook; save it as .xlsx or CSV."
    ]


def test_an_xlsx_only_import_refuses_a_csv_and_an_old_xls():
    assert refusal(lambda: list(read_rows(b"lot,qty\n", "d.csv", XLSX_ONLY))) == [
        "file: This file is not an Excel workbook (.xlsx); save the sheet as .xlsx."
    ]
    assert refusal(lambda: list(read_rows(OLE2_MAGIC + b"\x00" * 100, "d.xls", XLSX_ONLY))) == [
        "file: This is an old-format .xls file; save it as .xlsx and upload that."
    ]


def test_a_csv_only_import_does_not_open_a_workbook():
    # A zip is not UTF-8 text: it is refused as CSV, never handed to openpyxl.
    assert refusal(lambda: read_rows(workbook(["lot"], ["L1"]), "d.xlsx", UTF8_CSV_ONLY)) == [
        "file: not UTF-8 text."
    ]


def test_an_empty_file_is_refused_in_every_format():
    for accepts in (BOTH, XLSX_ONLY, UTF8_CSV_ONLY):
        assert refusal(lambda accepts=accepts: read_rows(b"", "d.csv", accepts)) == [
            "file: The file is empty."
        ]


def test_a_workbook_past_the_imports_row_limit_is_refused():
    data = workbook(["lot"], *[[f"L{n}"] for n in range(5)])
    assert list(read_rows(data, "d.xlsx", UploadFormat(max_rows=5, max_columns=1)))
    errors = refusal(lambda: list(read_rows(data, "d.xlsx", UploadFormat(max_rows=4, max_columns=1))))
    assert errors[0].startswith("file: The sheet has more than 4 rows below its header")


def test_a_csv_over_its_own_limit_is_refused():
    accepts = UploadFormat(max_csv_bytes=1024 * 1024)
    data = b"lot\n" + b"L1\n" * 400_000
    assert refusal(lambda: read_rows(data, "d.csv", accepts)) == [
        "file: The file is 1.1 MB; the limit for CSV is 1.0 MB."
    ]


def test_a_csv_that_breaks_off_is_refused_with_its_line():
    data = b'lot,qty\nL1,5\n"' + b"x" * 200_000
    errors = refusal(lambda: list(read_rows(data, "d.csv", BOTH)))
    assert errors[0].startswith("file: The CSV cannot be read near line 3")


# --- Text encodings ----------------------------------------------------------------------------------


def test_a_byte_order_mark_settles_the_encoding_when_the_import_accepts_it():
    assert decode_csv("lot,é\n".encode("utf-16"), BOTH) == "lot,é\n"
    assert decode_csv(b"\xef\xbb\xbflot,\xc3\xa9\n", BOTH) == "lot,é\n"
    assert decode_csv(b"\xef\xbb\xbflot\n", UTF8_CSV_ONLY) == "lot\n"


def test_utf16_is_refused_where_only_utf8_is_accepted():
    data = "lot\n".encode("utf-16")
    assert refusal(lambda: decode_csv(data, UTF8_CSV_ONLY, file="usd.csv")) == ["usd.csv: not UTF-8 text."]


def test_without_a_mark_the_encodings_are_tried_in_order():
    assert decode_csv("Łódź".encode(), BOTH) == "Łódź"
    assert decode_csv("Müller;é".encode("cp1252"), BOTH) == "Müller;é"
    assert refusal(lambda: decode_csv("é".encode("cp1252"), UTF8_CSV_ONLY)) == ["file: not UTF-8 text."]


def test_a_binary_file_is_not_read_as_csv():
    assert refusal(lambda: read_rows(b"\x00\x01\x02binary", "d.csv", BOTH)) == [
        "file: This is a binary file, not CSV; upload CSV or .xlsx."
    ]
    assert refusal(lambda: read_rows(b"\x81\x8d\x8f\x90\x9d", "d.csv", BOTH)) == [
        "file: The file is not text in UTF-8 or Windows-1252; save it as CSV (UTF-8) or .xlsx."
    ]
