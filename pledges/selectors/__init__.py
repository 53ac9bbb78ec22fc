"""Pledges' reads, each scoped by ``restrict``: plans and their versions (``plans``), expenditure
datasets and DIP metrics (``dip``), planned capacity against demand (``capacity``)."""

from pledges.selectors.dip import dataset_get, dataset_list, default_dataset, metric_list, record_list
from pledges.selectors.plans import cycle_list, plan_list, plan_versions, version_content, visible_version

__all__ = [
    "cycle_list",
    "dataset_get",
    "dataset_list",
    "default_dataset",
    "metric_list",
    "plan_list",
    "plan_versions",
    "record_list",
    "version_content",
    "visible_version",
]
