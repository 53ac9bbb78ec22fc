"""The figures NATO published are the figures shown (issue 11, section 5).

NATO publishes its inputs rounded to whole millions, so the ratios recomputed from them print, for
15 Ally-years and 3 aggregate values of the 2026 edition, one hundredth away from NATO's Table 3.
The dashboard, its exports and the API show NATO's figure, and the marks use it; the recomputation
stays beside it as the reconciliation. National returns publish nothing: their figures are computed.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.test import APIClient

from pledges import dip, exports
from pledges.choices import Aggregate
from pledges.expenditure_import import SHIPPED_DATA, read_edition_texts
from pledges.models import DipMetric, ExpenditureRecord, PublishedAggregate
from pledges.services import dip_recompute, nato_edition_import, record_save, return_create
from pledges.tests.dip_data import import_nato_2026
from pledges.tests.test_dip_dashboard import DASHBOARD, EXPORT, cell_html
from portal.models import ObjectChange
from portal.tests.openapi import assert_matches_schema
from portal.uploads import ImportRejected

pytestmark = pytest.mark.django_db

NC_CSV = SHIPPED_DATA / "defence-expenditure-2026-edition.csv"
USD_CSV = SHIPPED_DATA / "defence-expenditure-2026-edition-usd.csv"
NATO_GEOS = {"NATO_TOTAL": Aggregate.NATO, "NATO_EUR_CAN": Aggregate.NATO_EUROPE_CANADA}
METRICS = "/api/pledges/dip-metrics/"


def file_rows() -> list[dict]:
    with USD_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def table_3() -> dict[tuple[str, int], Decimal]:
    """NATO's published % of GDP, read straight from the shipped file: every Ally-year and NATO's
    own aggregate rows."""
    out = {}
    for row in file_rows():
        subject = row["country_iso3"] or NATO_GEOS[row["geo"]]
        out[(subject, int(row["year"]))] = Decimal(row["published_pct_gdp"])
    return out


def printed(value: Decimal) -> Decimal:
    """Two decimals, half up, as NATO prints (written out here, not taken from pledges.dip)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def nato2026(secretariat):
    return import_nato_2026(secretariat)


def metrics_of(dataset) -> dict[tuple[str, int], DipMetric]:
    return {(m.subject, m.year): m for m in DipMetric.objects.filter(dataset=dataset)}


# --- The figure shown is the published one -----------------------------------------------------


def test_the_dashboard_prints_table_3_for_all_403_ally_years_and_natos_aggregates(
    client, secretariat, nato2026
):
    published = table_3()
    assert len(published) == 403 + 26
    client.force_login(secretariat)
    content = client.get(DASHBOARD).content.decode()  # the whole edition, 2014-2026
    metrics = metrics_of(nato2026)
    for (subject, year), value in published.items():
        cell = cell_html(content, subject, year)
        assert f'<span class="dip-pct">{value:.2f}</span>' in cell, (subject, year)
        metric = metrics[(subject, year)]
        assert metric.pct_gdp == metric.published_pct_gdp == value
        # The 2% mark uses the figure shown.
        assert metric.meets_2pct is (value >= 2)
        assert ("meets 2%" in cell) is (value >= 2)


def test_the_csv_export_and_the_api_serve_the_published_figures(client, secretariat, nato2026):
    published = table_3()
    client.force_login(secretariat)
    response = client.get(EXPORT, {"format": "csv", "header": "names"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == len(published)
    for row in rows:
        value = published[(row["nation_code"], int(row["year"]))]
        assert Decimal(row["pct_gdp"]) == value
        assert Decimal(row["published_pct_gdp"]) == value
        assert row["meets_2pct"] == str(value >= 2)
    api = APIClient()
    api.force_authenticate(secretariat)
    answer = api.get(METRICS, {"subject": "MNE", "year": 2014})
    assert_matches_schema(answer, METRICS)
    (montenegro,) = answer.json()["results"]
    assert (montenegro["pct_gdp"], montenegro["published_pct_gdp"]) == ("1.5100", "1.5100")
    assert montenegro["computed_pct_gdp"] == "1.5002"
    assert montenegro["reconcile"] is True


def test_the_equipment_share_and_its_20pct_mark_are_table_8a(nato2026):
    rows = {(r["country_iso3"], int(r["year"])): r for r in file_rows() if r["country_iso3"]}
    for (subject, year), metric in metrics_of(nato2026).items():
        if len(subject) != 3:
            continue  # NATO publishes no aggregate equipment share: the weighted one is shown
        share = Decimal(rows[(subject, year)]["published_equipment_pct"])
        assert metric.equipment_pct == metric.published_equipment_pct == share
        assert metric.meets_20pct is (share >= 20)
    assert PublishedAggregate.objects.filter(dataset=nato2026, equipment_pct__isnull=False).count() == 0
    aggregate = DipMetric.objects.get(dataset=nato2026, subject=Aggregate.NATO, year=2024)
    assert aggregate.published_equipment_pct is None
    assert aggregate.equipment_pct == aggregate.computed_equipment_pct is not None


# --- The reconciliation -----------------------------------------------------------------------


def expected_reconciliation() -> set[tuple[str, int]]:
    """The Ally-years whose recomputation (four decimals, as stored) prints other than Table 3 or
    lies more than half a hundredth from it, worked out from the file alone."""
    out = set()
    for row in file_rows():
        if not row["country_iso3"]:
            continue
        computed = (100 * Decimal(row["def_usd_2021_m"]) / Decimal(row["gdp_usd_2021_m"])).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_EVEN
        )
        published = Decimal(row["published_pct_gdp"])
        if printed(computed) != published or abs(computed - published) > Decimal("0.005"):
            out.add((row["country_iso3"], int(row["year"])))
    return out


def test_the_reconciliation_lists_15_ally_years_and_3_aggregates(nato2026):
    listed = set(DipMetric.objects.filter(dataset=nato2026, reconcile=True).values_list("subject", "year"))
    nations = {key for key in listed if key[0] not in Aggregate.values}
    assert nations == expected_reconciliation()
    assert len(nations) == 15
    assert ("MNE", 2014) in nations  # the example: 1.50 computed, 1.51 published
    aggregates = listed - nations
    assert len(aggregates) == 3
    assert (Aggregate.NATO_EUROPE_CANADA, 2023) in aggregates  # 1.72 computed, 1.71 published
    for metric in DipMetric.objects.filter(dataset=nato2026):
        differs = printed(metric.computed_pct_gdp) != metric.published_pct_gdp
        assert metric.reconcile is (
            differs or abs(metric.computed_pct_gdp - metric.published_pct_gdp) > 0.005
        )
    europe = DipMetric.objects.get(dataset=nato2026, subject=Aggregate.NATO_EUROPE_CANADA, year=2023)
    assert (europe.pct_gdp, printed(europe.computed_pct_gdp)) == (Decimal("1.71"), Decimal("1.72"))


def test_the_dashboard_lists_the_reconciliation_with_both_values_and_marks_those_cells(
    client, secretariat, nato2026
):
    listed = set(DipMetric.objects.filter(dataset=nato2026, reconcile=True).values_list("subject", "year"))
    client.force_login(secretariat)
    response = client.get(DASHBOARD)
    content = response.content.decode()
    notice = content[content.index('data-testid="published-notice"') :]
    assert "18 figures of this selection differ" in notice[: notice.index("</p>")]
    section = content[content.index('id="dip-reconciliation"') :]
    section = section[: section.index("</section>")]
    assert set(re.findall(r'data-reconciled="([A-Z_]+)-(\d{4})-pct_gdp"', section)) == {
        (subject, str(year)) for subject, year in listed
    }
    assert section.count("data-reconciled=") == 18  # no equipment share differs: Table 8a is the input
    montenegro = section[section.index('data-reconciled="MNE-2014-pct_gdp"') :]
    montenegro = montenegro[: montenegro.index("</tr>")]
    # Published, computed (and how it prints), and the difference, which exceeds 0.005 points.
    assert ">1.51<" in montenegro
    assert "1.5002" in montenegro
    assert "prints as 1.50" in montenegro
    assert "0.0098" in montenegro
    # Romania 2020: 2.0150 computed prints as 2.02, NATO printed 2.01: listed, within rounding.
    romania = section[section.index('data-reconciled="ROU-2020-pct_gdp"') :]
    assert "within rounding" in romania[: romania.index("</tr>")]
    # Exactly the listed cells carry the mark, which names the computed figure.
    for row in response.context["board"].rows + response.context["board"].aggregates:
        for year in response.context["board"].years:
            cell = cell_html(content, row.subject, year)
            assert ('data-testid="reconcile"' in cell) is ((row.subject, year) in listed), (row.subject, year)
    assert "computed from the inputs: 1.5002" in cell_html(content, "MNE", 2014)


def test_the_reconciliation_follows_the_selection(client, secretariat, nato2026):
    client.force_login(secretariat)
    board = client.get(DASHBOARD, {"year_from": 2024, "year_to": 2026, "group": "eu"}).context["board"]
    # Montenegro is no EU member; the aggregates stay whole, as in the table.
    assert {(d.subject, d.year) for d in board.reconciliation} == {
        (subject, year)
        for subject, year in DipMetric.objects.filter(
            dataset=nato2026, reconcile=True, year__gte=2024
        ).values_list("subject", "year")
        if subject in Aggregate.values or subject in {row.subject for row in board.rows}
    }
    content = client.get(DASHBOARD, {"year_from": 2018, "year_to": 2019, "group": "north_america"})
    content = content.content.decode()
    assert 'data-testid="reconciliation-none"' in content  # nothing to reconcile in this selection
    assert "0 figures of this selection differ" in content


def test_every_reader_of_the_figures_reads_their_reconciliation(client, owner, make_user, nato2026):
    for user in (owner, make_user("board_member", None, username="board")):
        client.force_login(user)
        content = client.get(DASHBOARD).content.decode()
        assert 'data-reconciled="MNE-2014-pct_gdp"' in content


def test_the_exports_carry_the_reconciliation(client, secretariat, nato2026, monkeypatch):
    client.force_login(secretariat)
    response = client.get(EXPORT, {"format": "csv", "header": "names"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    reconciled = {(r["nation_code"], int(r["year"])): r for r in rows if r["reconcile"] == "True"}
    assert len(reconciled) == 18
    montenegro = reconciled[("MNE", 2014)]
    assert (montenegro["pct_gdp"], montenegro["published_pct_gdp"], montenegro["computed_pct_gdp"]) == (
        "1.5100",
        "1.5100",
        "1.5002",
    )
    # The PDF report lists them too (the HTML WeasyPrint is given, then the PDF itself).
    pages = []
    real = exports.render_html_pdf

    def capture(html: str) -> bytes:
        pages.append(html)
        return real(html)

    monkeypatch.setattr(exports, "render_html_pdf", capture)
    pdf = client.get(EXPORT, {"format": "pdf", "year_from": 2014, "year_to": 2015})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    (html,) = pages
    section = html[html.index("Reconciliation with NATO") :]
    assert "Montenegro" in section
    assert "1.5002" in section
    assert "North Macedonia" in section  # 2015: 1.05 published, 1.0432 computed
    assert "1.0432" in section
    assert "Estonia" not in section  # 2021 and 2022 are outside the selection


def test_the_api_lists_the_reconciliation(secretariat, nato2026):
    api = APIClient()
    api.force_authenticate(secretariat)
    response = api.get(METRICS, {"reconcile": "true", "page_size": 50})
    assert response.status_code == 200
    assert_matches_schema(response, METRICS)
    results = response.json()["results"]
    assert len(results) == 18
    for item in results:
        assert item["pct_gdp"] == item["published_pct_gdp"]
        assert printed(Decimal(item["computed_pct_gdp"])) != Decimal(item["published_pct_gdp"]) or (
            abs(Decimal(item["computed_pct_gdp"]) - Decimal(item["published_pct_gdp"])) > Decimal("0.005")
        )
    agreeing = api.get(METRICS, {"reconcile": "false", "page_size": 1}).json()
    assert agreeing["count"] == 403 + 26 - 18


# --- National returns and editions without published ratios ----------------------------------


def test_a_national_return_shows_its_computed_figures_and_publishes_nothing(client, owner):
    draft = return_create(actor=owner, edition_year=2090, price_base_year=2021)
    values = {"def_usd_constant_m": Decimal("15010"), "gdp_usd_constant_m": Decimal("1000000"),
              "equipment_pct": Decimal("19.99")}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        record_save(actor=owner, dataset=draft, year=2089, values={**values, "published_pct_gdp": 2})
    assert "published_pct_gdp" in refused.value.message_dict
    record = record_save(actor=owner, dataset=draft, year=2089, values=values)
    # Even a published figure slipped into the table is not a national return's figure.
    ExpenditureRecord.objects.filter(pk=record.pk).update(published_pct_gdp=Decimal("2.50"))
    with transaction.atomic():
        dip_recompute(dataset_id=draft.pk)
    metric = DipMetric.objects.get(dataset=draft, subject="POL", year=2089)
    assert (metric.pct_gdp, metric.computed_pct_gdp, metric.published_pct_gdp) == (
        Decimal("1.5010"),
        Decimal("1.5010"),
        None,
    )
    assert metric.equipment_pct == Decimal("19.9900")
    assert metric.published_equipment_pct is None
    assert metric.meets_2pct is False
    assert metric.meets_20pct is False
    assert metric.reconcile is False
    client.force_login(owner)
    content = client.get(DASHBOARD, {"dataset": draft.pk}).content.decode()
    assert ">1.50<" in cell_html(content, "POL", 2089)
    assert 'id="dip-reconciliation"' not in content
    assert 'data-testid="published-notice"' not in content


# --- The rule itself ---------------------------------------------------------------------------


def year(pct: str | None = None, *, published: str | None = None, equipment=None, published_eq=None, **kw):
    return dip.YearInputs(
        subject="XXX",
        year=kw.pop("year", 2024),
        is_estimate=kw.pop("is_estimate", False),
        def_constant=None if pct is None else Decimal(pct),
        gdp_constant=Decimal(100),
        equipment_pct=None if equipment is None else Decimal(equipment),
        published_pct_gdp=None if published is None else Decimal(published),
        published_equipment_pct=None if published_eq is None else Decimal(published_eq),
        **kw,
    )


def test_the_marks_use_the_published_figure_where_there_is_one():
    (near,) = dip.series_metrics([year("1.996", published="1.99", equipment="19.99", published_eq="20.00")])
    assert (near.pct_gdp, near.computed_pct_gdp) == (Decimal("1.9900"), Decimal("1.9960"))
    assert near.meets_2pct is False  # NATO printed 1.99, although 1.996 would print as 2.00
    assert near.equipment_pct == Decimal("20.0000")
    assert near.meets_20pct is True
    assert near.reconcile is True
    (computed,) = dip.series_metrics([year("1.996", equipment="19.99")])
    assert (computed.pct_gdp, computed.meets_2pct, computed.meets_20pct) == (Decimal("1.9960"), True, False)
    assert computed.reconcile is False
    # A published figure without inputs is still the figure.
    (alone,) = dip.series_metrics([year(None, published="2.10")])
    assert (alone.pct_gdp, alone.computed_pct_gdp, alone.meets_2pct, alone.reconcile) == (
        Decimal("2.1000"),
        None,
        True,
        False,
    )


@pytest.mark.parametrize(
    ("published", "computed", "listed", "difference"),
    [
        ("1.51", "1.5002", True, "0.0098"),  # prints 1.50, and 0.0098 apart
        ("2.01", "2.0150", True, None),  # prints 2.02 (half up): listed, within rounding
        ("2.01", "2.0149", False, None),  # prints 2.01, 0.0049 apart
        ("1.50", "1.4950", False, None),  # prints 1.50 (half up), exactly 0.005 apart
        ("1.50", "1.4949", True, "0.0051"),
    ],
)
def test_what_the_reconciliation_lists(published, computed, listed, difference):
    assert dip.disagrees(Decimal(published), Decimal(computed)) is listed
    expected = None if difference is None else Decimal(difference)
    assert dip.difference(Decimal(published), Decimal(computed)) == expected
    assert dip.disagrees(None, Decimal(computed)) is False
    assert dip.disagrees(Decimal(published), None) is False


def test_hague_core_and_the_path_follow_the_published_figure_without_a_core_figure():
    out = {
        m.year: m
        for m in dip.series_metrics(
            [
                year("1.996", published="1.99", year=2024),
                year("2.4", published="2.41", year=2025, is_estimate=True),
            ]
        )
    }
    assert out[2024].hague_core_pct == Decimal("1.9900")
    assert out[2025].path_pct == dip.q4(dip.path_value(2024, Decimal("1.99"), 2025))
    # A separate core figure is the dataset's own: computed from it, whatever NATO printed.
    (core,) = dip.series_metrics([year("1.996", published="1.99", core_constant=Decimal("1.8"))])
    assert core.hague_core_pct == Decimal("1.8000")


def test_published_aggregates_replace_the_sums_where_nato_prints_them():
    inputs = [
        dip.YearInputs(subject=code, year=2024, is_estimate=False, def_constant=Decimal(d),
                       gdp_constant=Decimal(g), equipment_pct=Decimal(e), accession_year=1949)
        for code, d, g, e in (("USA", "30", "1000", "30"), ("DEU", "17", "1000", "20"))
    ]  # fmt: skip
    published = {(Aggregate.NATO, 2024): (Decimal("2.36"), None)}
    metrics = {
        m.subject: m
        for m in dip.dataset_metrics(inputs, with_aggregates=True, published_aggregates=published)
    }
    nato = metrics[Aggregate.NATO]
    assert (nato.pct_gdp, nato.computed_pct_gdp, nato.published_pct_gdp) == (
        Decimal("2.3600"),
        Decimal("2.3500"),
        Decimal("2.3600"),
    )
    assert nato.hague_core_pct == Decimal("2.3600")
    assert nato.equipment_pct == nato.computed_equipment_pct == dip.q4(Decimal(30 * 30 + 17 * 20) / 47)
    assert nato.reconcile is True
    europe = metrics[Aggregate.NATO_EUROPE_CANADA]  # not published: computed
    assert (europe.pct_gdp, europe.published_pct_gdp, europe.reconcile) == (Decimal("1.7000"), None, False)


# --- The import -------------------------------------------------------------------------------


def test_natos_aggregates_are_imported_once_and_a_corrected_one_is_updated(secretariat, nato2026):
    stored = {(a.subject, a.year): a.pct_gdp for a in PublishedAggregate.objects.filter(dataset=nato2026)}
    assert stored == {key: value for key, value in table_3().items() if key[0] in Aggregate.values}
    assert ExpenditureRecord.objects.get(
        dataset=nato2026, nation__code="MNE", year=2014
    ).published_pct_gdp == (Decimal("1.51"))
    texts = {
        "nc": (NC_CSV.name, NC_CSV.read_text(encoding="utf-8")),
        "usd": (USD_CSV.name, USD_CSV.read_text(encoding="utf-8")),
    }
    changes = ObjectChange.objects.count()
    again = nato_edition_import(
        actor=secretariat, edition_year=2026, price_base_year=2021,
        **vars(read_edition_texts(texts, price_base=2021)),
    )  # fmt: skip
    assert not again.changed
    assert ObjectChange.objects.count() == changes
    # NATO corrects its 2023 Europe-and-Canada figure and drops its 2014 total.
    corrected_row = "NATO Europe and Canada,2023,False,414564,24272826,402342,23490174,"
    usd = texts["usd"][1].replace(f"{corrected_row}1.71,", f"{corrected_row}1.72,")
    usd = "".join(
        line for line in usd.splitlines(keepends=True) if not line.startswith("NATO_TOTAL,,NATO Total,2014,")
    )
    edition = read_edition_texts({**texts, "usd": (USD_CSV.name, usd)}, price_base=2021)
    outcome = nato_edition_import(actor=secretariat, edition_year=2026, price_base_year=2021, **vars(edition))
    assert (outcome.created, outcome.updated, outcome.deleted, outcome.aggregates_changed) == (0, 0, 0, 2)
    corrected = PublishedAggregate.objects.get(
        dataset=nato2026, subject=Aggregate.NATO_EUROPE_CANADA, year=2023
    )
    assert corrected.pct_gdp == Decimal("1.72")
    assert not PublishedAggregate.objects.filter(dataset=nato2026, subject=Aggregate.NATO, year=2014).exists()
    audit = ObjectChange.objects.filter(object_id=str(corrected.pk), action="update").get()
    assert (audit.before["pct_gdp"], audit.after["pct_gdp"]) == ("1.71", "1.72")
    # Only the aggregates went stale; recomputed, the corrected figure is shown and agrees.
    assert set(
        DipMetric.objects.filter(dataset=nato2026, stale=True).values_list("subject", flat=True)
    ) == set(Aggregate.values)
    with transaction.atomic():
        dip_recompute(dataset_id=nato2026.pk)
    europe = DipMetric.objects.get(dataset=nato2026, subject=Aggregate.NATO_EUROPE_CANADA, year=2023)
    assert (europe.pct_gdp, europe.reconcile) == (Decimal("1.7200"), False)
    total = DipMetric.objects.get(dataset=nato2026, subject=Aggregate.NATO, year=2014)
    assert total.published_pct_gdp is None
    assert total.pct_gdp == total.computed_pct_gdp


def test_published_figures_are_checked_like_every_cell(secretariat):
    header = (
        "geo,country_iso3,country,year,estimate,def_usd_current_m,gdp_usd_current_m,def_usd_2021_m,"
        "gdp_usd_2021_m,published_pct_gdp,published_equipment_pct\n"
    )
    usd = header + (
        "PL,POL,Poland,2024,False,100,1000,100,1000,10.00,20\n"
        "NATO_TOTAL,,NATO Total,2024,False,100,1000,100,1000,abc,\n"
        "NATO_TOTAL,,NATO Total,2024,False,100,1000,100,1000,2.5,\n"
        "NATO_EUR_CAN,,NATO Europe and Canada,20x4,False,100,1000,100,1000,2.5,\n"
    )
    nc = (
        "country_iso3,country,year,defence_exp_nc_million,gdp_nc_million,currency,published_pct_gdp,"
        "published_equipment_pct,source\nPOL,Poland,2024,400,,PLN,9.99,20,NATO\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        read_edition_texts({"nc": ("nc.csv", nc), "usd": ("usd.csv", usd)}, price_base=2021)
    messages = [str(error) for error in rejected.value.errors]
    assert any("row 3, published_pct_gdp: 'abc' is not a number." in m for m in messages), messages
    assert any("row 4, year: NATO 2024 is already on row 3." in m for m in messages), messages
    assert any("row 5, year: '20x4' is not a year." in m for m in messages), messages
    assert any("different % of GDP figures (9.99 and 10.00)" in m for m in messages), messages


def test_the_reconciliation_and_its_rule_read_in_french(client, secretariat, nato2026):
    client.force_login(secretariat)
    content = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rapprochement avec les chiffres publiés par l'OTAN" in content
    assert "utilisé pour les marques 2 % et 20 %." in content
    assert "18 chiffres de cette sélection diffèrent" in content
    assert "Les chiffres publiés d&#x27;abord" in content
    assert "calculé à partir des données d&#x27;entrée : 1,5002" in cell_html(content, "MNE", 2014)
    assert "%%" not in content
