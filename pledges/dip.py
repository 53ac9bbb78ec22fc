"""Defence Investment Pledge arithmetic: pure functions from inputs to metric values.

The rules are ``RULES`` below, in the words the dashboard, the PDF report and the returns pages show
them (``pledges.display``); the functions implement them, and the comments say where NATO's own
publication decides a detail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy

from pledges.choices import Aggregate

HUNDRED = Decimal(100)
TWO_PCT, TWENTY_PCT, HAGUE_CORE_PCT = Decimal("2"), Decimal("20"), Decimal("3.5")
HAGUE_YEAR = 2035
FOUR_PLACES, TWO_PLACES = Decimal("0.0001"), Decimal("0.01")
# A recomputation further than this from NATO's two-decimal figure cannot print as that figure.
RECONCILE_TOLERANCE = Decimal("0.005")
NORTH_AMERICA_OUTSIDE_EUROPE_CANADA = frozenset({"USA"})

# % of GDP is a constant-price ratio because NATO's Table 3 is one: the nominal ratio does not
# reproduce it for every Ally. Where a dataset has no separate core figure, its defence expenditure
# is the core figure (NATO's 2026 edition reports core defence expenditure).
RULES = [
    gettext_lazy(
        "Published figures first: where the dataset is a NATO edition that publishes a ratio (% of GDP, "
        "Table 3; the equipment share, Table 8a; NATO's aggregates), the figure shown, exported and "
        "served by the API is NATO's published figure, and the meets 2% / meets 20% marks use it. "
        "National returns and ratios NATO does not publish show the figure computed from the inputs."
    ),
    gettext_lazy(
        "Reconciliation: the figure computed from the inputs is kept beside NATO's. NATO publishes its "
        "inputs rounded to whole millions, so the two can differ; a figure where they differ by more "
        "than 0.005 points, or print differently at two decimals, is marked ≠ and listed with both "
        "values."
    ),
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
        "Hague core: core defence expenditure as % of GDP (where a dataset has no separate core figure, "
        "the % of GDP figure, published first); the gap is how far it is below 3.5% (zero once reached)."
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
]


@dataclass(frozen=True)
class YearInputs:
    """The inputs of one nation-year that the metrics use."""

    subject: str
    year: int
    is_estimate: bool
    def_constant: Decimal | None
    gdp_constant: Decimal | None
    equipment_pct: Decimal | None = None
    core_constant: Decimal | None = None
    related_constant: Decimal | None = None
    nation_id: int | None = None
    accession_year: int | None = None
    # What NATO published for this subject-year, where the dataset publishes it (else None).
    published_pct_gdp: Decimal | None = None
    published_equipment_pct: Decimal | None = None


@dataclass
class MetricValues:
    """The computed figures of one subject-year (the ``DipMetric`` fields)."""

    subject: str
    year: int
    nation_id: int | None
    is_estimate: bool
    nations_count: int = 1
    pct_gdp: Decimal | None = None
    equipment_pct: Decimal | None = None
    computed_pct_gdp: Decimal | None = None
    published_pct_gdp: Decimal | None = None
    computed_equipment_pct: Decimal | None = None
    published_equipment_pct: Decimal | None = None
    reconcile: bool = False
    real_change_pct: Decimal | None = None
    meets_2pct: bool | None = None
    meets_20pct: bool | None = None
    hague_core_pct: Decimal | None = None
    hague_gap_pct: Decimal | None = None
    hague_related_pct: Decimal | None = None
    path_base_year: int | None = None
    path_pct: Decimal | None = None
    on_track: bool | None = None
    _def_constant: Decimal | None = field(default=None, repr=False)


def q4(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(FOUR_PLACES, rounding=ROUND_HALF_EVEN)


def published_round(value: Decimal) -> Decimal:
    """Two decimals, half up: how NATO prints its tables."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def published_first(published: Decimal | None, computed: Decimal | None) -> Decimal | None:
    """The figure: NATO's published one where there is one, else the one computed from the inputs."""
    return published if published is not None else computed


def disagrees(published: Decimal | None, computed: Decimal | None) -> bool:
    """Whether a published figure and its recomputation go into the reconciliation: more than
    ``RECONCILE_TOLERANCE`` apart, or printed differently at two decimals."""
    if published is None or computed is None:
        return False
    return abs(published - computed) > RECONCILE_TOLERANCE or published_round(published) != published_round(
        computed
    )


def difference(published: Decimal | None, computed: Decimal | None) -> Decimal | None:
    """Published less computed, where it exceeds ``RECONCILE_TOLERANCE`` (else None: within rounding)."""
    if published is None or computed is None or abs(published - computed) <= RECONCILE_TOLERANCE:
        return None
    return published - computed


def _ratio(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return HUNDRED * part / whole


def path_value(base_year: int, base_pct: Decimal, year: int) -> Decimal:
    """The 2035 path's value for ``year``: linear from (base_year, base_pct) to (2035, 3.5%)."""
    if base_pct >= HAGUE_CORE_PCT or year >= HAGUE_YEAR or base_year >= HAGUE_YEAR:
        return HAGUE_CORE_PCT
    return base_pct + (HAGUE_CORE_PCT - base_pct) * Decimal(year - base_year) / Decimal(
        HAGUE_YEAR - base_year
    )


def series_metrics(
    inputs: Sequence[YearInputs], *, nations_count: dict[int, int] | None = None
) -> list[MetricValues]:
    """Metrics for one subject's years (any order in, year order out)."""
    ordered = sorted(inputs, key=lambda i: i.year)
    out: list[MetricValues] = []
    for item in ordered:
        m = MetricValues(
            subject=item.subject,
            year=item.year,
            nation_id=item.nation_id,
            is_estimate=item.is_estimate,
            nations_count=(nations_count or {}).get(item.year, 1),
            _def_constant=item.def_constant,
        )
        m.computed_pct_gdp = _ratio(item.def_constant, item.gdp_constant)
        m.computed_equipment_pct = item.equipment_pct
        m.published_pct_gdp = item.published_pct_gdp
        m.published_equipment_pct = item.published_equipment_pct
        m.pct_gdp = published_first(m.published_pct_gdp, m.computed_pct_gdp)
        m.equipment_pct = published_first(m.published_equipment_pct, m.computed_equipment_pct)
        # Without a separate core figure, core defence is defence expenditure: its % of GDP is the
        # figure above (NATO's 2026 Table 3 is core defence), published first like it.
        if item.core_constant is None:
            m.hague_core_pct = m.pct_gdp
        else:
            m.hague_core_pct = _ratio(item.core_constant, item.gdp_constant)
        m.hague_related_pct = _ratio(item.related_constant, item.gdp_constant)
        if m.pct_gdp is not None:
            m.meets_2pct = published_round(m.pct_gdp) >= TWO_PCT
        if m.equipment_pct is not None:
            m.meets_20pct = published_round(m.equipment_pct) >= TWENTY_PCT
        if m.hague_core_pct is not None:
            m.hague_gap_pct = max(Decimal(0), HAGUE_CORE_PCT - m.hague_core_pct)
        out.append(m)

    by_year = {m.year: m for m in out}
    for m in out:
        previous = by_year.get(m.year - 1)
        if previous is not None and previous._def_constant and m._def_constant is not None:
            m.real_change_pct = HUNDRED * (m._def_constant / previous._def_constant - 1)

    actual = [m for m in out if not m.is_estimate and m.hague_core_pct is not None]
    if actual:
        base = actual[-1]
        for m in out:
            if m.year <= base.year:
                continue
            m.path_base_year = base.year
            m.path_pct = path_value(base.year, base.hague_core_pct, m.year)
            if m.hague_core_pct is not None:
                m.on_track = published_round(m.hague_core_pct) >= published_round(m.path_pct)

    for m in out:
        for name in (
            "pct_gdp",
            "equipment_pct",
            "computed_pct_gdp",
            "published_pct_gdp",
            "computed_equipment_pct",
            "published_equipment_pct",
            "real_change_pct",
            "hague_core_pct",
            "hague_gap_pct",
            "hague_related_pct",
            "path_pct",
        ):
            setattr(m, name, q4(getattr(m, name)))
        # On the stored four decimals, so the reconciliation lists what a reader can check.
        m.reconcile = disagrees(m.published_pct_gdp, m.computed_pct_gdp) or disagrees(
            m.published_equipment_pct, m.computed_equipment_pct
        )
    return out


def aggregate_members(code: str, iso: str, accession_year: int | None, year: int) -> bool:
    """Whether nation ``iso`` counts in aggregate ``code`` for ``year`` (Allies that had joined)."""
    if accession_year is None or accession_year > year:
        return False
    if code == Aggregate.NATO_EUROPE_CANADA:
        return iso not in NORTH_AMERICA_OUTSIDE_EUROPE_CANADA
    return True


def aggregate_inputs(
    code: str, nation_inputs: Iterable[YearInputs]
) -> tuple[list[YearInputs], dict[int, int]]:
    """Sum member nations' inputs per year into one aggregate series (and count the members)."""
    sums: dict[int, dict] = defaultdict(
        lambda: {
            "def": Decimal(0),
            "gdp": Decimal(0),
            "eq_weighted": Decimal(0),
            "eq_def": Decimal(0),
            "core": Decimal(0),
            "core_known": False,
            "related": Decimal(0),
            "related_known": True,
            "estimate": False,
            "n": 0,
        }
    )
    for item in nation_inputs:
        if item.def_constant is None or not item.gdp_constant:
            continue
        if not aggregate_members(code, item.subject, item.accession_year, item.year):
            continue
        s = sums[item.year]
        s["def"] += item.def_constant
        s["gdp"] += item.gdp_constant
        if item.equipment_pct is not None:
            s["eq_weighted"] += item.equipment_pct * item.def_constant
            s["eq_def"] += item.def_constant
        s["core"] += item.core_constant if item.core_constant is not None else item.def_constant
        s["core_known"] = s["core_known"] or item.core_constant is not None
        if item.related_constant is None:
            s["related_known"] = False
        else:
            s["related"] += item.related_constant
        s["estimate"] = s["estimate"] or item.is_estimate
        s["n"] += 1
    series = [
        YearInputs(
            subject=code,
            year=year,
            is_estimate=s["estimate"],
            def_constant=s["def"],
            gdp_constant=s["gdp"],
            equipment_pct=(s["eq_weighted"] / s["eq_def"]) if s["eq_def"] else None,
            # No member with a separate core figure: the aggregate has none either (its core % is
            # then its % of GDP figure, NATO's published one where there is one).
            core_constant=s["core"] if s["core_known"] else None,
            related_constant=s["related"] if s["related_known"] else None,
        )
        for year, s in sums.items()
    ]
    return series, {year: s["n"] for year, s in sums.items()}


PublishedRatios = Mapping[tuple[str, int], tuple[Decimal | None, Decimal | None]]


def dataset_metrics(
    nation_inputs: Sequence[YearInputs],
    *,
    with_aggregates: bool,
    published_aggregates: PublishedRatios | None = None,
) -> list[MetricValues]:
    """Every subject's metrics for one dataset: each nation's series, then the aggregates.

    ``published_aggregates`` maps (aggregate code, year) to NATO's published (% of GDP, equipment
    share) of that aggregate, where the edition publishes them."""
    published = published_aggregates or {}
    by_subject: dict[str, list[YearInputs]] = defaultdict(list)
    for item in nation_inputs:
        by_subject[item.subject].append(item)
    out: list[MetricValues] = []
    for subject in sorted(by_subject):
        out.extend(series_metrics(by_subject[subject]))
    if with_aggregates:
        for code in Aggregate.values:
            series, counts = aggregate_inputs(code, nation_inputs)
            for index, item in enumerate(series):
                pct, equipment = published.get((code, item.year), (None, None))
                series[index] = replace(item, published_pct_gdp=pct, published_equipment_pct=equipment)
            out.extend(series_metrics(series, nations_count=counts))
    return out
