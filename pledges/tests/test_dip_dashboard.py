"""The CNAD compliance dashboard, the per-nation page and the exports, as a user sees them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from pledges import dip
from pledges.models import DipMetric
from pledges.selectors.dashboard import EU_ALLIES
from pledges.services import dip_recompute, nato_edition_import, record_save, return_create
from pledges.tests.dip_data import import_nato_2026, synthetic_edition, synthetic_rows

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("pledges:dip-dashboard")
EXPORT = reverse("pledges:dip-export")


def nation_url(code: str) -> str:
    return reverse("pledges:dip-nation", kwargs={"code": code})


def shown(value: Decimal) -> str:
    """A percentage as the table prints it."""
    return f"{dip.published_round(value):.2f}"


@pytest.fixture
def nato2026(secretariat):
    return import_nato_2026(secretariat)


def metric(dataset, subject: str, year: int) -> DipMetric:
    return DipMetric.objects.get(dataset=dataset, subject=subject, year=year)


def row_html(content: str, subject: str) -> str:
    """The table row of ``subject`` (nation code or aggregate)."""
    start = content.index(f'<tr data-subject="{subject}"')
    return content[start : content.index("</tr>", start)]


def cell_html(content: str, subject: str, year: int) -> str:
    row = row_html(content, subject)
    start = row.index(f'data-year="{year}"')
    return row[start : row.index("</td>", start)]


# --- Who sees what ---------------------------------------------------------------------------


def test_director_sees_the_alliance_table_and_only_their_own_nation_page(client, owner, nato2026):
    client.force_login(owner)
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    content = page.content.decode()
    # The Alliance view: other Allies' rows are there, but only Poland links to its page.
    assert 'data-subject="FRA"' in content
    assert 'data-subject="USA"' in content
    assert nation_url("POL") in content
    assert nation_url("FRA") not in content
    assert client.get(nation_url("POL")).status_code == 200
    assert client.get(nation_url("FRA")).status_code == 404
    assert client.get(nation_url("pol")).status_code == 200


@pytest.mark.parametrize("role", ["nspa", "partner", None])
def test_roles_without_dashboards_are_refused(client, make_user, nato2026, role):
    client.force_login(make_user(role, "UKR" if role == "partner" else None, username=f"u_{role}"))
    for url in (DASHBOARD, nation_url("POL"), EXPORT, f"{EXPORT}?format=doc"):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_unknown_and_non_ally_nations_are_404(client, secretariat, nato2026):
    client.force_login(secretariat)
    assert client.get(nation_url("XXX")).status_code == 404
    assert client.get(nation_url("UKR")).status_code == 404  # a partner, not an Ally


def test_board_member_sees_every_nation_page(client, make_user, nato2026):
    client.force_login(make_user("board_member", None, username="board"))
    page = client.get(DASHBOARD).content.decode()
    assert nation_url("FRA") in page
    assert client.get(nation_url("FRA")).status_code == 200


# --- The figures -----------------------------------------------------------------------------


def test_table_shows_the_stored_metrics_of_the_reference_edition(client, secretariat, nato2026):
    client.force_login(secretariat)
    content = client.get(DASHBOARD).content.decode()
    poland = metric(nato2026, "POL", 2024)
    cell = cell_html(content, "POL", 2024)
    assert shown(poland.pct_gdp) in cell
    # NATO's published Table 3 values for Poland (2026 edition): 3.75 in 2024, 4.25 in 2025 (e).
    assert ">3.75<" in cell
    assert ">4.25<" in cell_html(content, "POL", 2025)
    assert "(e)" in cell_html(content, "POL", 2025)
    assert "meets 2%" in cell
    # The aggregate rows follow the nations, with their own stored figures.
    for subject, label in (("NATO_EU_CA", "NATO Europe and Canada"), ("NATO", "NATO total")):
        assert label in row_html(content, subject)
        assert shown(metric(nato2026, subject, 2024).pct_gdp) in cell_html(content, subject, 2024)
    assert content.index('data-subject="POL"') < content.index('data-subject="NATO_EU_CA"')
    # The dataset is named with its edition and price base, and the rules are stated.
    assert nato2026.title in content
    assert "constant 2021 prices" in content
    assert "2035 path" in content
    assert "never averaged" in content
    # The filter form shows the selection applied: the edition's whole range and its latest year.
    assert 'name="year_from" value="2014"' in content
    assert 'name="year_to" value="2026"' in content


def test_french_pages_print_french_decimals_and_charts_keep_json_numbers(client, secretariat, nato2026):
    client.force_login(secretariat)
    content = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">3,75<" in cell_html(content, "POL", 2024)
    # Chart data stays JSON numbers whatever the language (json_script, never a formatted string).
    assert "3.75" in content[content.index('id="dip-trend-data"') :]


# Read off the shipped 2026 edition (Table 3 and Table 8a, 2024): the Allies below 2.00% of GDP and
# below 20.00% of defence expenditure on major equipment. The other Allies of the 31 meet each rule.
BELOW_2PCT_IN_2024 = {"ALB", "BEL", "BGR", "CAN", "CZE", "ESP", "HRV", "ITA", "LUX", "MKD", "MNE", "PRT",
                      "SVK", "SVN"}  # fmt: skip
BELOW_20PCT_IN_2024 = {"BEL", "CAN", "NLD", "PRT"}


def test_counters_count_the_selected_year(client, secretariat, nato2026):
    client.force_login(secretariat)
    response = client.get(DASHBOARD, {"year": 2024})
    counters = response.context["board"].counters
    assert counters.year == 2024
    assert (counters.meets_2pct, counters.with_pct_gdp) == (31 - len(BELOW_2PCT_IN_2024), 31)
    assert (counters.meets_20pct, counters.with_equipment) == (31 - len(BELOW_20PCT_IN_2024), 31)
    content = response.content.decode()
    assert '17 <span class="muted">/ 31</span>' in content
    # Czechia (1.985%) and Slovakia (1.987%) print as 1.99: they miss it; Germany's 2.0002% meets it.
    assert "meets 2%" not in cell_html(content, "CZE", 2024)
    assert "meets 2%" in cell_html(content, "DEU", 2024)


def test_on_track_counter_for_an_estimate_year(client, secretariat, nato2026):
    client.force_login(secretariat)
    latest = DipMetric.objects.filter(dataset=nato2026).order_by("-year").first().year
    response = client.get(DASHBOARD)
    counters = response.context["board"].counters
    assert counters.year == latest
    assessed = DipMetric.objects.filter(dataset=nato2026, year=latest, nation__isnull=False).exclude(
        on_track=None
    )
    assert counters.assessed == assessed.count()
    assert counters.on_track == assessed.filter(on_track=True).count()


def test_estimates_are_marked(client, secretariat, nato2026):
    client.force_login(secretariat)
    estimate = DipMetric.objects.filter(dataset=nato2026, subject="POL", is_estimate=True).first()
    actual = DipMetric.objects.filter(dataset=nato2026, subject="POL", is_estimate=False).first()
    content = client.get(DASHBOARD).content.decode()
    assert "(e)" in cell_html(content, "POL", estimate.year)
    assert "(e)" not in cell_html(content, "POL", actual.year)


def test_stale_figures_are_marked_until_recomputed(client, owner):
    """A director changes an input of their return: the figure shows "stale" until the recompute
    (queued after commit, which a plain db test never reaches)."""
    draft = return_create(actor=owner, edition_year=2090, price_base_year=2021)
    values = {"def_usd_constant_m": Decimal("30000"), "gdp_usd_constant_m": Decimal("900000"),
              "equipment_pct": Decimal("25")}  # fmt: skip
    record = record_save(actor=owner, dataset=draft, year=2089, values=values)
    with transaction.atomic():
        dip_recompute(dataset_id=draft.pk)
    client.force_login(owner)
    fresh = client.get(DASHBOARD, {"dataset": draft.pk}).content.decode()
    assert "3.33" in cell_html(fresh, "POL", 2089)
    assert 'data-testid="stale"' not in fresh
    record_save(
        actor=owner, dataset=draft, year=2089, record_id=record.pk, expected_version=record.version,
        values={**values, "def_usd_constant_m": Decimal("36000")},
    )  # fmt: skip
    stale = client.get(DASHBOARD, {"dataset": draft.pk}).content.decode()
    assert "stale" in cell_html(stale, "POL", 2089)
    assert 'data-testid="stale-notice"' in stale
    assert 'data-testid="stale"' in client.get(nation_url("POL"), {"dataset": draft.pk}).content.decode()


# --- Filters ---------------------------------------------------------------------------------


def test_year_range_limits_the_columns(client, secretariat, nato2026):
    client.force_login(secretariat)
    response = client.get(DASHBOARD, {"year_from": 2020, "year_to": 2022})
    assert response.status_code == 200
    assert response.context["board"].years == [2020, 2021, 2022]
    content = response.content.decode()
    assert 'data-year="2021"' in content
    assert 'data-year="2023"' not in content
    assert response.context["board"].counters.year == 2022


def test_nation_groups(client, secretariat, nato2026):
    client.force_login(secretariat)
    north = client.get(DASHBOARD, {"group": "north_america"}).context["board"]
    assert [row.subject for row in north.rows] == ["CAN", "USA"]
    # The aggregates stay whole: they are Alliance figures, not sums of the rows shown.
    assert [row.subject for row in north.aggregates] == ["NATO_EU_CA", "NATO"]
    everyone = {row.subject for row in client.get(DASHBOARD).context["board"].rows}
    europe = {row.subject for row in client.get(DASHBOARD, {"group": "europe_canada"}).context["board"].rows}
    assert europe == everyone - {"USA"}
    eu = {row.subject for row in client.get(DASHBOARD, {"group": "eu"}).context["board"].rows}
    assert eu == everyone & EU_ALLIES
    assert "POL" in eu
    assert "NOR" not in eu
    assert "TUR" not in eu


def test_switching_dataset_shows_that_datasets_figures(client, secretariat, nato2026):
    other = synthetic_edition(secretariat, edition_year=2090, codes=["POL", "FRA"], years=range(2020, 2025))
    client.force_login(secretariat)
    reference = client.get(DASHBOARD, {"year": 2024}).content.decode()
    switched = client.get(DASHBOARD, {"dataset": other.pk}).content.decode()
    ours, theirs = metric(nato2026, "POL", 2024), metric(other, "POL", 2024)
    assert ours.pct_gdp != theirs.pct_gdp
    assert shown(ours.pct_gdp) in cell_html(reference, "POL", 2024)
    assert shown(theirs.pct_gdp) in cell_html(switched, "POL", 2024)
    assert shown(ours.pct_gdp) not in cell_html(switched, "POL", 2024)
    # Only the other edition's nations, and its own title.
    assert 'data-subject="USA"' not in switched
    assert other.title in switched


@pytest.mark.parametrize(
    "params",
    [{"year_from": "abc"}, {"year_to": "20x5"}, {"year_from": 2024, "year_to": 2020}, {"year": "x"},
     {"year": 1800}, {"year": 2005}, {"group": "mars"}, {"year_from": 2020, "year_to": 2021, "year": 2025}],
)  # fmt: skip
def test_bad_years_are_form_errors_and_the_defaults_apply(client, secretariat, nato2026, params):
    client.force_login(secretariat)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="field-error"' in content
    assert 'data-testid="filter-fallback"' in content
    # The page still shows figures: the defaults for what was wrong.
    assert 'data-testid="dip-table"' in content
    year = response.context["board"].counters.year
    assert shown(metric(nato2026, "POL", year).pct_gdp) in cell_html(content, "POL", year)


def test_unknown_and_unreadable_datasets_are_404(client, owner, other, secretariat, nato2026):
    french_return = return_create(actor=other, edition_year=2090, price_base_year=2021)
    client.force_login(owner)
    for dataset in ("999999", "abc", str(french_return.pk)):
        assert client.get(DASHBOARD, {"dataset": dataset}).status_code == 404
        assert client.get(nation_url("POL"), {"dataset": dataset}).status_code == 404
        assert client.get(EXPORT, {"dataset": dataset}).status_code == 404
    # A draft is its nation's alone: not even the secretariat reads it.
    client.force_login(secretariat)
    assert client.get(DASHBOARD, {"dataset": french_return.pk}).status_code == 404


def test_without_any_dataset_the_page_says_so(client, secretariat):
    client.force_login(secretariat)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert 'data-testid="dip-empty"' in response.content.decode()
    assert client.get(nation_url("POL")).status_code == 200
    assert client.get(EXPORT).status_code == 400


def test_a_dataset_without_figures_says_so(client, owner):
    empty = return_create(actor=owner, edition_year=2090, price_base_year=2021)
    client.force_login(owner)
    response = client.get(DASHBOARD, {"dataset": empty.pk, "year": 2024})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="dip-no-figures"' in content
    assert empty.title in content
    assert (
        'data-testid="nation-empty"' in client.get(nation_url("POL"), {"dataset": empty.pk}).content.decode()
    )


# --- The per-nation page ---------------------------------------------------------------------


def test_nation_page_shows_every_series_and_every_edition_side_by_side(client, secretariat, nato2026):
    older = synthetic_edition(secretariat, edition_year=2090, codes=["POL"], years=range(2020, 2025))
    client.force_login(secretariat)
    response = client.get(nation_url("POL"))
    assert response.status_code == 200
    content = response.content.decode()
    latest = DipMetric.objects.filter(dataset=nato2026, subject="POL").order_by("-year").first()
    series = content[content.index('data-testid="nation-series"') :]
    row = series[series.index(f'<tr data-year="{latest.year}"') :]
    row = row[: row.index("</tr>")]
    for value in (latest.pct_gdp, latest.hague_core_pct, latest.path_pct):
        assert shown(value) in row
    assert "(e)" in row
    # Both editions, each in its own column, with their own figures for 2024.
    sources = response.context["detail"].sources
    assert [s.dataset.pk for s in sources] == [nato2026.pk, older.pk]
    comparison = content[content.index('data-testid="nation-comparison"') :]
    assert older.title in comparison
    assert nato2026.title in comparison
    assert shown(metric(older, "POL", 2024).pct_gdp) in comparison
    assert shown(metric(nato2026, "POL", 2024).pct_gdp) in comparison
    assert 'data-chart="dip-path"' in content
    # The path is drawn on to 2035 from the latest actual year, with the metrics' own rule.
    chart = response.context["detail"].chart
    assert chart["years"][-1] == 2035
    path = dict(zip(chart["years"], chart["series"][1]["values"], strict=True))
    base = latest.path_base_year
    core = metric(nato2026, "POL", base).hague_core_pct
    assert path[2030] == float(dip.published_round(dip.path_value(base, core, 2030)))


# --- Exports ---------------------------------------------------------------------------------


def test_csv_has_one_row_per_subject_year_of_the_selection(client, secretariat, nato2026):
    client.force_login(secretariat)
    # The stable machine names head the columns with ?header=names (the labels are tested below).
    response = client.get(EXPORT, {"format": "csv", "year_from": 2023, "year_to": 2024, "header": "names"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    # The shipped edition: 31 Allies and the two aggregates, each for 2023 and 2024.
    assert len(rows) == (31 + 2) * 2
    assert {(r["nation_code"], r["year"]) for r in rows} >= {("NATO", "2023"), ("NATO_EU_CA", "2024")}
    poland = next(r for r in rows if r["nation_code"] == "POL" and r["year"] == "2024")
    # The figure is NATO's Table 3 (3.75); recomputed, 100 x 28,155 / 751,117 (constant 2021 USD,
    # Tables 2 and 5) = 3.74841...; Table 8a: 42.9.
    assert Decimal(poland["pct_gdp"]) == Decimal("3.75")
    assert Decimal(poland["published_pct_gdp"]) == Decimal("3.75")
    assert Decimal(poland["computed_pct_gdp"]) == Decimal("3.7484")
    assert poland["reconcile"] == "False"
    assert Decimal(poland["equipment_pct"]) == Decimal("42.9")
    assert poland["dataset"] == nato2026.title
    assert poland["price_base_year"] == "2021"
    assert (poland["meets_2pct"], poland["meets_20pct"]) == ("True", "True")
    assert poland["nation_name"] == "Poland"
    assert poland["estimate"] == "False"
    # Czechia 2024: Table 3 1.99 (100 x 6,017 / 303,075 = 1.98532...), below 2%; 39.7 on equipment.
    czechia = next(r for r in rows if r["nation_code"] == "CZE" and r["year"] == "2024")
    assert Decimal(czechia["pct_gdp"]) == Decimal("1.99")
    assert Decimal(czechia["computed_pct_gdp"]) == Decimal("1.9853")
    assert (czechia["meets_2pct"], czechia["meets_20pct"]) == ("False", "True")
    germany = next(r for r in rows if r["nation_code"] == "DEU" and r["year"] == "2024")
    assert germany["meets_2pct"] == "True"  # Table 3: 2.00 (100 x 87,583 / 4,378,673 = 2.00022...)
    # The Netherlands 2024: Table 3 2.02; at constant prices 100 x 22,439 / 1,112,830 = 2.01639...
    # (the nominal ratio would be 1.80); 19.82 on equipment misses 20%.
    netherlands = next(r for r in rows if r["nation_code"] == "NLD" and r["year"] == "2024")
    assert Decimal(netherlands["pct_gdp"]) == Decimal("2.02")
    assert Decimal(netherlands["computed_pct_gdp"]) == Decimal("2.0164")
    assert (netherlands["meets_2pct"], netherlands["meets_20pct"]) == ("True", "False")
    assert set(rows[0]) == {
        "dataset", "edition_year", "price_base_year", "nation_code", "nation_name", "year", "estimate",
        "pct_gdp", "equipment_pct", "real_change_pct", "meets_2pct", "meets_20pct", "hague_core_pct",
        "hague_gap_pct", "path_pct", "on_track", "stale", "computed_at", "published_pct_gdp",
        "computed_pct_gdp", "published_equipment_pct", "computed_equipment_pct", "reconcile",
    }  # fmt: skip


def test_xlsx_opens_and_escapes_formulas(client, secretariat):
    outcome = nato_edition_import(
        actor=secretariat,
        edition_year=2090,
        price_base_year=2021,
        rows=synthetic_rows(["POL"], range(2022, 2024)),
        title='=HYPERLINK("http://evil.invalid","x")',
    )
    with transaction.atomic():
        dip_recompute(dataset_id=outcome.dataset.pk)
    client.force_login(secretariat)
    response = client.get(EXPORT, {"format": "xlsx", "dataset": outcome.dataset.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dataset"
    # A text cell, exactly as the title was typed: no apostrophe, and not a formula.
    assert rows[1][0] == '=HYPERLINK("http://evil.invalid","x")'
    assert sheet["A2"].data_type == "s"
    assert len(rows) == 1 + DipMetric.objects.filter(dataset=outcome.dataset).count()


def test_pdf_report(client, secretariat, nato2026):
    client.force_login(secretariat)
    response = client.get(EXPORT, {"format": "pdf", "year_from": 2022})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_bad_export_requests_are_400(client, secretariat, nato2026):
    client.force_login(secretariat)
    assert client.get(EXPORT, {"format": "doc"}).status_code == 400
    assert client.get(EXPORT, {"format": "csv", "year_from": "abc"}).status_code == 400


# --- Query counts ----------------------------------------------------------------------------

SMALL = {"codes": ["POL", "FRA", "DEU"], "years": range(2020, 2025)}


@pytest.mark.parametrize("size", ["small", "large"])
def test_dashboard_query_count_does_not_grow_with_data(client, secretariat, django_assert_num_queries, size):
    synthetic_edition(secretariat, edition_year=2090, **SMALL)
    if size == "large":
        import_nato_2026(secretariat)
        synthetic_edition(secretariat, edition_year=2089, codes=["POL", "USA"], years=range(2000, 2025))
    chosen = DipMetric.objects.first().dataset_id
    client.force_login(secretariat)
    # Session, user, readable datasets, the default dataset, the selection's metrics.
    with django_assert_num_queries(5):
        assert client.get(DASHBOARD).status_code == 200
    with django_assert_num_queries(4):
        assert client.get(DASHBOARD, {"dataset": chosen}).status_code == 200


@pytest.mark.parametrize("size", ["small", "large"])
def test_director_dashboard_query_count_does_not_grow_with_data(
    client, secretariat, owner, django_assert_num_queries, size
):
    synthetic_edition(secretariat, edition_year=2090, **SMALL)
    if size == "large":
        import_nato_2026(secretariat)
        return_create(actor=owner, edition_year=2089, price_base_year=2021)
    client.force_login(owner)
    # As the secretariat's, plus the director's nation for the user menu.
    with django_assert_num_queries(6):
        assert client.get(DASHBOARD).status_code == 200


@pytest.mark.parametrize("size", ["small", "large"])
def test_nation_page_query_count_does_not_grow_with_data(
    client, secretariat, django_assert_num_queries, size
):
    synthetic_edition(secretariat, edition_year=2090, **SMALL)
    if size == "large":
        import_nato_2026(secretariat)
        synthetic_edition(secretariat, edition_year=2089, codes=["POL"], years=range(2000, 2025))
    client.force_login(secretariat)
    # Session, user, the nation, readable datasets, the default dataset, the nation's metrics.
    with django_assert_num_queries(6):
        assert client.get(nation_url("POL")).status_code == 200


@pytest.mark.parametrize("size", ["small", "large"])
def test_export_query_count_does_not_grow_with_data(client, secretariat, django_assert_num_queries, size):
    synthetic_edition(secretariat, edition_year=2090, **SMALL)
    if size == "large":
        import_nato_2026(secretariat)
    client.force_login(secretariat)
    with django_assert_num_queries(5):
        assert client.get(EXPORT, {"format": "csv"}).status_code == 200
