"""Pledges' models: capacity-pledge plans and their review (``plans``), and defence expenditure
inputs with the DIP metrics computed from them (``dip``). Everything is re-exported here."""

from pledges.models.dip import (
    AMOUNT_FIELDS,
    EDITION_FIELDS,
    INPUT_FIELDS,
    PUBLISHED_FIELDS,
    SHARE_FIELDS,
    YEAR_MAX,
    YEAR_MIN,
    DipMetric,
    ExpenditureDataset,
    ExpenditureRecord,
    PublishedAggregate,
)
from pledges.models.plans import (
    ENTRY_KINDS,
    CapacityLine,
    Investment,
    Measure,
    NationalPlan,
    PlanCycle,
    PlanEntry,
    PlanSection,
    PlanVersion,
    ReviewComment,
)

__all__ = [
    "AMOUNT_FIELDS",
    "EDITION_FIELDS",
    "ENTRY_KINDS",
    "INPUT_FIELDS",
    "PUBLISHED_FIELDS",
    "SHARE_FIELDS",
    "YEAR_MAX",
    "YEAR_MIN",
    "CapacityLine",
    "DipMetric",
    "ExpenditureDataset",
    "ExpenditureRecord",
    "Investment",
    "Measure",
    "NationalPlan",
    "PlanCycle",
    "PlanEntry",
    "PlanSection",
    "PlanVersion",
    "PublishedAggregate",
    "ReviewComment",
]
