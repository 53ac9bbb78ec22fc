"""Plan downloads: what each reader gets in the PDF and the XLSX, the banner, and the fetcher's fence."""

import datetime as dt
import io
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pledges import exports, services
from pledges.models import PlanCycle, PlanSection
from pledges.services import CommentInput
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(owner):
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    section = PlanSection.objects.get(plan_version=plan.current_version, commitment=3)
    services.section_save(actor=owner, section=section, narrative="Triple 155 mm output.", expected_version=1)
    add_lines(owner, plan, 1, site='=HYPERLINK("http://evil")')
    services.entry_save(
        actor=owner,
        plan=plan,
        kind="investment",
        fields={"description": "+New filling line", "kind": "new", "value": "12500000.50", "currency": "PLN",
                "year": 2026, "commitment": 3},
    )  # fmt: skip
    services.entry_save(
        actor=owner, plan=plan, kind="measure", fields={"title": "@Framework call-off", "commitment": 4}
    )
    return plan


def add_lines(owner, plan, count, site="Mesko"):
    for _ in range(count):
        services.entry_save(
            actor=owner,
            plan=plan,
            kind="capacityline",
            fields={"item": ItemFactory(), "commitment": 3, "site": site, "baseline_output": 30000,
                    "baseline_year": 2023, "current_output": 60000, "target_output": 150000,
                    "target_year": 2027, "surge_capacity": 20000, "lead_time_months": 18},
        )  # fmt: skip


def returned(plan, owner, secretariat):
    """Submitted as version 1, returned with comments, and revised in a new draft version 2."""
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(
        actor=secretariat,
        plan=plan,
        comments=[CommentInput("Give 2028 targets.", commitment=3), CommentInput("Overall: good start.")],
    )
    plan.refresh_from_db()
    section = PlanSection.objects.get(plan_version=plan.current_version, commitment=3)
    services.section_save(actor=owner, section=section, narrative="Unsent revision.", expected_version=1)
    return plan


def export_for(user, plan):
    return exports.visible_export(user=user, plan=plan)


def page_margin_texts(html: str) -> list[tuple[str, str]]:
    """(top, bottom) banner text of every page WeasyPrint lays out."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    def text_of(box) -> str:
        if isinstance(box, boxes.TextBox):
            return box.text
        return "".join(text_of(child) for child in getattr(box, "children", []))

    pages = []
    for page in HTML(string=html, url_fetcher=exports.weasyprint_url_fetcher()).render().pages:
        margins = {
            box.at_keyword: text_of(box) for box in page._page_box.children if hasattr(box, "at_keyword")
        }
        pages.append((margins.get("@top-center", ""), margins.get("@bottom-center", "")))
    return pages


def test_pdf_download_is_a_pdf_with_the_banner_on_every_page(client, owner, plan):
    plan.classification = "NATO RESTRICTED"
    plan.save(update_fields=["classification"])
    add_lines(owner, plan, 60)  # enough for several pages
    client.force_login(owner)
    response = client.get(reverse("pledges:plan-pdf", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "plan-POL-2026-v1.pdf" in response["Content-Disposition"]

    pages = page_margin_texts(exports.render_plan_html(export_for(owner, plan)))
    assert len(pages) > 1
    assert all(page == ("NATO RESTRICTED", "NATO RESTRICTED") for page in pages)


def test_pdf_banner_defaults_to_nato_unclassified_and_shows_the_plan(owner, plan):
    html = exports.render_plan_html(export_for(owner, plan))
    assert page_margin_texts(html)[0] == ("NATO UNCLASSIFIED", "NATO UNCLASSIFIED")
    assert "Triple 155 mm output." in html
    assert "Draft" in html
    # Narratives are text: markup a user typed is escaped, not laid out (or fetched).
    assert "=HYPERLINK(&quot;http://evil&quot;)" in html


def test_secretariat_reads_the_reviewed_version_with_comments_never_the_revision(
    client, owner, secretariat, plan
):
    returned(plan, owner, secretariat)
    secretariat_html = exports.render_plan_html(export_for(secretariat, plan))
    assert "Triple 155 mm output." in secretariat_html
    assert "Unsent revision." not in secretariat_html
    assert "Give 2028 targets." in secretariat_html
    assert "Overall: good start." in secretariat_html
    owner_html = exports.render_plan_html(export_for(owner, plan))
    assert "Unsent revision." in owner_html
    client.force_login(secretariat)
    assert client.get(reverse("pledges:plan-pdf", kwargs={"pk": plan.pk})).status_code == 200


def test_another_nation_and_the_secretariat_cannot_download_a_draft(client, other, secretariat, plan):
    for user in (other, secretariat):
        client.force_login(user)
        for name in ("pledges:plan-pdf", "pledges:plan-xlsx"):
            assert client.get(reverse(name, kwargs={"pk": plan.pk})).status_code == 404


def test_pdf_is_503_with_a_message_when_weasyprint_cannot_load(client, owner, plan, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes ``import weasyprint`` raise ImportError
    client.force_login(owner)
    response = client.get(reverse("pledges:plan-pdf", kwargs={"pk": plan.pk}))
    assert response.status_code == 503
    assert "PDF export is not available" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://example.com/static/css/portal.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        f"{exports.STATIC_ORIGIN}/etc/passwd",
        f"{exports.STATIC_ORIGIN}/static/../../../etc/passwd",
        f"{exports.STATIC_ORIGIN}/static/%2e%2e/%2e%2e/etc/passwd",
        f"{exports.STATIC_ORIGIN}/static//etc/passwd",
        f"{exports.STATIC_ORIGIN}/static/css/no-such-file.css",
    ],
)
def test_url_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(exports.ResourceRefused):
        exports.fetch_static(url)
    with pytest.raises(exports.ResourceRefused):
        exports.weasyprint_url_fetcher().fetch(url)


def test_url_fetcher_serves_a_static_file():
    resource = exports.fetch_static(f"{exports.STATIC_ORIGIN}/static/css/portal.css")
    assert resource.mime_type == "text/css"
    assert b"{" in resource.content


def read_workbook(content: bytes):
    return load_workbook(io.BytesIO(content), read_only=True)


def test_xlsx_has_every_part_and_no_cell_is_a_formula(client, owner, plan):
    client.force_login(owner)
    response = client.get(reverse("pledges:plan-xlsx", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    book = read_workbook(response.content)
    assert book.sheetnames == ["Plan", "Sections", "Capacity lines", "Investments", "Measures"]
    sections = list(book["Sections"].values)
    assert len(sections) == 10
    assert sections[3][:3] == (3, sections[3][1], "Triple 155 mm output.")
    header, line = list(book["Capacity lines"].values)
    assert header[2] == "Site"
    # Text that looks like a formula is a text cell, as typed: no apostrophe, never a formula.
    assert line[2] == '=HYPERLINK("http://evil")'
    assert line[3:10] == (30000, 2023, 60000, 150000, 2027, 20000, 18)
    investment = list(book["Investments"].values)[1]
    assert investment[0] == "+New filling line"
    assert float(investment[2]) == 12500000.5
    assert list(book["Measures"].values)[1][0] == "@Framework call-off"
    # No cell anywhere is stored as a formula.
    formulas = load_workbook(io.BytesIO(response.content))
    assert not [c for ws in formulas for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas["Capacity lines"]["C2"].data_type == "s"


def test_xlsx_cells_are_typed_and_every_sheet_has_a_bold_frozen_filtered_header(client, owner, plan):
    services.plan_submit(actor=owner, plan=plan)
    client.force_login(owner)
    book = load_workbook(io.BytesIO(client.get(reverse("pledges:plan-xlsx", kwargs={"pk": plan.pk})).content))
    for sheet in book:
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    submitted = book["Plan"]["B7"]
    assert submitted.is_date
    assert submitted.value.date() == timezone.now().date()
    lines = book["Capacity lines"]
    assert (lines["D2"].value, lines["D2"].number_format) == (30000, "#,##0")  # baseline output
    assert (lines["E2"].value, lines["E2"].number_format) == (2023, "0")  # baseline year
    assert (lines["L2"].value, lines["L2"].data_type) == (False, "b")  # illustrative
    value = book["Investments"]["C2"]
    assert (value.value, value.number_format) == (12500000.5, "#,##0.00")
    due = book["Measures"]["C2"]
    assert (due.value, due.data_type) == (None, "n")  # no due date: an empty cell


def test_nspa_xlsx_has_only_the_capacity_lines(client, owner, nspa, plan):
    services.plan_submit(actor=owner, plan=plan)
    client.force_login(nspa)
    book = read_workbook(client.get(reverse("pledges:plan-xlsx", kwargs={"pk": plan.pk})).content)
    assert "Sections" not in book.sheetnames
    assert len(list(book["Capacity lines"].values)) == 2
    assert len(list(book["Investments"].values)) == 1  # the header only
    assert len(list(book["Measures"].values)) == 1


def test_xlsx_query_count_does_not_grow_with_the_plan(client, owner, plan):
    client.force_login(owner)
    url = reverse("pledges:plan-xlsx", kwargs={"pk": plan.pk})
    client.get(url)  # warm the session and caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries()
    add_lines(owner, plan, 25)
    assert queries() == small
