"""The boards' whole web URL map."""

from django.urls import path

from boards.views import bodies, calendar, capacity, documents, meetings, risks, work

app_name = "boards"
urlpatterns = [
    path("", bodies.body_list, name="body-list"),
    path("bodies/<int:pk>/", bodies.body_detail, name="body-detail"),
    path("bodies/<int:pk>/members/new/", bodies.membership_add, name="membership-add"),
    path("memberships/<int:pk>/end/", bodies.membership_end, name="membership-end"),
    # Meetings and their minutes.
    path("meetings/", meetings.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting-detail"),
    # The calendar in calendar clients: .ics downloads, and feeds polled with a secret key.
    path("meetings/calendar.ics", calendar.meetings_ics, name="meetings-ics"),
    path("bodies/<int:pk>/calendar.ics", calendar.body_ics, name="body-ics"),
    path("meetings/<int:pk>/calendar.ics", calendar.meeting_ics, name="meeting-ics"),
    path("calendar/", calendar.calendar_feed, name="calendar-feed"),
    path("calendar/<str:key>.ics", calendar.feed, name="feed"),
    path("calendar/<str:key>/bodies/<int:pk>.ics", calendar.body_feed, name="body-feed"),
    path("bodies/<int:pk>/meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/status/", meetings.meeting_status, name="meeting-status"),
    path("meetings/<int:pk>/attendance/", meetings.attendance_record, name="attendance-record"),
    # The agenda: its items, their order (versioned), their links to portal objects.
    path("meetings/<int:pk>/agenda/new/", meetings.agenda_item_add, name="agenda-item-add"),
    path("meetings/<int:pk>/agenda/reorder/", meetings.agenda_reorder, name="agenda-reorder"),
    path("agenda/<int:pk>/edit/", meetings.agenda_item_edit, name="agenda-item-edit"),
    path("agenda/<int:pk>/remove/", meetings.agenda_item_remove, name="agenda-item-remove"),
    path("agenda/<int:pk>/links/new/", meetings.agenda_link_add, name="agenda-link-add"),
    path("actions/<int:pk>/links/new/", meetings.action_link_add, name="action-link-add"),
    path("links/<int:pk>/remove/", meetings.link_remove, name="link-remove"),
    path("meetings/<int:pk>/minutes/new/", meetings.minutes_draft, name="minutes-draft"),
    path("minutes/<int:pk>/edit/", meetings.minutes_edit, name="minutes-edit"),
    path("minutes/<int:pk>/approve/", meetings.minutes_approve, name="minutes-approve"),
    path("minutes/<int:pk>/correct/", meetings.minutes_correct, name="minutes-correct"),
    path("meetings/<int:pk>/minutes.pdf", documents.minutes_pdf, name="minutes-pdf"),
    # Documents: uploaded to a meeting, served only through the scoped download.
    path("meetings/<int:pk>/documents/new/", documents.document_upload, name="document-upload"),
    path("documents/<int:pk>/download/", documents.document_download, name="document-download"),
    # Actions and recommendations to CNAD.
    path("actions/", work.action_list, name="action-list"),
    path("bodies/<int:pk>/actions/new/", work.action_create, name="action-create"),
    path("actions/<int:pk>/edit/", work.action_edit, name="action-edit"),
    path("recommendations/", work.recommendation_list, name="recommendation-list"),
    path("recommendations/<int:pk>/move/", work.recommendation_move, name="recommendation-move"),
    path("bodies/<int:pk>/recommendations/new/", work.recommendation_create, name="recommendation-create"),
    path("recommendations/<int:pk>/edit/", work.recommendation_edit, name="recommendation-edit"),
    # Working group 1's industrial capacity view.
    path("capacity/", capacity.capacity, name="capacity"),
    # The supply-chain risk register.
    path("risks/", risks.risk_list, name="risk-list"),
    path("risks/new/", risks.risk_create, name="risk-create"),
    path("risks/<int:pk>/", risks.risk_detail, name="risk-detail"),
    path("risks/<int:pk>/edit/", risks.risk_edit, name="risk-edit"),
]
