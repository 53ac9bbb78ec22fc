"""Reads of meetings' documents."""

from __future__ import annotations

from django.db.models import F, QuerySet

from boards.models import Document
from portal.permissions import VIEW, restrict


def document_list(*, user, meeting=None) -> QuerySet[Document]:
    """Documents the user may read, optionally of one ``meeting``: the meeting's own first, then
    each agenda item's in agenda order, oldest first within each."""
    rows = restrict(Document.objects.all(), user, VIEW).select_related(
        "meeting", "agenda_item", "uploaded_by"
    )
    if meeting is not None:
        rows = rows.filter(meeting=meeting)
    return rows.order_by(
        "meeting__starts_at", "meeting", F("agenda_item__position").asc(nulls_first=True), "uploaded_at", "pk"
    )
