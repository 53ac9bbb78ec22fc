"""Every read of the standards app; each starts from ``restrict``.

alerts     interoperability alerts: open orders and firm demand against unmet requirements
catalogue  domains, editions, responses, reviews, proposals, item requirements
deadlines  review dates for the workspaces' deadline list (DESIGN, convention 18)
matrix     the ratification matrix (nations x editions), its totals and its export
"""

from standards.selectors.alerts import (
    Alert,
    AlertPages,
    alert_count,
    alert_list,
    alert_pages,
    alert_url,
    alerts,
)
from standards.selectors.catalogue import (
    domain_list,
    proposal_list,
    requirement_list,
    response_list,
    review_list,
    standard_list,
    unmatched_designation_list,
)
from standards.selectors.deadlines import Deadline, deadlines
from standards.selectors.matrix import (
    LEGEND,
    Cell,
    Mark,
    Matrix,
    MatrixRow,
    NationTotal,
    matrix_export,
    ratification_matrix,
)

__all__ = [
    "LEGEND",
    "Alert",
    "AlertPages",
    "Cell",
    "Deadline",
    "Mark",
    "Matrix",
    "MatrixRow",
    "NationTotal",
    "alert_count",
    "alert_list",
    "alert_pages",
    "alert_url",
    "alerts",
    "deadlines",
    "domain_list",
    "matrix_export",
    "proposal_list",
    "ratification_matrix",
    "requirement_list",
    "response_list",
    "review_list",
    "standard_list",
    "unmatched_designation_list",
]
