"""The supply-chain risk register: the list (by item, framework, type; export) with its 5 x 5
likelihood x impact heat map, drawn by Chart.js from ``json_script`` data with the same counts in a
table beside it. Both read the same filtered, scoped rows, so no count reveals a hidden risk."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from boards import filtersets, selectors, tables
from boards.choices import RiskType
from boards.models import Risk
from portal.web import list_page


def _heat(rows) -> dict:
    heat = selectors.heat_map_of(rows)
    return {
        "heat": heat,
        "heat_points": heat.points(),
        "hostile": rows.filter(risk_type=RiskType.HOSTILE_INFLUENCE).count(),
        "hostile_type": RiskType.HOSTILE_INFLUENCE.value,
    }


@require_GET
def risk_list(request):
    return list_page(
        request,
        model=Risk,
        queryset=selectors.risk_list(user=request.user),
        filterset_class=filtersets.RiskFilterSet,
        table_class=tables.RiskTable,
        title=_("Supply-chain risks"),
        export_stem="supply-chain-risks",
        template="boards/risk_list.html",
        extra_context=_heat,
    )
