"""Every read of the boards app, scoped by ``portal.permissions.restrict``."""

from boards.selectors.bodies import (
    body_list,
    meeting_detail,
    meeting_list,
    membership_list,
    minutes_list,
    minutes_record,
)
from boards.selectors.documents import document_list
from boards.selectors.risks import HeatMap, heat_map_of, risk_heat_map, risk_list
from boards.selectors.work import action_list, recommendation_list

__all__ = [
    "HeatMap",
    "action_list",
    "body_list",
    "document_list",
    "heat_map_of",
    "meeting_detail",
    "meeting_list",
    "membership_list",
    "minutes_list",
    "minutes_record",
    "recommendation_list",
    "risk_heat_map",
    "risk_list",
]
