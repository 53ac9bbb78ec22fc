"""The boards' whole web URL map."""

from django.urls import path

from boards.views import bodies, capacity, documents, meetings, risks, work

app_name = "boards"
urlpatterns = [
    path("", bodies.body_list, name="body-list"),
    path("bodies/<int:pk>/", bodies.body_detail, name="body-detail"),
    # Meetings and their minutes.
    path("meetings/", meetings.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/minutes/new/", meetings.minutes_draft, name="minutes-draft"),
    path("minutes/<int:pk>/edit/", meetings.minutes_edit, name="minutes-edit"),
    path("minutes/<int:pk>/approve/", meetings.minutes_approve, name="minutes-approve"),
    path("minutes/<int:pk>/correct/", meetings.minutes_correct, name="minutes-correct"),
    # Documents: uploaded to a meeting, served only through the scoped download.
    path("meetings/<int:pk>/documents/new/", documents.document_upload, name="document-upload"),
    path("documents/<int:pk>/download/", documents.document_download, name="document-download"),
    # Actions and recommendations to CNAD.
    path("actions/", work.action_list, name="action-list"),
    path("bodies/<int:pk>/actions/new/", work.action_create, name="action-create"),
    path("actions/<int:pk>/edit/", work.action_edit, name="action-edit"),
    path("recommendations/", work.recommendation_list, name="recommendation-list"),
    path("recommendations/<int:pk>/move/", work.recommendation_move, name="recommendation-move"),
    # Working group 1's industrial capacity view.
    path("capacity/", capacity.capacity, name="capacity"),
    # The supply-chain risk register.
    path("risks/", risks.risk_list, name="risk-list"),
]
