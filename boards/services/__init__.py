"""Every write of the boards app: atomic, validated, audited in the same transaction."""

from boards.services.bodies import body_create, body_update, membership_add, membership_end
from boards.services.documents import document_remove, document_upload
from boards.services.feeds import calendar_feed_reset, calendar_feed_revoke
from boards.services.meetings import (
    agenda_item_add,
    agenda_item_remove,
    agenda_item_update,
    agenda_reorder,
    attendance_record,
    link_add,
    link_remove,
    meeting_create,
    meeting_update,
    minutes_approve,
    minutes_correct,
    minutes_draft,
    minutes_update,
)
from boards.services.risks import risk_create, risk_update
from boards.services.work import (
    action_create,
    action_update,
    actions_flag_overdue,
    recommendation_create,
    recommendation_move,
    recommendation_update,
)

__all__ = [
    "action_create",
    "action_update",
    "actions_flag_overdue",
    "agenda_item_add",
    "agenda_item_remove",
    "agenda_item_update",
    "agenda_reorder",
    "attendance_record",
    "body_create",
    "body_update",
    "calendar_feed_reset",
    "calendar_feed_revoke",
    "document_remove",
    "document_upload",
    "link_add",
    "link_remove",
    "meeting_create",
    "meeting_update",
    "membership_add",
    "membership_end",
    "minutes_approve",
    "minutes_correct",
    "minutes_draft",
    "minutes_update",
    "recommendation_create",
    "recommendation_move",
    "recommendation_update",
    "risk_create",
    "risk_update",
]
