from django.urls import include, path

from boards.api import views
from portal.api.routers import PortalRouter

router = PortalRouter()
router.register("bodies", views.BodyViewSet, basename="body")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("minutes", views.MinutesViewSet, basename="minutes")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("actions", views.ActionViewSet, basename="action")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("risks", views.RiskViewSet, basename="risk")

app_name = "boards-api"
urlpatterns = [
    path("capacity/", views.CapacityView.as_view(), name="capacity"),
    path("", include(router.urls)),
]
