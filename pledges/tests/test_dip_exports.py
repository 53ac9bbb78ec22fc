"""The DIP dashboard's CSV and XLSX: the page's labels in the reader's language (or the stable
names), and typed cells in the workbook. The figures themselves are tested in test_dip_dashboard."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pledges import display
from pledges.tests.dip_data import synthetic_edition

pytestmark = pytest.mark.django_db

EXPORT = reverse("pledges:dip-export")


@pytest.fixture
def edition(secretariat):
    # Two actual years, then two estimates (synthetic_rows marks the last two years so).
    return synthetic_edition(
        secretariat, edition_year=2090, codes=["POL", "FRA", "DEU"], years=range(2021, 2025)
    )


def csv_header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def nation_page_labels(client, edition, **headers) -> list[str]:
    page = client.get(
        reverse("pledges:dip-nation", kwargs={"code": "POL"}), {"dataset": edition.pk}, **headers
    )
    table = page.content.decode()
    table = table[table.index('data-testid="nation-series"') :]
    return re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table[: table.index("</thead>")])


def test_csv_header_is_the_pages_labels_in_the_readers_language(client, secretariat, edition):
    client.force_login(secretariat)
    english = csv_header(client.get(EXPORT, {"format": "csv", "dataset": edition.pk}))
    assert english == [str(c.label) for c in display.EXPORT_COLUMNS]
    assert english[:8] == [
        "Dataset",
        "Edition",
        "Price base",
        "Nation code",
        "Nation",
        "Year",
        "Estimate",
        "% of GDP",
    ]
    # The per-nation page's series table heads the same figures with the same words.
    shown = nation_page_labels(client, edition)
    assert {"% of GDP", "Equipment %", "Real change %", "Hague core %", "Gap to 3.5%", "2035 path %"} <= set(
        shown
    )
    assert set(shown) - {"Defence- and security-related %"} <= set(english)

    french = csv_header(
        client.get(EXPORT, {"format": "csv", "dataset": edition.pk}, HTTP_ACCEPT_LANGUAGE="fr")
    )
    assert french[:8] == [
        "Jeu de données", "Édition", "Base de prix", "Code de la nation", "Nation", "Année", "Estimation",
        "% du PIB",
    ]  # fmt: skip
    assert {"% du PIB", "Équipements %", "Écart à 3,5 %"} <= set(
        nation_page_labels(client, edition, HTTP_ACCEPT_LANGUAGE="fr")
    )
    # The machine names do not change with the language.
    names = csv_header(
        client.get(
            EXPORT, {"format": "csv", "dataset": edition.pk, "header": "names"}, HTTP_ACCEPT_LANGUAGE="fr"
        )
    )
    assert names == [c.name for c in display.EXPORT_COLUMNS]
    assert names[:3] == ["dataset", "edition_year", "price_base_year"]


def test_xlsx_has_typed_cells_and_a_bold_frozen_filtered_header(client, secretariat, edition):
    client.force_login(secretariat)
    response = client.get(
        EXPORT, {"format": "xlsx", "dataset": edition.pk, "year_from": 2021, "year_to": 2024}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(display.EXPORT_COLUMNS))  # W: the reconciliation's columns end it
    assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    poland = {r["Year"].value: r for r in rows if r["Nation code"].value == "POL"}
    assert sorted(poland) == [2021, 2022, 2023, 2024]
    actual, estimate = poland[2021], poland[2024]
    for label in ("Edition", "Price base", "Year"):
        assert actual[label].data_type == "n"
        assert actual[label].number_format == "0"  # 2021, never 2,021
    assert actual["% of GDP"].number_format == "#,##0.00##"
    assert Decimal(str(actual["% of GDP"].value)) > 0
    assert (actual["Estimate"].value, estimate["Estimate"].value) == (False, True)
    assert {actual[k].data_type for k in ("Estimate", "Meets 2% of GDP", "Awaiting recompute")} == {"b"}
    assert actual["Computed at"].is_date
    assert actual["Computed at"].number_format == "yyyy-mm-dd hh:mm:ss"
    # An actual year is not assessed against the 2035 path: an empty cell.
    assert (actual["On track"].value, actual["On track"].data_type) == (None, "n")


def test_an_unknown_header_is_a_400(client, secretariat, edition):
    client.force_login(secretariat)
    response = client.get(EXPORT, {"format": "csv", "header": "both"})
    assert response.status_code == 400
    assert response.content.decode() == "Unknown header: use labels or names."
