"""What the CNAD compliance dashboard reads: one dataset's DIP metrics, filtered to a selection.

Every figure on a page comes from the one selected dataset (editions revise history, so two are
never mixed); the per-nation page shows other editions only side by side, one column each. Reads go
through the DIP selectors and so through ``restrict``. The whole dashboard costs a fixed number of
queries: the readable datasets (with their year span), the default dataset when none is asked for,
and the metrics of the selection in one query (nations joined in). ``pledges.display`` shows them.

Where the dataset is a NATO edition, its figures are NATO's published ones; the reconciliation
lists the figures of the selection whose recomputation from the inputs differs
(``pledges.dip.disagrees``). It is built from the metrics already read, so it is scoped as the
figures are and costs no query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Min
from django.utils.translation import gettext_lazy

from pledges import dip
from pledges.choices import Aggregate
from pledges.models import DipMetric, ExpenditureDataset
from pledges.rules import OPEN_DIP_NATION
from pledges.selectors.dip import dataset_default_get, dataset_list, metric_list
from portal.choices import NationKind
from portal.exceptions import NotFound
from portal.models import Nation
from portal.permissions import allows
from portal.selectors import nation_list

ALL, EUROPE_CANADA, NORTH_AMERICA_GROUP, EU = "all", "europe_canada", "north_america", "eu"
# Allies that are also EU members (2026: 23 of the 32). Hard-coded because membership of the EU is
# not a field of Nation; revise when an Ally joins or leaves the EU.
EU_ALLIES = frozenset({
    "BEL", "BGR", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN", "ITA", "LTU",
    "LUX", "LVA", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "SWE",
})  # fmt: skip
NORTH_AMERICA = frozenset({"USA", "CAN"})


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


AGGREGATE_ORDER = [Aggregate.NATO_EUROPE_CANADA.value, Aggregate.NATO.value]


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


def datasets_for(user) -> list[ExpenditureDataset]:
    """The datasets ``user`` may read, each with ``first_year``/``last_year`` of its records."""
    # Min/Max join the same relation as the selector's record count, so the count stays right.
    return list(
        dataset_list(user=user).annotate(first_year=Min("records__year"), last_year=Max("records__year"))
    )


def pick_dataset(*, user, datasets: list[ExpenditureDataset], raw: str | None) -> ExpenditureDataset | None:
    """The dataset ``raw`` names among ``datasets`` (NotFound if it is not one of them), else the default.

    A dataset the user may not read is the same 404 as one that does not exist.
    """
    raw = (raw or "").strip()
    if raw:
        chosen = next((d for d in datasets if str(d.pk) == raw), None)
        if chosen is None:
            raise NotFound("No such dataset.")
        return chosen
    default = dataset_default_get(user=user)
    if default is None:
        return None
    # The listed copy carries the year span.
    return next((d for d in datasets if d.pk == default.pk), None)


def may_open_nation(user, nation: Nation) -> bool:
    """Whether ``user`` may open ``nation``'s page (a director reads the Alliance view, but only
    their own nation's page). No query: the rows are loaded already."""
    return allows(user, OPEN_DIP_NATION, nation)


@dataclass
class Row:
    """One nation's (or aggregate's) metrics over the selected years; ``cells`` align with years,
    and ``rendered`` holds their table cells as HTML (filled by ``pledges.display``)."""

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


# The published ratios a metric carries: (figure, published field, computed field), and their names.
RECONCILED = (
    ("pct_gdp", "published_pct_gdp", "computed_pct_gdp"),
    ("equipment_pct", "published_equipment_pct", "computed_equipment_pct"),
)
MEASURE_LABELS = {
    "pct_gdp": gettext_lazy("% of GDP"),
    "equipment_pct": gettext_lazy("Major equipment, % of defence expenditure"),
}


@dataclass(frozen=True)
class Discrepancy:
    """One published figure whose recomputation from the inputs differs: ``measure`` is the
    figure's field ("pct_gdp" or "equipment_pct")."""

    subject: str
    label: str
    year: int
    measure: str
    published: Decimal
    computed: Decimal
    is_estimate: bool = False

    @property
    def difference(self) -> Decimal | None:
        """Published less computed, where it exceeds 0.005 points (else within rounding)."""
        return dip.difference(self.published, self.computed)

    @property
    def measure_label(self) -> str:
        return str(MEASURE_LABELS[self.measure])

    @property
    def prints_differently(self) -> bool:
        return dip.published_round(self.published) != dip.published_round(self.computed)


def discrepancies(rows: list[Row]) -> list[Discrepancy]:
    """The reconciliation of ``rows``' cells, in table order (rows, then years, then measures)."""
    out = []
    for row in rows:
        for metric in row.cells:
            if metric is None or not metric.reconcile:
                continue
            for measure, published, computed in RECONCILED:
                values = getattr(metric, published), getattr(metric, computed)
                if dip.disagrees(*values):
                    out.append(
                        Discrepancy(row.subject, row.label, metric.year, measure, *values, metric.is_estimate)
                    )
    return out


@dataclass
class Dashboard:
    selection: Selection
    rows: list[Row] = field(default_factory=list)
    aggregates: list[Row] = field(default_factory=list)
    counters: Counters | None = None
    metrics: list[DipMetric] = field(default_factory=list)
    # Whether any figure of the selection is NATO's published one, and those whose recomputation
    # differs from it.
    publishes: bool = False
    reconciliation: list[Discrepancy] = field(default_factory=list)
    charts: dict = field(default_factory=dict)  # filled by pledges.display

    @property
    def dataset(self) -> ExpenditureDataset | None:
        return self.selection.dataset

    @property
    def years(self) -> list[int]:
        return self.selection.years

    @property
    def any_stale(self) -> bool:
        return any(m.stale for m in self.metrics)


def _aggregate_label(subject: str) -> str:
    return str(dict(Aggregate.choices).get(subject, subject))


def dashboard(*, user, selection: Selection) -> Dashboard:
    """The rows and counters of ``selection`` (one query for the metrics); ``pledges.display``
    renders their cells and charts."""
    board = Dashboard(selection=selection)
    if selection.dataset is None or not selection.years:
        return board
    metrics = list(
        metric_list(user=user).filter(
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
                linked=may_open_nation(user, nation),
            )
        )
    for code in AGGREGATE_ORDER:
        if code in by_subject:
            board.aggregates.append(
                Row(code, _aggregate_label(code), None, [by_subject[code].get(y) for y in years])
            )
    board.counters = _counters(board.rows, years.index(selection.year), selection.year)
    board.publishes = any(
        m.published_pct_gdp is not None or m.published_equipment_pct is not None for m in board.metrics
    )
    board.reconciliation = discrepancies([*board.rows, *board.aggregates])
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
    chart: dict = field(default_factory=dict)  # filled by pledges.display


def nation_get(*, user, code: str) -> Nation:
    """The Ally ``code``, or NotFound: unknown codes and, for a director, every other nation."""
    nation = nation_list(user=user).filter(code=(code or "").upper(), kind=NationKind.ALLY).first()
    if nation is None or not may_open_nation(user, nation):
        raise NotFound("No such nation.")
    return nation


def nation_detail(
    *, user, nation: Nation, dataset: ExpenditureDataset | None, datasets: list[ExpenditureDataset]
) -> NationDetail:
    """Every series of ``nation`` in ``dataset``, and its % of GDP in each readable dataset side by
    side (one query: the nation's metrics in every readable dataset, split here by dataset)."""
    metrics = list(metric_list(user=user).filter(subject=nation.code))
    by_dataset: dict[int, dict[int, DipMetric]] = defaultdict(dict)
    for metric in metrics:
        by_dataset[metric.dataset_id][metric.year] = metric
    sources = [Source(d, by_dataset[d.pk]) for d in datasets if by_dataset.get(d.pk)]
    source_years = sorted({year for s in sources for year in s.by_year})
    comparison = [(year, [s.by_year.get(year) for s in sources]) for year in source_years]
    series = sorted(by_dataset.get(dataset.pk, {}).values(), key=lambda m: m.year) if dataset else []
    return NationDetail(nation, dataset, series, sources, source_years, comparison)
