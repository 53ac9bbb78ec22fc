"""Every write to the standards app: atomic, validated, audited in the same transaction.

catalogue  domains, editions (create, update, supersede) and what items require
responses  a nation's ratification and implementation, one at a time or a whole form at once
reviews    review cycles (a "new edition" outcome creates the edition) and change proposals
imports    the catalogue and national-response imports' writes: every row, or none
"""

from standards.services.catalogue import (
    domain_create,
    domain_update,
    requirement_add,
    requirement_remove,
    standard_create,
    standard_update,
    unmatched_designation_resolve,
)
from standards.services.imports import CatalogueEntry, ImportCounts, catalogue_import, responses_import
from standards.services.responses import ResponseInput, ServiceLine, response_save, responses_save
from standards.services.reviews import (
    proposal_decide,
    proposal_submit,
    review_complete,
    review_open,
    review_start,
)

__all__ = [
    "CatalogueEntry",
    "ImportCounts",
    "ResponseInput",
    "ServiceLine",
    "catalogue_import",
    "domain_create",
    "domain_update",
    "proposal_decide",
    "proposal_submit",
    "requirement_add",
    "requirement_remove",
    "response_save",
    "responses_import",
    "responses_save",
    "review_complete",
    "review_open",
    "review_start",
    "standard_create",
    "standard_update",
    "unmatched_designation_resolve",
]
