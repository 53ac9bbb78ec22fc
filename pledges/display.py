"""How the CNAD compliance dashboard shows DIP figures: table cells as HTML, chart inputs, the
export table, and the rules as the pages state them (``pledges.dip.RULES`` is their source)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import get_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges import dip
from pledges.models import DipMetric
from pledges.selectors.dashboard import RECONCILED, Dashboard, NationDetail, Row, Selection
from portal.exports import Column, Kind

# The rules as stated on the pages and in the PDF: the arithmetic's own, and how the table marks.
RULES = [
    *dip.RULES,
    gettext_lazy(
        "(e) marks an estimate. “stale” marks a figure whose inputs changed since it was computed: "
        "the recompute is queued."
    ),
    gettext_lazy(
        "≠ marks a figure NATO published whose recomputation from the inputs differs; the "
        "reconciliation below the table lists each one with both values."
    ),
]


def _number(value: Decimal | None) -> float | None:
    """A chart value: two decimals, as a JSON number (never a locale-formatted string)."""
    return None if value is None else float(dip.published_round(value))


class CellRenderer:
    """The table's cells as HTML, built in Python: the table has a cell per nation and year, and
    rendering each through a template include costs more than the rest of the page together.
    Marks are translated once per page. Numbers are rounded as NATO publishes (half up, two
    decimals), with the active language's decimal separator."""

    def __init__(self) -> None:
        def mark(css: str, title: str, text: str, hidden: str) -> str:
            return format_html(
                ' <span class="dip-mark {}" title="{}">{}<span class="visually-hidden">{}</span></span>',
                css,
                title,
                text,
                hidden,
            )

        self.meets_2 = mark("dip-meets", _("Meets 2% of GDP"), "✓", _("meets 2%"))
        self.misses_2 = mark("dip-misses", _("Below 2% of GDP"), "✗", _("below 2%"))
        self.meets_20 = mark("dip-eq-meets", _("Meets 20% on major equipment"), "E✓", _("meets 20%"))
        self.misses_20 = mark("dip-eq-misses", _("Below 20% on major equipment"), "E✗", _("below 20%"))
        self.estimate = format_html(' <abbr class="dip-estimate" title="{}">(e)</abbr>', _("estimate"))
        self.stale = format_html(
            ' <span class="dip-stale" data-testid="stale" title="{}">{}</span>',
            _("Inputs changed: awaiting recompute"),
            _("stale"),
        )
        self.empty = format_html('<td class="num" data-year="{}"><span class="muted">—</span></td>', "")
        self.decimal_separator = escape(get_format("DECIMAL_SEPARATOR"))
        # Few cells carry it (a dozen or two per edition), so its title is formatted per cell.
        self.reconcile_title = _("NATO's published figure; computed from the inputs: %(computed)s")
        self.reconcile_hidden = escape(_("differs from its recomputation"))

    def reconcile(self, m: DipMetric) -> str:
        computed = "; ".join(
            f"{getattr(m, computed_field):.4f}".replace(".", self.decimal_separator)
            for _measure, published_field, computed_field in RECONCILED
            if dip.disagrees(getattr(m, published_field), getattr(m, computed_field))
        )
        return (
            f' <a class="dip-mark dip-reconcile" href="#dip-reconciliation" data-testid="reconcile" '
            f'title="{escape(self.reconcile_title % {"computed": computed})}">≠'
            f'<span class="visually-hidden">{self.reconcile_hidden}</span></a>'
        )

    def __call__(self, m: DipMetric | None) -> str:
        # Only integers, a number formatted here and the escaped marks above go into the HTML, so
        # plain string building is safe, and about four times faster than format_html per cell.
        if m is None:
            return self.empty
        if m.pct_gdp is None:
            return SafeString(f'<td class="num" data-year="{int(m.year)}"><span class="muted">—</span></td>')
        shown = f"{dip.published_round(m.pct_gdp):.2f}".replace(".", self.decimal_separator)
        marks = []
        if m.meets_2pct is not None:
            marks.append(self.meets_2 if m.meets_2pct else self.misses_2)
        if m.meets_20pct is not None:
            marks.append(self.meets_20 if m.meets_20pct else self.misses_20)
        if m.reconcile:
            marks.append(self.reconcile(m))
        if m.is_estimate:
            marks.append(self.estimate)
        if m.stale:
            marks.append(self.stale)
        cell = f'<span class="dip-pct">{shown}</span>{"".join(marks)}'
        return SafeString(f'<td class="num" data-year="{int(m.year)}">{cell}</td>')


def show_dashboard(board: Dashboard) -> Dashboard:
    """Fill in ``board``'s rendered cells and chart inputs; returns it."""
    if board.counters is None:
        return board
    render = CellRenderer()
    for row in [*board.rows, *board.aggregates]:
        row.rendered = [render(m) for m in row.cells]
    board.charts = _charts(board, board.years.index(board.selection.year))
    return board


def show_nation(detail: NationDetail) -> NationDetail:
    """Fill in the per-nation page's path chart; returns ``detail``."""
    years, core, path = _path_chart(detail.series)
    detail.chart = {
        "title": _("%(nation)s: Hague core defence, %% of GDP, against the 2035 path")
        % {"nation": detail.nation.name},
        "years": years,
        "series": [
            {"label": _("Core defence, % of GDP"), "values": core},
            {"label": _("2035 path"), "values": path, "dashed": True},
        ],
        "references": _reference_lines(
            (_("2% guideline"), dip.TWO_PCT), (_("3.5% Hague core target"), dip.HAGUE_CORE_PCT)
        ),
    }
    return detail


def _reference_lines(*pairs: tuple[str, Decimal]) -> list[dict]:
    return [{"label": label, "value": float(value)} for label, value in pairs]


def _ranked(rows: list[Row], index: int, attribute: str) -> list[tuple[Row, Decimal]]:
    values = [(row, getattr(row.cells[index], attribute, None)) for row in rows]
    ranked = [(row, value) for row, value in values if value is not None]
    return sorted(ranked, key=lambda item: (-item[1], item[0].label))


def _charts(board: Dashboard, index: int) -> dict:
    """Chart.js inputs (numbers, never formatted strings), sent to the page through json_script."""
    year = board.selection.year
    ranking = _ranked(board.rows, index, "pct_gdp")
    equipment = _ranked(board.rows, index, "equipment_pct")
    return {
        "trend": {
            "title": _("Defence expenditure, % of GDP"),
            "years": board.years,
            # 31 lines cannot be read at once: the page draws the Alliance lines strong and each
            # Ally faint until the reader highlights it (static/js/dip-charts.js).
            "series": [
                {"label": row.label, "values": [_number(m.pct_gdp if m else None) for m in row.cells]}
                for row in board.rows
            ]
            + [
                {
                    "label": row.label,
                    "values": [_number(m.pct_gdp if m else None) for m in row.cells],
                    "alliance": True,
                }
                for row in board.aggregates
            ],
            "highlight_label": _("Highlight Allies"),
            "references": _reference_lines(
                (_("2% guideline"), dip.TWO_PCT), (_("3.5% Hague core target"), dip.HAGUE_CORE_PCT)
            ),
        },
        "ranking": {
            "title": _("Ranking, %% of GDP, %(year)s") % {"year": year},
            "labels": [row.label for row, _v in ranking],
            "values": [_number(value) for _row, value in ranking],
            "meets": [bool(row.cells[index].meets_2pct) for row, _v in ranking],
            "references": _reference_lines((_("2% guideline"), dip.TWO_PCT)),
        },
        "equipment": {
            "title": _("Major equipment incl. R&D, %% of defence expenditure, %(year)s") % {"year": year},
            "labels": [row.label for row, _v in equipment],
            "values": [_number(value) for _row, value in equipment],
            "meets": [bool(row.cells[index].meets_20pct) for row, _v in equipment],
            "references": _reference_lines((_("20% guideline"), dip.TWENTY_PCT)),
        },
    }


# The export's columns, in ``export_rows``' order: the stable machine names (``?header=names``,
# listed in the README) and the labels the pages use for them.
EXPORT_COLUMNS = [
    Column(name, label, kind)
    for name, label, kind in [
        ("dataset", gettext_lazy("Dataset"), Kind.AUTO),
        ("edition_year", gettext_lazy("Edition"), Kind.YEAR),
        ("price_base_year", gettext_lazy("Price base"), Kind.YEAR),
        ("nation_code", gettext_lazy("Nation code"), Kind.AUTO),
        ("nation_name", gettext_lazy("Nation"), Kind.AUTO),
        ("year", gettext_lazy("Year"), Kind.YEAR),
        ("estimate", gettext_lazy("Estimate"), Kind.BOOLEAN),
        ("pct_gdp", gettext_lazy("% of GDP"), Kind.DECIMAL),
        ("equipment_pct", gettext_lazy("Equipment %"), Kind.DECIMAL),
        ("real_change_pct", gettext_lazy("Real change %"), Kind.DECIMAL),
        ("meets_2pct", gettext_lazy("Meets 2% of GDP"), Kind.BOOLEAN),
        ("meets_20pct", gettext_lazy("Meets 20% on major equipment"), Kind.BOOLEAN),
        ("hague_core_pct", gettext_lazy("Hague core %"), Kind.DECIMAL),
        ("hague_gap_pct", gettext_lazy("Gap to 3.5%"), Kind.DECIMAL),
        ("path_pct", gettext_lazy("2035 path %"), Kind.DECIMAL),
        ("on_track", gettext_lazy("On track"), Kind.BOOLEAN),
        ("stale", gettext_lazy("Awaiting recompute"), Kind.BOOLEAN),
        ("computed_at", gettext_lazy("Computed at"), Kind.DATETIME),
        # The reconciliation: pct_gdp and equipment_pct are NATO's published figures where there
        # are any; beside them, what NATO published and what the inputs give, and whether they differ.
        ("published_pct_gdp", gettext_lazy("Published % of GDP"), Kind.DECIMAL),
        ("computed_pct_gdp", gettext_lazy("Computed % of GDP"), Kind.DECIMAL),
        ("published_equipment_pct", gettext_lazy("Published equipment %"), Kind.DECIMAL),
        ("computed_equipment_pct", gettext_lazy("Computed equipment %"), Kind.DECIMAL),
        ("reconcile", gettext_lazy("To reconcile"), Kind.BOOLEAN),
    ]
]


def export_rows(board: Dashboard):
    """One row per subject-year of the selection: nations, then the aggregates."""
    dataset = board.dataset
    for row in [*board.rows, *board.aggregates]:
        for metric in row.cells:
            if metric is None:
                continue
            yield [
                dataset.title, dataset.edition_year, dataset.price_base_year, row.subject, row.label,
                metric.year, metric.is_estimate, metric.pct_gdp, metric.equipment_pct,
                metric.real_change_pct, metric.meets_2pct, metric.meets_20pct, metric.hague_core_pct,
                metric.hague_gap_pct, metric.path_pct, metric.on_track, metric.stale, metric.computed_at,
                metric.published_pct_gdp, metric.computed_pct_gdp, metric.published_equipment_pct,
                metric.computed_equipment_pct, metric.reconcile,
            ]  # fmt: skip


def export_stem(selection: Selection) -> str:
    dataset = selection.dataset
    return (
        f"dip-{dataset.edition_year}-{dataset.pk}-{selection.year_from}-{selection.year_to}-{selection.group}"
    )


def _path_chart(series: list[DipMetric]) -> tuple[list[int], list, list]:
    """Years, core % and path values for the path chart. The path is drawn on to 2035 from its
    base year (the latest actual year), with ``pledges.dip.path_value``, the rule the metrics use."""
    core = {m.year: m.hague_core_pct for m in series}
    path = {m.year: m.path_pct for m in series}
    base_year = next((m.path_base_year for m in reversed(series) if m.path_base_year), None)
    if base_year is not None and core.get(base_year) is not None:
        path[base_year] = core[base_year]  # the line starts at the latest actual figure
        for year in range(base_year + 1, dip.HAGUE_YEAR + 1):
            path.setdefault(year, dip.path_value(base_year, core[base_year], year))
    years = sorted(set(core) | set(path))
    return years, [_number(core.get(y)) for y in years], [_number(path.get(y)) for y in years]
