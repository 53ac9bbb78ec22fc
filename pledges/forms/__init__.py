"""Pledges' browser forms, which only parse input: the plan editor's (``plans``) and national
expenditure returns' (``dip``). Every write goes through ``pledges.services``."""

from pledges.forms.dip import LABELS, RECORD_FIELDS, TABLE_FIELDS, RecordForm, ReturnStartForm, VersionForm
from pledges.forms.plans import (
    DATE_INPUT,
    ENTRY_FORMS,
    CapacityLineForm,
    EntryForm,
    InvestmentForm,
    MeasureForm,
    SectionForm,
    SubmitForm,
)

__all__ = [
    "DATE_INPUT",
    "ENTRY_FORMS",
    "LABELS",
    "RECORD_FIELDS",
    "TABLE_FIELDS",
    "CapacityLineForm",
    "EntryForm",
    "InvestmentForm",
    "MeasureForm",
    "RecordForm",
    "ReturnStartForm",
    "SectionForm",
    "SubmitForm",
    "VersionForm",
]
