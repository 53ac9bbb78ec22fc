"""The upload reader bounds what a workbook can cost: a sheet past its caller's limits is refused
before openpyxl parses a row of it, and no more of a sheet is read than the limits allow. Work is
asserted as rows parsed and bytes read, never as time (bench/xlsx_limits.py measures the time)."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from portal.spreadsheets import SpreadsheetError, safe_xlsx_rows
from portal.tests.workbooks import MAIN, SHEET, count_work, row, xlsx

MAX_BYTES = 20 * 1024 * 1024


@pytest.fixture
def work(monkeypatch):
    return count_work(monkeypatch)


def read(data: bytes, **limits) -> list[tuple]:
    return list(safe_xlsx_rows(data, max_bytes=MAX_BYTES, **limits))


def sheet_size(data: bytes) -> int:
    return zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET).file_size


def delivery_rows(count: int, *, prefix: str = "") -> list[bytes]:
    rows = [row(n, n, "2024-09-01", 60, 60, f"LOT-{n:07d}", "Depot Bydgoszcz") for n in range(1, count + 1)]
    if prefix:
        # The same rows with the sheet's namespace under a prefix, as some writers put it.
        rows = [
            r.replace(b"<row ", f'<{prefix}:row xmlns:{prefix}="{MAIN}" '.encode(), 1)
            .replace(b"</row>", f"</{prefix}:row>".encode())
            .replace(b"<c", f"<{prefix}:c".encode())
            .replace(b"</c>", f"</{prefix}:c>".encode())
            .replace(b"<v>", f"<{prefix}:v>".encode())
            .replace(b"</v>", f"</{prefix}:v>".encode())
            .replace(b"<is><t>", f"<{prefix}:is><{prefix}:t>".encode())
            .replace(b"</t></is>", f"</{prefix}:t></{prefix}:is>".encode())
            for r in rows
        ]
    return rows


@pytest.mark.parametrize("prefix", ["", "x"])
def test_a_sheet_with_too_many_rows_is_refused_before_openpyxl_parses_a_row(work, prefix):
    data = xlsx(delivery_rows(50_000, prefix=prefix))
    with pytest.raises(SpreadsheetError, match="more than 1,000 rows below its header"):
        read(data, max_rows=1000)
    assert work["rows parsed"] == 0
    # The check stops where the limit is passed: the rest of the sheet is never unpacked.
    assert 0 < work["sheet bytes read"] < sheet_size(data) / 4


def test_exactly_the_row_limit_is_read_and_one_more_row_is_refused():
    assert read(xlsx(delivery_rows(6)), max_rows=5)[-1][4] == "LOT-0000006"
    with pytest.raises(SpreadsheetError, match="more than 5 rows"):
        read(xlsx(delivery_rows(7)), max_rows=5)


def test_a_row_far_below_the_limit_is_refused_not_dropped():
    """Rows are counted as the sheet numbers them: a row after a gap is still past the limit,
    and the data in it is never quietly left out."""
    data = xlsx([row(1, "lot_number"), row(2, "A"), row(5000, "far below")])
    with pytest.raises(SpreadsheetError, match="more than 1,000 rows"):
        read(data, max_rows=1000)


@pytest.mark.parametrize("wide", [1, 3])
def test_a_row_too_large_to_hold_is_refused_before_openpyxl_parses_it(work, wide):
    rows = [row(n, *([7] * (2000 if n == wide else 3))) for n in range(1, 5)]
    with pytest.raises(SpreadsheetError, match=f"Row {wide} of the sheet holds more than 4 KB"):
        read(xlsx(rows), max_columns=8)
    assert work["rows parsed"] == 0


def test_more_cells_than_the_caller_reads_are_refused_before_openpyxl_parses_a_row(work):
    rows = [row(n, *([None] * 250)) for n in range(1, 101)]  # 25,000 cells in rows of 1 KB
    with pytest.raises(SpreadsheetError, match=r"The sheet holds more than this import reads \(3,030 cells"):
        read(xlsx(rows), max_rows=100, max_columns=30)
    assert work["rows parsed"] == 0


def test_a_shared_string_table_larger_than_the_sheet_could_use_is_refused_unread(monkeypatch):
    from openpyxl.reader import excel

    tables_read = []
    monkeypatch.setattr(excel, "read_string_table", lambda source: tables_read.append(source) or [])
    strings = (b"<si><t>%d</t></si>" % n for n in range(20_000))
    data = xlsx([row(1, "lot_number"), row(2, "A")], shared_strings=strings)
    with pytest.raises(SpreadsheetError, match="table of shared texts holds more than this import reads"):
        read(data, max_rows=100, max_columns=8)
    assert tables_read == []


def test_a_sheet_larger_than_its_rows_can_need_is_refused_before_it_is_unpacked(work):
    # A comment that compresses as poorly as real data: only the size, not the ratio, refuses it.
    filler = random.Random(1).randbytes(560 * 1024).hex().encode()
    data = xlsx([row(1, "lot_number"), row(2, "A"), b"<!--" + filler + b"-->"])
    with pytest.raises(SpreadsheetError, match=r"The sheet unpacks to 1\.1 MB; 10 rows need at most 1\.0 MB"):
        read(data, max_rows=10, max_columns=4)
    assert work["sheet bytes read"] == 0


def test_a_sheet_without_a_dimension_is_not_parsed_to_find_one(work):
    """openpyxl's loader parses a sheet with no <dimension> (as its own write-only mode writes
    them) to the end when it opens the workbook; reading the header must not cost the whole sheet
    twice over."""
    data = xlsx(delivery_rows(20_000))
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    work.clear()
    rows = safe_xlsx_rows(data, max_bytes=MAX_BYTES)
    assert next(rows)[4] == "LOT-0000001"
    rows.close()
    assert work["sheet bytes read"] < 1.5 * sheet_size(data)
    assert work["rows parsed"] < 1000


def test_an_oversized_styles_part_is_refused_before_openpyxl_parses_it(monkeypatch):
    from openpyxl.reader import excel

    stylesheets_read = []
    monkeypatch.setattr(excel, "apply_stylesheet", lambda archive, wb: stylesheets_read.append(wb))
    rng = random.Random(3)
    # Formats with random ids: compressed like real XML, not like a zip bomb.
    formats = "".join(
        f'<xf numFmtId="{rng.randint(0, 999)}" fontId="{rng.randint(0, 999)}"/>' for _ in range(260_000)
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx([row(1, "lot_number")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            archive.writestr(entry, source.read(entry))
        archive.writestr(
            "xl/styles.xml", f'<styleSheet xmlns="{MAIN}"><cellXfs>{formats}</cellXfs></styleSheet>'
        )
    with pytest.raises(
        SpreadsheetError, match=r"The workbook's xl/styles\.xml unpacks to 8\.\d MB; at most 8\.0 MB"
    ):
        read(out.getvalue())
    assert stylesheets_read == []
