"""Reads of the supply-chain risk register. Every count and the heat map start from the same
scoped queryset as the list, so no number reveals a risk its reader may not see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from boards.models import Risk
from portal.permissions import VIEW, restrict, restricted_prefetch
from procurement.models import FrameworkContract, Item

SCALE = range(1, 6)


def risk_list(
    *,
    user,
    item=None,
    framework=None,
    risk_type: str | None = None,
    status: str | None = None,
    body=None,
) -> QuerySet[Risk]:
    rows = restrict(Risk.objects.all(), user, VIEW).select_related("body", "item", "owner")
    if item is not None:
        rows = rows.filter(item=item)
    if framework is not None:
        rows = rows.filter(frameworks=framework)
    if risk_type:
        rows = rows.filter(risk_type=risk_type)
    if status:
        rows = rows.filter(status=status)
    if body is not None:
        rows = rows.filter(body=body)
    return rows.order_by("-score", "title", "pk")


def risk_detail(*, user, **filters) -> QuerySet[Risk]:
    """``risk_list`` with each risk's dependent frameworks and items, as far as the user may see
    them (the API shows their ids)."""
    return risk_list(user=user, **filters).prefetch_related(
        restricted_prefetch("frameworks", FrameworkContract.objects.order_by("pk"), user),
        restricted_prefetch("dependent_items", Item.objects.order_by("pk"), user),
    )


@dataclass(frozen=True)
class HeatMap:
    """Counts of risks by likelihood (rows, 5 at the top) and impact (columns, 1 to 5)."""

    cells: dict[tuple[int, int], int]

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    def rows(self) -> list[tuple[int, list[tuple[int, int]]]]:
        """``[(likelihood, [(impact, count), ...]), ...]``, likelihood 5 first, for a table."""
        return [(lk, [(im, self.cells.get((lk, im), 0)) for im in SCALE]) for lk in reversed(SCALE)]

    def points(self) -> list[dict]:
        """The non-empty cells, for the chart's data (sent through ``json_script``)."""
        return [
            {"likelihood": lk, "impact": im, "count": n} for (lk, im), n in sorted(self.cells.items()) if n
        ]


def heat_map_of(rows: QuerySet[Risk]) -> HeatMap:
    """The 5 x 5 likelihood x impact counts of ``rows`` (a scoped ``risk_list``, maybe filtered),
    in one query."""
    counts = rows.order_by().values("likelihood", "impact").annotate(n=Count("pk", distinct=True))
    return HeatMap({(row["likelihood"], row["impact"]): row["n"] for row in counts})


def risk_heat_map(*, user, **filters) -> HeatMap:
    """The heat map of ``risk_list(user=user, **filters)``."""
    return heat_map_of(risk_list(user=user, **filters))
