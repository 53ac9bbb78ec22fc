"""Pledges' reads, each scoped by ``restrict``: plans and their versions (``plans``), expenditure
datasets and DIP metrics (``dip``), planned capacity against demand (``capacity``)."""

from pledges.selectors.deadlines import Deadline, deadlines
from pledges.selectors.dip import dataset_default_get, dataset_get, dataset_list, metric_list, record_list
from pledges.selectors.filing import FilingRow, current_cycle, filing_rows, review_queue
from pledges.selectors.plans import (
    PlanDetail,
    cycle_list,
    plan_content_get,
    plan_detail_get,
    plan_list,
    plan_previous_get,
    plan_submitted_list,
    plan_version_get,
    plan_version_list,
)

__all__ = [
    "Deadline",
    "FilingRow",
    "PlanDetail",
    "current_cycle",
    "cycle_list",
    "dataset_default_get",
    "dataset_get",
    "dataset_list",
    "deadlines",
    "filing_rows",
    "metric_list",
    "plan_content_get",
    "plan_detail_get",
    "plan_list",
    "plan_previous_get",
    "plan_submitted_list",
    "plan_version_get",
    "plan_version_list",
    "record_list",
    "review_queue",
]
