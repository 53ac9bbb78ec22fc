"""Every read of the boards app, scoped by ``portal.permissions.restrict``."""

from boards.selectors.bodies import (
    agenda_item_list,
    bodies_open_to,
    body_list,
    meeting_detail,
    meeting_list,
    member_users,
    membership_list,
    minutes_list,
    minutes_record,
    seatable_users,
)
from boards.selectors.deadlines import Deadline, deadlines
from boards.selectors.documents import document_list
from boards.selectors.feeds import feed_user
from boards.selectors.links import link_list, link_target, shown_links
from boards.selectors.risks import HeatMap, heat_map_of, risk_detail, risk_heat_map, risk_list
from boards.selectors.work import action_list, recommendation_list

__all__ = [
    "Deadline",
    "HeatMap",
    "action_list",
    "agenda_item_list",
    "bodies_open_to",
    "body_list",
    "deadlines",
    "document_list",
    "feed_user",
    "heat_map_of",
    "link_list",
    "link_target",
    "meeting_detail",
    "meeting_list",
    "member_users",
    "membership_list",
    "minutes_list",
    "minutes_record",
    "recommendation_list",
    "risk_detail",
    "risk_heat_map",
    "risk_list",
    "seatable_users",
    "shown_links",
]
