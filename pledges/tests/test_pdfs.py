"""The PDFs as a reader's tools see them, read with pdfminer.six: the text layer (the banner once per
page edge and nowhere else, money in the reader's language, no page of only a footnote) and the
catalogue (tagged PDF/UA-1, with the document's language and title)."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

import pytest
from django.urls import reverse
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer, LTTextLine
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from pledges import exports, services
from pledges.models import Measure, PlanCycle
from pledges.tests.dip_data import synthetic_edition
from pledges.tests.test_exports import add_lines, export_for

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre
FOOTNOTE = "* illustrative figures (demo data), not a nation's own."


@dataclass
class Line:
    text: str
    y0: float  # from the page's bottom edge, in points
    y1: float


@dataclass
class Page:
    height: float
    lines: list[Line]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def pdf_pages(content: bytes) -> list[Page]:
    pages = []
    for layout in extract_pages(io.BytesIO(content)):
        lines = []
        for box in layout:
            if isinstance(box, LTTextContainer):
                for line in box:
                    if isinstance(line, LTTextLine) and line.get_text().strip():
                        lines.append(Line(line.get_text().strip(), line.y0, line.y1))
        pages.append(Page(layout.height, lines))
    return pages


def catalogue(content: bytes) -> tuple[dict, dict]:
    document = PDFDocument(PDFParser(io.BytesIO(content)))
    return document.catalog, document.info[0]


@pytest.fixture
def plan(owner):
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    services.entry_save(
        actor=owner,
        plan=plan,
        kind="investment",
        fields={"description": "Shell plant", "kind": "new", "value": "300000000.00", "currency": "EUR",
                "year": 2026, "commitment": 3},
    )  # fmt: skip
    return plan


def plan_pdf(client, plan, **headers) -> bytes:
    response = client.get(reverse("pledges:plan-pdf", kwargs={"pk": plan.pk}), **headers)
    assert response.status_code == 200
    return response.content


def assert_banner_once_per_page_edge(pages: list[Page], banner: str) -> None:
    for number, page in enumerate(pages, 1):
        carrying = [line for line in page.lines if banner in line.text]
        # Exactly two lines hold it, each the banner alone: none overlaps the title or a table.
        assert [line.text for line in carrying] == [banner, banner], number
        top, bottom = sorted(carrying, key=lambda line: -line.y0)
        assert top.y0 > page.height - 22 * MM, number  # in the top margin
        assert bottom.y1 < 22 * MM, number  # in the bottom margin
        assert page.text.count(banner) == 2, number


def test_plan_pdf_has_the_banner_once_per_page_edge_and_nowhere_else(client, owner, plan):
    plan.classification = "NATO RESTRICTED"
    plan.save(update_fields=["classification"])
    add_lines(owner, plan, 60)  # several pages
    client.force_login(owner)
    pages = pdf_pages(plan_pdf(client, plan))
    assert len(pages) > 1
    assert_banner_once_per_page_edge(pages, "NATO RESTRICTED")
    assert pages[0].lines[1].text == "Poland: national plan 2026"  # the title, with nothing over it


def test_a_classification_cannot_break_out_of_the_stylesheet(client, owner, plan):
    hostile = 'NATO "SECRET"; } body { display: none } </style><h1>x'
    plan.classification = hostile
    plan.save(update_fields=["classification"])
    client.force_login(owner)
    pages = pdf_pages(plan_pdf(client, plan))
    assert_banner_once_per_page_edge(pages, hostile)
    assert "Poland: national plan 2026" in pages[0].text


def test_dip_report_has_the_banner_once_per_page_edge(client, secretariat):
    codes = ["BEL", "CAN", "CZE", "DEU", "DNK", "ESP", "FRA", "GBR", "ITA", "NLD", "NOR", "POL", "PRT", "USA"]
    synthetic_edition(secretariat, edition_year=2090, codes=codes, years=range(2014, 2025))
    client.force_login(secretariat)
    response = client.get(reverse("pledges:dip-export"), {"format": "pdf", "year_from": 2014})
    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert_banner_once_per_page_edge(pages, exports.DEFAULT_CLASSIFICATION)


def test_money_reads_in_the_readers_language_in_the_pdf_as_on_the_page(client, owner, plan):
    client.force_login(owner)
    english = "\n".join(page.text for page in pdf_pages(plan_pdf(client, plan)))
    assert "300,000,000.00 EUR" in english
    editor = client.get(reverse("pledges:plan-edit", kwargs={"pk": plan.pk})).content.decode()
    assert "300,000,000.00 EUR" in editor

    # Django's fr formats group thousands with a no-break space (U+00A0), kept in the text layer.
    french = "\n".join(page.text for page in pdf_pages(plan_pdf(client, plan, HTTP_ACCEPT_LANGUAGE="fr")))
    assert "300\xa0000\xa0000,00 EUR" in french
    editor = client.get(reverse("pledges:plan-edit", kwargs={"pk": plan.pk}), HTTP_ACCEPT_LANGUAGE="fr")
    assert "300\xa0000\xa0000,00 EUR" in editor.content.decode()


def assert_tagged(content: bytes, *, lang: str, title: str) -> None:
    catalog, info = catalogue(content)
    assert catalog["Lang"] == lang.encode()
    assert resolve1(catalog["MarkInfo"])["Marked"] is True
    assert "StructTreeRoot" in catalog
    assert resolve1(catalog["ViewerPreferences"])["DisplayDocTitle"] is True
    assert decode_text(info["Title"]) == title
    metadata = resolve1(catalog["Metadata"]).get_data()
    assert b"pdfuaid:part>1<" in metadata or b'pdfuaid:part="1"' in metadata


def test_pdfs_are_tagged_pdf_ua_with_language_and_title(client, owner, secretariat, plan):
    client.force_login(owner)
    assert_tagged(plan_pdf(client, plan), lang="en", title="Poland — national plan 2026")
    french = plan_pdf(client, plan, HTTP_ACCEPT_LANGUAGE="fr")
    assert catalogue(french)[0]["Lang"] == b"fr"

    synthetic_edition(secretariat, edition_year=2090, codes=["POL", "FRA", "DEU"], years=range(2020, 2025))
    client.force_login(secretariat)
    report = client.get(reverse("pledges:dip-export"), {"format": "pdf"}).content
    assert_tagged(report, lang="en", title="Defence Investment Pledge: compliance report")


def _footnote_layout(export) -> tuple[float, float, float]:
    """(the footnote's top, its height, the bottom of the page's content area) on the last page."""
    from weasyprint import HTML

    def walk(box):
        yield box
        for child in getattr(box, "children", []):
            yield from walk(child)

    document = HTML(string=exports.render_plan_html(export), url_fetcher=exports.weasyprint_url_fetcher())
    page_box = document.render().pages[-1]._page_box
    footnote = next(
        box
        for box in walk(page_box)
        if getattr(box, "element_tag", None) == "p" and "footnote" in (box.element.get("class") or "")
    )
    return footnote.position_y, footnote.border_height(), page_box.content_box_y() + page_box.height


def test_no_page_holds_only_the_footnote(owner, plan):
    export = export_for(owner, plan)

    def with_measures(count):
        export.measures = [Measure(title="Measure", status="planned", commitment=3) for _ in range(count)]
        return export

    # Where the measures table would end just above the page's bottom, leaving no room for the
    # footnote: found from the layout of one and two rows, then the counts around it are printed.
    top, height, bottom = _footnote_layout(with_measures(1))
    pitch = _footnote_layout(with_measures(2))[0] - top
    filling = 1 + math.ceil((bottom - top - height) / pitch)
    for count in (filling - 1, filling, filling + 1):
        pages = pdf_pages(exports.render_plan_pdf(with_measures(count)))
        assert FOOTNOTE in pages[-1].text
        for number, page in enumerate(pages, 1):
            body = [
                line.text
                for line in page.lines
                if line.text not in (exports.DEFAULT_CLASSIFICATION, f"{number} / {len(pages)}")
            ]
            assert body != [FOOTNOTE], (count, number)
            assert len("".join(body)) > len(FOOTNOTE), (count, number)
