"""A framework's burn-down: its ceiling against what each nation committed and what was
delivered, over time."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext

from portal import aggregates
from procurement.models import (
    CallOff,
    CallOffLine,
    FrameworkContract,
)
from procurement.money import money

# --- Framework burn-down ------------------------------------------------------------------------


def framework_burndown(*, framework: FrameworkContract, user=None) -> dict:
    """Committed value against the ceiling, per nation, for the framework page's chart.

    ``share_pct`` is a nation's committed value as a percentage of the ceiling. With ``user`` given,
    the nations whose call-offs the user may not read (for a director, every other nation) are summed
    into one "Other nations" slice, shown only when it holds at least ``AGGREGATE_MIN_NATIONS``
    nations. Else it is withheld, and so are the framework's committed and remaining value: either,
    less the reader's own slice, gives it back. The lines' ordered quantities are withheld, all of
    them, when any line has orders from too few such nations: with the committed value shown, the
    lines shown would give the others back.
    One query (call-off lines grouped by nation and framework line); the totals come from the row.
    """
    reader = aggregates.EXEMPT if user is None else aggregates.audience(user, CallOff, CallOffLine)
    ceiling = framework.ceiling_value
    slices: dict[int, dict] = {}
    line_nations: dict[int, set[int]] = defaultdict(set)
    for entry in (
        CallOffLine.objects.filter(call_off__framework=framework)
        .values(
            "framework_line_id",
            nation=F("call_off__nation_id"),
            code=F("call_off__nation__code"),
            name=F("call_off__nation__name"),
        )
        .annotate(committed=Sum("value"))
        .order_by()
    ):
        part = slices.setdefault(
            entry["nation"],
            {
                "nation": entry["nation"],
                "code": entry["code"],
                "name": entry["name"],
                "committed": Decimal("0"),
            },
        )
        part["committed"] += entry["committed"] or Decimal("0")
        line_nations[entry["framework_line_id"]].add(entry["nation"])

    def share(value: Decimal) -> float:
        return round(float(value / ceiling * 100), 2) if ceiling else 0.0

    split = aggregates.partition(
        sorted(slices.values(), key=lambda part: (-part["committed"], part["name"])),
        nations=lambda part: {part["nation"]},
        audience=reader,
        merge=True,
    )
    nations = []
    for part in split.shown:
        # SQLite's SUM drops trailing zeros; cents as on the framework row, whatever the database.
        value = money(part["committed"])
        nations.append(
            {"code": part["code"], "name": part["name"], "committed": value, "share_pct": share(value)}
        )
    if split.merged:
        others = money(sum((part["committed"] for part in split.merged), Decimal("0")))
        nations.append(
            {"code": "", "name": gettext("Other nations"), "committed": others, "share_pct": share(others)}
        )
    committed = framework.committed_value
    return {
        "chart_id": f"burndown-{framework.pk}",
        "currency": framework.currency,
        "ceiling": ceiling,
        "committed": committed if split.complete else None,
        "remaining": ceiling - committed if split.complete else None,
        "nations": nations,
        "others_withheld": not split.complete,
        "ordered_withheld": any(reader.hides(ordering) for ordering in line_nations.values()),
        "minimum": aggregates.minimum(),
    }
