"""A plan as a printable PDF and as an XLSX workbook.

Both show the version the user may read (``selectors.plan_version_get``) and, within it, only the
parts the user's role may read: NSPA, for one, reads a submitted plan's capacity lines but not its
narratives, investments, measures or review comments.

The PDF is drawn by WeasyPrint from ``templates/pledges/export/plan_pdf.html`` (its style is inline:
that HTML never reaches a browser). WeasyPrint fetches the stylesheets, images and fonts a page
names; here it may fetch only the portal's own static files
(found through the staticfiles finders, as in development), and nothing else: no network, no
``file://``, no ``data:``. The classification banner is on every page, top and bottom, from
``@page`` margin boxes, and nowhere else. The PDF is tagged (PDF/UA-1), in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string

from pledges import selectors
from pledges.choices import Commitment
from pledges.models import (
    CapacityLine,
    Investment,
    Measure,
    NationalPlan,
    PlanSection,
    PlanVersion,
    ReviewComment,
)
from portal.exports import Column, Kind, Sheet, workbook_bytes

# Re-exported: the PDF machinery is the portal's (portal/pdf.py), shared with the boards' minutes.
from portal.pdf import (  # noqa: F401
    DEFAULT_CLASSIFICATION,
    PDF_VARIANT,
    STATIC_ORIGIN,
    ResourceRefused,
    StaticResource,
    fetch_static,
    render_html_pdf,
    weasyprint_url_fetcher,
)
from portal.permissions import VIEW, may

# --- What a plan export shows ------------------------------------------------------------------


@dataclass
class SectionView:
    commitment: int
    title: str
    narrative: str
    comments: list = field(default_factory=list)


@dataclass
class PlanExport:
    plan: NationalPlan
    version: PlanVersion
    classification: str
    sections: list[SectionView]
    general_comments: list
    capacity_lines: list
    investments: list
    measures: list
    shows_narrative: bool


def plan_export(*, user, version: PlanVersion) -> PlanExport:
    """``version`` (already loaded by ``selectors.plan_content_get``) cut to what ``user`` may read."""
    plan = version.plan
    shows_narrative = may(user, PlanSection, VIEW)
    comments = list(version.comments.all()) if may(user, ReviewComment, VIEW) else []
    texts = {section.commitment: section.narrative for section in version.sections.all()}
    sections = [
        SectionView(
            commitment=value,
            title=label,
            narrative=texts.get(value, ""),
            comments=[c for c in comments if c.commitment == value],
        )
        for value, label in Commitment.choices
    ]
    return PlanExport(
        plan=plan,
        version=version,
        classification=(plan.classification or "").strip() or DEFAULT_CLASSIFICATION,
        sections=sections if shows_narrative or comments else [],
        general_comments=[c for c in comments if c.commitment is None],
        capacity_lines=list(version.capacitylines.all()) if may(user, CapacityLine, VIEW) else [],
        investments=list(version.investments.all()) if may(user, Investment, VIEW) else [],
        measures=list(version.measures.all()) if may(user, Measure, VIEW) else [],
        shows_narrative=shows_narrative,
    )


def visible_export(*, user, plan: NationalPlan) -> PlanExport | None:
    """The export of the version ``user`` may read, or None when there is none."""
    version = selectors.plan_version_get(user=user, plan=plan)
    if version is None:
        return None
    return plan_export(user=user, version=selectors.plan_content_get(user=user, version_id=version.pk))


def export_stem(export: PlanExport) -> str:
    return f"plan-{export.plan.nation.code}-{export.plan.cycle.year}-v{export.version.number}"


def render_plan_html(export: PlanExport) -> str:
    return render_to_string("pledges/export/plan_pdf.html", {"export": export})


def render_plan_pdf(export: PlanExport) -> bytes:
    return render_html_pdf(render_plan_html(export))


# --- XLSX ---------------------------------------------------------------------------------------


def _columns(*spec: tuple[str, str, Kind]) -> list[Column]:
    return [Column(name, label, kind) for name, label, kind in spec]


A, INT, YEAR = Kind.AUTO, Kind.INTEGER, Kind.YEAR
PLAN_COLUMNS = _columns(("field", "Field", A), ("value", "Value", A))
SECTION_COLUMNS = _columns(
    ("section", "Section", A), ("commitment", "Commitment", A), ("narrative", "Narrative", A),
    ("review_comments", "Review comments", A),
)  # fmt: skip
CAPACITY_COLUMNS = _columns(
    ("item_code", "Item code", A), ("item", "Item", A), ("site", "Site", A),
    ("baseline_output", "Baseline output", INT), ("baseline_year", "Baseline year", YEAR),
    ("current_output", "Current output", INT), ("target_output", "Target output", INT),
    ("target_year", "Target year", YEAR), ("surge_capacity", "Surge capacity", INT),
    ("lead_time_months", "Lead time (months)", INT), ("section", "Section", A),
    ("illustrative", "Illustrative", Kind.BOOLEAN),
)  # fmt: skip
INVESTMENT_COLUMNS = _columns(
    ("description", "Description", A), ("kind", "Kind", A), ("value", "Value", Kind.MONEY),
    ("currency", "Currency", A), ("year", "Year", YEAR), ("section", "Section", A),
    ("illustrative", "Illustrative", Kind.BOOLEAN),
)  # fmt: skip
MEASURE_COLUMNS = _columns(
    ("title", "Title", A), ("status", "Status", A), ("due_date", "Due date", Kind.DATE),
    ("section", "Section", A), ("illustrative", "Illustrative", Kind.BOOLEAN),
)  # fmt: skip


def render_plan_xlsx(export: PlanExport) -> bytes:
    """A workbook: a summary sheet, the narratives (one row a section), then one sheet per entry
    type; typed, with a bold frozen header and an autofilter on each sheet (``portal.exports``)."""
    plan, version = export.plan, export.version
    sheets = [
        Sheet(
            "Plan",
            PLAN_COLUMNS,
            [
                ("Classification", export.classification),
                ("Nation", plan.nation.name),
                ("Cycle", plan.cycle.year),
                ("Status", plan.get_status_display()),
                ("Version", version.number),
                ("Submitted", version.submitted_at.date() if version.submitted_at else None),
            ],
        )
    ]
    if export.sections:
        sheets.append(
            Sheet(
                "Sections",
                SECTION_COLUMNS,
                [
                    (s.commitment, s.title, s.narrative, "\n".join(c.text for c in s.comments))
                    for s in export.sections
                ],
            )
        )
    sheets.append(
        Sheet(
            "Capacity lines",
            CAPACITY_COLUMNS,
            [
                (e.item.code, e.item.name, e.site, e.baseline_output, e.baseline_year, e.current_output,
                 e.target_output, e.target_year, e.surge_capacity, e.lead_time_months, e.commitment,
                 e.illustrative)
                for e in export.capacity_lines
            ],
        )
    )  # fmt: skip
    sheets.append(
        Sheet(
            "Investments",
            INVESTMENT_COLUMNS,
            [
                (e.description, e.get_kind_display(), e.value, e.currency, e.year, e.commitment,
                 e.illustrative)
                for e in export.investments
            ],
        )
    )  # fmt: skip
    sheets.append(
        Sheet(
            "Measures",
            MEASURE_COLUMNS,
            [
                (e.title, e.get_status_display(), e.due_date, e.commitment, e.illustrative)
                for e in export.measures
            ],
        )
    )
    return workbook_bytes(sheets)
