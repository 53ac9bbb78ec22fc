"""The boards app's models, one module per subject."""

from boards.models.bodies import Body, Membership
from boards.models.documents import Document
from boards.models.feeds import CalendarFeed
from boards.models.meetings import LINKABLE, AgendaItem, Attendance, Link, Meeting, Minutes
from boards.models.risks import Risk
from boards.models.work import ActionItem, Recommendation

__all__ = [
    "LINKABLE",
    "ActionItem",
    "AgendaItem",
    "Attendance",
    "Body",
    "CalendarFeed",
    "Document",
    "Link",
    "Meeting",
    "Membership",
    "Minutes",
    "Recommendation",
    "Risk",
]
