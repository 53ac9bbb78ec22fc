"""Procurement analytics, one module per figure: aggregated demand and its drill-down, delivery
performance, a framework's burn-down; ``common`` holds the SQL helpers and the cache."""

# A test that patches a helper patches the module that looks it up (``analytics.performance``).

from procurement.analytics.burndown import framework_burndown
from procurement.analytics.common import percentile_cont, sql_has_percentile
from procurement.analytics.demand import DemandRow, NationDemandRow, aggregated_demand, demand_drilldown
from procurement.analytics.performance import (
    BacklogRow,
    DeliveryPerformance,
    LeadTimePoint,
    PerformanceRow,
    delivery_performance,
    frameworks_named,
)
from procurement.rules import may_drill_down, may_read_alliance_aggregates

__all__ = [
    "BacklogRow",
    "DeliveryPerformance",
    "DemandRow",
    "LeadTimePoint",
    "NationDemandRow",
    "PerformanceRow",
    "aggregated_demand",
    "delivery_performance",
    "demand_drilldown",
    "framework_burndown",
    "frameworks_named",
    "may_drill_down",
    "may_read_alliance_aggregates",
    "percentile_cont",
    "sql_has_percentile",
]
