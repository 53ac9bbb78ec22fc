"""Every read of the standards app; each starts from ``restrict``.

catalogue  domains, editions, responses, reviews, proposals, item requirements
deadlines  review dates for the workspaces' deadline list (DESIGN, convention 18)
"""

from standards.selectors.catalogue import (
    domain_list,
    proposal_list,
    requirement_list,
    response_list,
    review_list,
    standard_get,
    standard_list,
    unmatched_designation_list,
)
from standards.selectors.deadlines import Deadline, deadlines

__all__ = [
    "Deadline",
    "deadlines",
    "domain_list",
    "proposal_list",
    "requirement_list",
    "response_list",
    "review_list",
    "standard_get",
    "standard_list",
    "unmatched_designation_list",
]
