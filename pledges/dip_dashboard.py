"""What the CNAD compliance dashboard shows: one dataset's DIP metrics, filtered, tabled and charted.

Every figure on a page comes from the one selected dataset (editions revise history, so two are
never mixed); the per-nation page shows other editions only side by side, one column each. Reads go
through ``pledges.selectors_dip`` and so through ``restrict``. The whole dashboard costs a fixed
number of queries: the readable datasets (with their year span), the default dataset when none is
asked for, and the metrics of the selection in one query (nations joined in).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db.models import Max, Min
from django.http import Http404
from django.utils.formats import get_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges import dip, selectors_dip
from pledges.choices import Aggregate
from pledges.models_dip import YEAR_MAX, YEAR_MIN, DipMetric, ExpenditureDataset
from portal.choices import NATION_BOUND_ROLES, NationKind
from portal.models import Nation
from portal.selectors import nation_list

# Allies that are also EU members (2026: 23 of the 32). Hard-coded because membership of the EU is
# not a field of Nation; revise when an Ally joins or leaves the EU.
EU_ALLIES = frozenset({
    "BEL", "BGR", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN", "ITA", "LTU",
    "LUX", "LVA", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "SWE",
})  # fmt: skip
NORTH_AMERICA = frozenset({"USA", "CAN"})

ALL, EUROPE_CANADA, NORTH_AMERICA_GROUP, EU = "all", "europe_canada", "north_america", "eu"
GROUPS = [
    (ALL, gettext_lazy("All Allies")),
    (EUROPE_CANADA, gettext_lazy("NATO Europe and Canada")),
    (NORTH_AMERICA_GROUP, gettext_lazy("North America")),
    (EU, gettext_lazy("EU members among the Allies")),
]


def in_group(group: str, code: str) -> bool:
    """Whether the Ally ``code`` belongs to the nation group ``group``."""
    if group == EUROPE_CANADA:
        # The same membership as the NATO Europe and Canada aggregate that pledges.dip builds.
        return code not in dip.NORTH_AMERICA_OUTSIDE_EUROPE_CANADA
    if group == NORTH_AMERICA_GROUP:
        return code in NORTH_AMERICA
    if group == EU:
        return code in EU_ALLIES
    return True


# The rules as stated on the pages and in the PDF (pledges/dip.py's docstring is the source).
RULES = [
    gettext_lazy(
        "% of GDP is 100 x defence expenditure / GDP, both at constant prices of the dataset's price "
        "base year: NATO's published ratio is a constant-price ratio."
    ),
    gettext_lazy(
        "Meets 2% / meets 20%: the figure rounded to two decimals, as NATO publishes it, is at least "
        "2.00% of GDP / 20.00% of defence expenditure on major equipment including related R&D."
    ),
    gettext_lazy("Real change: the year-on-year change of defence expenditure at constant prices."),
    gettext_lazy(
        "Hague core: core defence expenditure as % of GDP (defence expenditure where a dataset has no "
        "separate core figure); the gap is how far it is below 3.5% (zero once reached)."
    ),
    gettext_lazy(
        "2035 path: a straight line from the core % of the latest actual (non-estimate) year to 3.5% "
        "in 2035. A later year is on track when its core % (rounded to two decimals) is at or above "
        "the line; a nation already at 3.5% must stay there. Actual years are not assessed."
    ),
    gettext_lazy(
        "Aggregates (NATO Europe and Canada, NATO total) sum the constant-price inputs of the Allies "
        "that had joined by that year, then divide; the equipment share is weighted by defence "
        "expenditure. Percentages are never averaged."
    ),
    gettext_lazy(
        "(e) marks an estimate. “stale” marks a figure whose inputs changed since it was computed: "
        "the recompute is queued."
    ),
]
AGGREGATE_ORDER = [Aggregate.NATO_EUROPE_CANADA.value, Aggregate.NATO.value]


def datasets_for(user) -> list[ExpenditureDataset]:
    """The datasets ``user`` may read, each with ``first_year``/``last_year`` of its records."""
    # Min/Max join the same relation as the selector's record count, so the count stays right.
    return list(
        selectors_dip.dataset_list(user=user).annotate(
            first_year=Min("records__year"), last_year=Max("records__year")
        )
    )


def pick_dataset(*, user, datasets: list[ExpenditureDataset], raw: str | None) -> ExpenditureDataset | None:
    """The dataset ``raw`` names among ``datasets`` (404 if it is not one of them), else the default.

    A dataset the user may not read is the same 404 as one that does not exist.
    """
    raw = (raw or "").strip()
    if raw:
        chosen = next((d for d in datasets if str(d.pk) == raw), None)
        if chosen is None:
            raise Http404("No such dataset.")
        return chosen
    default = selectors_dip.default_dataset(user=user)
    if default is None:
        return None
    # The listed copy carries the year span.
    return next((d for d in datasets if d.pk == default.pk), None)


def sees_only_own_nation(user) -> bool:
    return not user.is_superuser and user.role in NATION_BOUND_ROLES


def may_open_nation(user, nation_id: int) -> bool:
    """Directors read the Alliance view, but the detail page of their own nation only."""
    return not sees_only_own_nation(user) or user.nation_id == nation_id


def _number(value: Decimal | None) -> float | None:
    """A chart value: two decimals, as a JSON number (never a locale-formatted string)."""
    return None if value is None else float(dip.published_round(value))


# --- Filters -------------------------------------------------------------------------------------


class DatasetForm(forms.Form):
    """The choice of dataset among those the user may read (an unreadable one is a 404 before the
    form is consulted, so its choices only serve the rendering)."""

    dataset = forms.ChoiceField(label=gettext_lazy("Dataset"), required=False)

    def __init__(self, *args, datasets: list[ExpenditureDataset], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [(str(d.pk), _dataset_label(d)) for d in datasets]


class DashboardFilter(DatasetForm):
    """The dashboard's GET filters. Bad years are field errors, and the page falls back to the
    defaults for them."""

    year_from = forms.IntegerField(
        label=gettext_lazy("From"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    group = forms.ChoiceField(label=gettext_lazy("Nations"), required=False, choices=GROUPS)
    year = forms.IntegerField(
        label=gettext_lazy("Selected year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=gettext_lazy("Counters, ranking and equipment chart."),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("year_from"), data.get("year_to")
        if low is not None and high is not None and low > high:
            self.add_error("year_to", _("The end of the range is before its start."))
            data.pop("year_from", None)
            data.pop("year_to", None)
        year = data.get("year")
        low, high = data.get("year_from"), data.get("year_to")
        if year is not None and ((low is not None and year < low) or (high is not None and year > high)):
            self.add_error("year", _("Choose a year within the range."))
        return data


def _dataset_label(dataset: ExpenditureDataset) -> str:
    label = f"{dataset.title} ({dataset.edition_year}, {dataset.get_status_display()})"
    return f"★ {label}" if dataset.is_reference else label


@dataclass(frozen=True)
class Selection:
    """The filters as applied (defaults filled in for anything missing or invalid)."""

    dataset: ExpenditureDataset | None
    year_from: int | None
    year_to: int | None
    group: str
    year: int | None

    @property
    def years(self) -> list[int]:
        if self.year_from is None or self.year_to is None:
            return []
        return list(range(self.year_from, self.year_to + 1))

    def query(self) -> dict:
        """The selection as query parameters (for the export links)."""
        if self.dataset is None:
            return {}
        values = {
            "dataset": self.dataset.pk,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "group": self.group,
            "year": self.year,
        }
        return {key: value for key, value in values.items() if value is not None}


def selection_from(form: DashboardFilter, dataset: ExpenditureDataset | None) -> Selection:
    """Apply ``form`` (validated) to ``dataset``'s year span; invalid or missing fields take the
    default: the dataset's whole range, every Ally, its latest year in range. A range wider than
    the dataset is cut to it silently; a selected year outside it is a form error."""
    data = form.cleaned_data if form.is_bound else {}
    group = data.get("group") or ALL
    if dataset is None or dataset.first_year is None:
        return Selection(dataset, None, None, group, None)
    first, last = dataset.first_year, dataset.last_year
    low = data.get("year_from") if "year_from" not in form.errors else None
    high = data.get("year_to") if "year_to" not in form.errors else None
    # Years outside the dataset hold nothing: the range is cut to the dataset's span.
    low = min(max(low if low is not None else first, first), last)
    high = max(min(high if high is not None else last, last), first)
    if low > high:
        low, high = first, last
    year = data.get("year") if "year" not in form.errors else None
    if year is not None and not low <= year <= high:
        form.add_error("year", _("This dataset has no figures for %(year)s in the range.") % {"year": year})
        year = None
    if year is None:
        year = high
    return Selection(dataset, low, high, group, year)


# --- The dashboard -------------------------------------------------------------------------------


@dataclass
class Row:
    """One nation's (or aggregate's) metrics over the selected years; ``cells`` align with years,
    and ``rendered`` holds their table cells as HTML (see ``CellRenderer``)."""

    subject: str
    label: str
    nation: Nation | None
    cells: list[DipMetric | None]
    linked: bool = False
    rendered: list[str] = field(default_factory=list)

    @property
    def is_aggregate(self) -> bool:
        return self.nation is None


@dataclass
class Counters:
    year: int
    meets_2pct: int = 0
    with_pct_gdp: int = 0
    meets_20pct: int = 0
    with_equipment: int = 0
    on_track: int = 0
    assessed: int = 0


@dataclass
class Dashboard:
    selection: Selection
    rows: list[Row] = field(default_factory=list)
    aggregates: list[Row] = field(default_factory=list)
    counters: Counters | None = None
    metrics: list[DipMetric] = field(default_factory=list)
    charts: dict = field(default_factory=dict)

    @property
    def dataset(self) -> ExpenditureDataset | None:
        return self.selection.dataset

    @property
    def years(self) -> list[int]:
        return self.selection.years

    @property
    def any_stale(self) -> bool:
        return any(m.stale for m in self.metrics)


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
        if m.is_estimate:
            marks.append(self.estimate)
        if m.stale:
            marks.append(self.stale)
        cell = f'<span class="dip-pct">{shown}</span>{"".join(marks)}'
        return SafeString(f'<td class="num" data-year="{int(m.year)}">{cell}</td>')


def _aggregate_label(subject: str) -> str:
    return str(dict(Aggregate.choices).get(subject, subject))


def dashboard(*, user, selection: Selection) -> Dashboard:
    """The table, counters and chart data of ``selection`` (one query for the metrics)."""
    board = Dashboard(selection=selection)
    if selection.dataset is None or not selection.years:
        return board
    metrics = list(
        selectors_dip.metric_list(user=user).filter(
            dataset=selection.dataset, year__gte=selection.year_from, year__lte=selection.year_to
        )
    )
    by_subject: dict[str, dict[int, DipMetric]] = defaultdict(dict)
    nations: dict[str, Nation] = {}
    for metric in metrics:
        if metric.nation is not None and not in_group(selection.group, metric.subject):
            continue
        by_subject[metric.subject][metric.year] = metric
        if metric.nation is not None:
            nations[metric.subject] = metric.nation
    board.metrics = [m for series in by_subject.values() for m in series.values()]
    years = selection.years
    for code, nation in sorted(nations.items(), key=lambda item: item[1].name):
        board.rows.append(
            Row(
                subject=code,
                label=nation.name,
                nation=nation,
                cells=[by_subject[code].get(y) for y in years],
                linked=may_open_nation(user, nation.pk),
            )
        )
    for code in AGGREGATE_ORDER:
        if code in by_subject:
            board.aggregates.append(
                Row(code, _aggregate_label(code), None, [by_subject[code].get(y) for y in years])
            )
    render = CellRenderer()
    for row in [*board.rows, *board.aggregates]:
        row.rendered = [render(m) for m in row.cells]
    board.counters = _counters(board.rows, years.index(selection.year), selection.year)
    board.charts = _charts(board, years.index(selection.year))
    return board


def _counters(rows: list[Row], index: int, year: int) -> Counters:
    counters = Counters(year=year)
    for row in rows:
        metric = row.cells[index]
        if metric is None:
            continue
        if metric.pct_gdp is not None:
            counters.with_pct_gdp += 1
            counters.meets_2pct += bool(metric.meets_2pct)
        if metric.equipment_pct is not None:
            counters.with_equipment += 1
            counters.meets_20pct += bool(metric.meets_20pct)
        if metric.on_track is not None:
            counters.assessed += 1
            counters.on_track += metric.on_track
    return counters


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
            "series": [
                {"label": row.label, "values": [_number(m.pct_gdp if m else None) for m in row.cells]}
                for row in board.rows
            ],
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


# --- Exports -------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "dataset", "edition_year", "price_base_year", "nation_code", "nation_name", "year", "estimate",
    "pct_gdp", "equipment_pct", "real_change_pct", "meets_2pct", "meets_20pct", "hague_core_pct",
    "hague_gap_pct", "path_pct", "on_track", "stale", "computed_at",
]  # fmt: skip


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
            ]  # fmt: skip


def export_stem(selection: Selection) -> str:
    dataset = selection.dataset
    return (
        f"dip-{dataset.edition_year}-{dataset.pk}-{selection.year_from}-{selection.year_to}-{selection.group}"
    )


# --- The per-nation page -------------------------------------------------------------------------


@dataclass
class Source:
    """A readable dataset with figures for the nation, and its % of GDP by year."""

    dataset: ExpenditureDataset
    by_year: dict[int, DipMetric]


@dataclass
class NationDetail:
    nation: Nation
    dataset: ExpenditureDataset | None
    series: list[DipMetric]
    sources: list[Source]
    source_years: list[int]
    comparison: list[tuple[int, list[DipMetric | None]]]
    chart: dict


def nation_get(*, user, code: str) -> Nation:
    """The Ally ``code``, or 404: unknown codes and, for a director, every other nation."""
    nation = nation_list(user=user).filter(code=(code or "").upper(), kind=NationKind.ALLY).first()
    if nation is None or not may_open_nation(user, nation.pk):
        raise Http404("No such nation.")
    return nation


def nation_detail(
    *, user, nation: Nation, dataset: ExpenditureDataset | None, datasets: list[ExpenditureDataset]
) -> NationDetail:
    """Every series of ``nation`` in ``dataset``, and its % of GDP in each readable dataset side by
    side (one query: the nation's metrics in every readable dataset, split here by dataset)."""
    metrics = list(selectors_dip.metric_list(user=user).filter(subject=nation.code))
    by_dataset: dict[int, dict[int, DipMetric]] = defaultdict(dict)
    for metric in metrics:
        by_dataset[metric.dataset_id][metric.year] = metric
    sources = [Source(d, by_dataset[d.pk]) for d in datasets if by_dataset.get(d.pk)]
    source_years = sorted({year for s in sources for year in s.by_year})
    comparison = [(year, [s.by_year.get(year) for s in sources]) for year in source_years]
    series = sorted(by_dataset.get(dataset.pk, {}).values(), key=lambda m: m.year) if dataset else []
    years, core, path = _path_chart(series)
    chart = {
        "title": _("%(nation)s: Hague core defence, %% of GDP, against the 2035 path")
        % {"nation": nation.name},
        "years": years,
        "series": [
            {"label": _("Core defence, % of GDP"), "values": core},
            {"label": _("2035 path"), "values": path, "dashed": True},
        ],
        "references": _reference_lines(
            (_("2% guideline"), dip.TWO_PCT), (_("3.5% Hague core target"), dip.HAGUE_CORE_PCT)
        ),
    }
    return NationDetail(nation, dataset, series, sources, source_years, comparison, chart)


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
