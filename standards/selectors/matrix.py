"""The ratification matrix: one row per edition open to responses, one column per Ally, each cell
that nation's ratification and implementation; with the share ratified and implemented per edition
(over the Allies) and per nation (over every edition the filter matches, not only the page).

The page costs five queries whatever its size and whichever page: the Allies, the count, the page's
editions, their responses, and one GROUP BY for the nations' totals. The export streams the same
rows in chunks of two queries each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.choices import NationKind
from portal.exceptions import Forbidden
from portal.exports import Column, Kind
from portal.models import Nation
from portal.permissions import VIEW, may, restrict
from standards.choices import RATIFIED, RESPONDABLE, Implementation, Ratification
from standards.models import NationalResponse, Standard
from standards.selectors.catalogue import standard_list

MAX_PER_PAGE = 500
EXPORT_CHUNK = 500
SHARE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Mark:
    """One symbol of the legend: what a cell shows for a ratification or an implementation, so
    the matrix never relies on colour alone."""

    field: str  # "ratification" or "implementation"
    value: str
    letter: str
    label: str
    css: str


# The one legend table: the cells, the legend under the matrix and the export all read it. A
# missing response shows as "no response"; "not implemented" has no mark.
LEGEND: tuple[Mark, ...] = (
    Mark("ratification", Ratification.RATIFIED, "R", Ratification.RATIFIED.label, "matrix-ratified"),
    Mark(
        "ratification",
        Ratification.RESERVATIONS,
        "R*",
        Ratification.RESERVATIONS.label,
        "matrix-reservations",
    ),
    Mark(
        "ratification",
        Ratification.WILL_NOT_RATIFY,
        "W",
        Ratification.WILL_NOT_RATIFY.label,
        "matrix-will-not-ratify",
    ),
    Mark(
        "ratification",
        Ratification.NO_RESPONSE,
        "\N{EN DASH}",
        Ratification.NO_RESPONSE.label,
        "matrix-no-response",
    ),
    Mark(
        "implementation",
        Implementation.IMPLEMENTED,
        "I",
        pgettext_lazy("matrix legend", "Implemented"),
        "matrix-implemented",
    ),
    Mark(
        "implementation",
        Implementation.PLANNED,
        "P",
        pgettext_lazy("matrix legend", "Implementation planned"),
        "matrix-planned",
    ),
)
_MARKS = {(mark.field, mark.value): mark for mark in LEGEND}
_NO_RESPONSE = _MARKS["ratification", Ratification.NO_RESPONSE]


def _share(part: int, whole: int) -> Decimal:
    """``part / whole`` as a Decimal in 0..1 to four places (0 when there is nothing to share)."""
    if not whole:
        return Decimal(0).quantize(SHARE_PLACES)
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Cell:
    """One nation's response to one edition, as the matrix shows it. ``ratification`` and
    ``implementation`` are None when the nation recorded nothing."""

    ratification: str | None
    implementation: str | None
    reservations: str
    letter: str  # the ratification's symbol
    css: str
    mark: str = ""  # the implementation's symbol, "" when not implemented
    label: str = ""  # the cell in words, for screen readers and the title

    @property
    def text(self) -> str:
        """The cell's symbols together, as the export writes them: "R*", "R I", "W P"."""
        return f"{self.letter} {self.mark}" if self.mark else self.letter

    @property
    def is_ratified(self) -> bool:
        return self.ratification in RATIFIED

    @property
    def is_implemented(self) -> bool:
        return self.implementation == Implementation.IMPLEMENTED


def _cell(ratification: str | None, implementation: str | None, reservations: str = "") -> Cell:
    """The cell of one response (or of none), its words in the active language."""
    rated = _MARKS.get(("ratification", ratification), _NO_RESPONSE)
    done = _MARKS.get(("implementation", implementation))
    label = str(rated.label)
    if done is not None:
        label = gettext("%(ratification)s; %(implementation)s") % {
            "ratification": label,
            "implementation": done.label,
        }
    return Cell(
        ratification=ratification,
        implementation=implementation,
        reservations=reservations or "",
        letter=rated.letter,
        css=f"{rated.css} {done.css}" if done else rated.css,
        mark=done.letter if done else "",
        label=label,
    )


class _Cells:
    """Makes the cells of one read. A cell without reservations is one of a dozen, so it is made
    once per (ratification, implementation) and shared (cells are frozen); the words are
    translated once per read rather than once per cell, which is most of a large page's time."""

    def __init__(self):
        self._plain: dict[tuple, Cell] = {}

    def __call__(self, ratification: str | None, implementation: str | None, reservations: str = "") -> Cell:
        plain = self._plain.get((ratification, implementation))
        if plain is None:
            plain = self._plain[ratification, implementation] = _cell(ratification, implementation)
        if not reservations:
            return plain
        return dataclasses.replace(plain, reservations=reservations)


@dataclass(frozen=True)
class MatrixRow:
    standard: Standard
    cells: list[Cell]  # aligned with ``Matrix.nations``
    ratified: int
    implemented: int
    ratified_share: Decimal
    implemented_share: Decimal


@dataclass(frozen=True)
class NationTotal:
    """A nation's column total over every edition the filter matches."""

    nation: Nation
    ratified: int
    implemented: int
    ratified_share: Decimal
    implemented_share: Decimal
    responded: int  # editions with a recorded answer other than "no response"


@dataclass(frozen=True)
class Matrix:
    nations: list[Nation]
    page: Page
    rows: list[MatrixRow]
    nation_totals: list[NationTotal]
    standard_count: int

    @property
    def legend(self) -> tuple[Mark, ...]:
        return LEGEND

    @property
    def ratified_share(self) -> Decimal:
        """The Alliance level: ratifications over every cell of the filtered matrix."""
        return _share(sum(t.ratified for t in self.nation_totals), self.standard_count * len(self.nations))

    @property
    def implemented_share(self) -> Decimal:
        return _share(sum(t.implemented for t in self.nation_totals), self.standard_count * len(self.nations))


def _check(user) -> None:
    # A cell tells what a nation ratified: only readers of national responses see the matrix.
    if not may(user, NationalResponse, VIEW):
        raise Forbidden(gettext("You may not read national responses."))


def _allies(user) -> list[Nation]:
    return list(restrict(Nation.objects.filter(kind=NationKind.ALLY), user, VIEW).order_by("code", "pk"))


def _editions(user, domain) -> QuerySet[Standard]:
    # The matrix shows each edition's domain; the edition links standard_list also joins are not
    # shown, and two outer joins per page are not free at 200 rows.
    standards = (
        standard_list(user=user)
        .select_related(None)
        .select_related("domain")
        .filter(status__in=sorted(RESPONDABLE))
    )
    if domain is not None:
        standards = standards.filter(domain=getattr(domain, "pk", domain))
    return standards


def _rows(user, standards: Sequence[Standard], nations: list[Nation]) -> list[MatrixRow]:
    """The rows of ``standards`` (loaded), with their cells, in one query for the responses."""
    found = {}
    make_cell = _Cells()
    if standards and nations:
        # Unordered: the cells are looked up by (edition, Ally) key, so a non-Ally's response is
        # never shown, and the model's ordering (a collated sort of every cell by nation name)
        # would be most of the query's time.
        responses = (
            restrict(NationalResponse.objects.all(), user, VIEW)
            .filter(standard__in=[s.pk for s in standards])
            .order_by()
        )
        found = {
            (standard_id, nation_id): make_cell(ratification, implementation, reservations)
            for standard_id, nation_id, ratification, implementation, reservations in responses.values_list(
                "standard_id", "nation_id", "ratification", "implementation", "reservations"
            )
        }
    rows = []
    for standard in standards:
        cells = [found.get((standard.pk, nation.pk)) or make_cell(None, None) for nation in nations]
        ratified = sum(cell.is_ratified for cell in cells)
        implemented = sum(cell.is_implemented for cell in cells)
        rows.append(
            MatrixRow(
                standard=standard,
                cells=cells,
                ratified=ratified,
                implemented=implemented,
                ratified_share=_share(ratified, len(nations)),
                implemented_share=_share(implemented, len(nations)),
            )
        )
    return rows


def _nation_totals(
    user, standards: QuerySet[Standard], nations: list[Nation], count: int
) -> list[NationTotal]:
    """Each nation's totals over every edition of ``standards``, in one GROUP BY query."""
    grouped = (
        restrict(NationalResponse.objects.all(), user, VIEW)
        # Every nation's group; only the Allies' are read. Filtering on the Allies instead would
        # have the planner read every response by nation before joining the page's editions.
        .filter(standard__in=standards.values("pk"))
        .values("nation_id")
        .annotate(
            ratified=Count("pk", filter=Q(ratification__in=sorted(RATIFIED))),
            implemented=Count("pk", filter=Q(implementation=Implementation.IMPLEMENTED)),
            responded=Count("pk", filter=~Q(ratification=Ratification.NO_RESPONSE)),
        )
        .order_by()
    )
    by_nation = {row["nation_id"]: row for row in grouped} if nations else {}
    totals = []
    for nation in nations:
        row = by_nation.get(nation.pk, {"ratified": 0, "implemented": 0, "responded": 0})
        totals.append(
            NationTotal(
                nation=nation,
                ratified=row["ratified"],
                implemented=row["implemented"],
                ratified_share=_share(row["ratified"], count),
                implemented_share=_share(row["implemented"], count),
                responded=row["responded"],
            )
        )
    return totals


def _per_page(per_page) -> int:
    try:
        return max(1, min(int(per_page), MAX_PER_PAGE))
    except (TypeError, ValueError):
        return 100


def ratification_matrix(*, user, domain=None, page=1, per_page=100) -> Matrix:
    """One page of the matrix (``page`` as the query string gives it: a bad or out-of-range
    value gives the nearest page), ``domain`` a Domain or its id. Raises ``Forbidden`` for a
    reader of no national response (partners)."""
    _check(user)
    nations = _allies(user)
    standards = _editions(user, domain)
    paginator = Paginator(standards, _per_page(per_page))
    current = paginator.get_page(page)
    # Loaded once here, so the page's template iterating it again costs no query.
    current.object_list = list(current.object_list)
    return Matrix(
        nations=nations,
        page=current,
        rows=_rows(user, current.object_list, nations),
        nation_totals=_nation_totals(user, standards, nations, paginator.count),
        standard_count=paginator.count,
    )


def matrix_columns(nations: Sequence[Nation]) -> list[Column]:
    """The export's columns: the edition, one column per Ally (its cell's symbols), the totals."""
    return [
        Column("doc_type", _("Type")),
        Column("number", _("Number")),
        Column("edition", _("Edition")),
        Column("designation", _("Standard")),
        Column("title", _("Title")),
        Column("domain", _("Domain")),
        Column("status", _("Status")),
        *(Column(f"nation_{nation.code.lower()}", nation.code) for nation in nations),
        Column("ratified", _("Ratified (Allies)"), Kind.INTEGER),
        Column("implemented", _("Implemented (Allies)"), Kind.INTEGER),
        Column("ratified_share", _("Share ratified"), Kind.DECIMAL),
        Column("implemented_share", _("Share implemented"), Kind.DECIMAL),
    ]


def _export_rows(user, standards: QuerySet[Standard], nations: list[Nation]) -> Iterator[list]:
    """Every row, read ``EXPORT_CHUNK`` editions at a time: two queries a chunk."""
    offset = 0
    while True:
        chunk = list(standards[offset : offset + EXPORT_CHUNK])
        for row in _rows(user, chunk, nations):
            standard = row.standard
            yield [
                standard.get_doc_type_display(),
                standard.number,
                standard.edition,
                str(standard),
                standard.display_title(),
                standard.domain.display_name(),
                standard.get_status_display(),
                *(cell.text for cell in row.cells),
                row.ratified,
                row.implemented,
                row.ratified_share,
                row.implemented_share,
            ]
        if len(chunk) < EXPORT_CHUNK:
            return
        offset += EXPORT_CHUNK


def matrix_export(*, user, domain=None) -> tuple[list[Column], Iterator[list]]:
    """The whole filtered matrix for ``portal.exports.export_response``: its columns and a
    stream of rows. The permission is checked now, not when the stream is first read."""
    _check(user)
    nations = _allies(user)
    return matrix_columns(nations), _export_rows(user, _editions(user, domain), nations)
