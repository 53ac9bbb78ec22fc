"""The capacity-line upload's limits on what a workbook may unpack to and how many rows it may
hold: each is refused with its own message while the file is parsed, before any line is saved."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from pledges import capacity_upload
from pledges.tests.test_capacity_upload import HEADER, xlsx
from portal.spreadsheets import MAX_COMPRESSION_RATIO, megabytes
from portal.uploads import ImportRejected
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def line(site: str) -> list:
    return ["155mm-round", site, 30000, 2023, 60000, 150000, 2027, 18, None, None]


def test_a_workbook_unpacking_past_the_limit_at_an_ordinary_compression_ratio_is_refused(owner, monkeypatch):
    ItemFactory(code="155mm-round")
    rng = random.Random(7)
    # Sites of random letters: a real sheet's compression ratio, far under the zip-bomb limit.
    data = xlsx([line("".join(rng.choices("abcdefghij ", k=190))) for _ in range(1000)])
    entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert max(entry.file_size / max(entry.compress_size, 1) for entry in entries) < MAX_COMPRESSION_RATIO
    assert len(entries) < capacity_upload.MAX_ENTRIES
    # Within the limit the file is accepted: what refuses it below is its size, nothing else.
    assert len(capacity_upload.parse_capacity_file(user=owner, data=data)) == 1000

    unpacked = sum(entry.file_size for entry in entries)
    monkeypatch.setattr(capacity_upload, "MAX_UNCOMPRESSED", unpacked // 2)
    with pytest.raises(ImportRejected) as excinfo:
        capacity_upload.parse_capacity_file(user=owner, data=data)
    (error,) = excinfo.value.errors
    assert error.message == (
        f"The workbook unpacks to {megabytes(unpacked)}; the limit is {megabytes(unpacked // 2)}."
    )


def test_rows_past_the_limit_after_a_blank_row_are_refused_not_dropped(owner):
    ItemFactory(code="155mm-round")
    rows = [line(f"Site {n}") for n in range(capacity_upload.MAX_ROWS - 1)]
    data = xlsx([*rows, [None] * len(HEADER), line("Last but one"), line("Last")])
    with pytest.raises(ImportRejected) as excinfo:
        capacity_upload.parse_capacity_file(user=owner, data=data)
    (error,) = excinfo.value.errors
    assert "more than 1,000 rows" in error.message
