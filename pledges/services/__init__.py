"""Pledges' writes: plan editing and the review workflow (``plans``), expenditure returns, NATO
editions and the DIP metrics recompute (``dip``). Callers use the names re-exported here."""

from pledges.services.dip import (
    METRIC_FIELDS,
    RECOMPUTE_JOB,
    ImportOutcome,
    dataset_set_reference,
    dip_recompute,
    nato_edition_import,
    record_delete,
    record_save,
    return_create,
    return_submit,
)
from pledges.services.plans import (
    CommentInput,
    cycle_create,
    entry_delete,
    entry_save,
    plan_accept,
    plan_return,
    plan_start,
    plan_start_review,
    plan_submit,
    plans_mark_overdue,
    section_save,
)

__all__ = [
    "METRIC_FIELDS",
    "RECOMPUTE_JOB",
    "CommentInput",
    "ImportOutcome",
    "cycle_create",
    "dataset_set_reference",
    "dip_recompute",
    "entry_delete",
    "entry_save",
    "nato_edition_import",
    "plan_accept",
    "plan_return",
    "plan_start",
    "plan_start_review",
    "plan_submit",
    "plans_mark_overdue",
    "record_delete",
    "record_save",
    "return_create",
    "return_submit",
    "section_save",
]
