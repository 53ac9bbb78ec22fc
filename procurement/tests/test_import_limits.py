"""A delivery workbook past the import's limits is refused before a row of it is parsed, and
nothing is imported."""

from __future__ import annotations

import pytest

from portal.tests.workbooks import count_work, row, xlsx
from procurement.importers import ImportRejected, import_deliveries, reader
from procurement.models import Delivery
from procurement.tests.factories import make_calloff, make_framework
from procurement.tests.import_helpers import HEADER

pytestmark = pytest.mark.django_db


def test_a_workbook_with_too_many_rows_is_refused_before_a_row_is_parsed(nspa, monkeypatch):
    line = make_calloff(make_framework(), quantity=5000).lines.get()
    monkeypatch.setattr(reader, "MAX_ROWS", 50)
    rows = [row(n, line.pk, "2024-09-01", 1, 1, 0, "", f"LOT-{n:05d}", "Depot") for n in range(2, 2002)]
    data = xlsx([row(1, *HEADER), *rows])
    work = count_work(monkeypatch)

    with pytest.raises(ImportRejected) as excinfo:
        import_deliveries(actor=nspa, data=data, file_name="deliveries.xlsx")

    (error,) = excinfo.value.errors
    assert error.row == 0
    assert error.message.startswith("The sheet has more than 50 rows below its header")
    assert work["rows parsed"] == 0
    assert Delivery.objects.count() == 0
